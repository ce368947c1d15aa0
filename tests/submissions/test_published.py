"""Published papers: anyone reads an accepted paper once the organisation was told and if it
consented; nobody learns of the others (404); anonymous consent hides the organisation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.submissions import policies
from app.submissions.models import Consent, Paper, PaperStatus
from tests.submissions.conftest import World, a_pdf, upload
from tests.support.web import sign_in

S, A = PaperStatus.submitted, PaperStatus.accepted


def _submit(client: TestClient, db: Session, world: World, **fields: str) -> Paper:
    sign_in(client, world.owner)
    answer = upload(client, world.submit_url, world.fields(**fields), a_pdf(2), "Our org.pdf")
    assert answer.status_code == 303, answer.text
    paper = db.get(Paper, int(answer.headers["location"].split("/")[2]))
    assert paper is not None
    sign_in(client, None)
    return paper


def _decide(db: Session, paper: Paper, status: PaperStatus, announced: PaperStatus) -> None:
    paper.status, paper.announced_status = status, announced
    db.flush()


@pytest.mark.parametrize(
    ("status", "announced", "consent", "published"),
    [
        (A, A, Consent.public_named, True),
        (A, A, Consent.public_anonymous, True),
        (A, A, Consent.restricted, False),
        (A, S, Consent.public_named, False),  # staged: the organisation was not told yet
        (S, A, Consent.public_named, False),  # a reverted acceptance, not yet announced
        (PaperStatus.rejected, PaperStatus.rejected, Consent.public_named, False),
    ],
)
def test_is_published(
    status: PaperStatus, announced: PaperStatus, consent: Consent, published: bool
) -> None:
    assert policies.is_published(status, announced, consent) is published


def test_anyone_reads_a_published_paper_and_downloads_its_file(
    client: TestClient, db: Session, world: World
) -> None:
    paper = _submit(client, db, world, title="Corridors that protect")
    hidden = _submit(client, db, world, title="Still in triage")
    _decide(db, paper, A, A)
    db.expunge_all()

    listing = client.get(f"{world.meeting_url}/published")
    assert listing.status_code == 200
    assert "Corridors that protect" in listing.text
    assert "Still in triage" not in listing.text
    assert world.org.name in listing.text
    assert f'href="{world.meeting_url}/published"' in client.get(world.meeting_url).text

    page = client.get(f"/published/{paper.id}")
    assert page.status_code == 200
    assert "Corridors that protect" in page.text and world.org.name in page.text
    file = client.get(f"/published/{paper.id}/file")
    assert file.status_code == 200
    assert file.content.startswith(b"%PDF")
    assert "Our org" not in file.headers["content-disposition"]  # named by tracking number
    assert f'"{paper.tracking_number}.pdf"' in file.headers["content-disposition"]

    for url in (f"/published/{hidden.id}", f"/published/{hidden.id}/file", "/published/999999"):
        assert client.get(url).status_code == 404


def test_anonymous_consent_hides_the_organisation(
    client: TestClient, db: Session, world: World
) -> None:
    paper = _submit(client, db, world, title="Unnamed voices", consent="public_anonymous")
    _decide(db, paper, A, A)
    db.expunge_all()
    for url in (f"{world.meeting_url}/published", f"/published/{paper.id}"):
        text = client.get(url).text
        assert "Unnamed voices" in text
        assert world.org.name not in text
        assert "Published without the organisation" in text


@pytest.mark.parametrize(
    ("status", "announced", "consent"),
    [(A, S, "public_named"), (A, A, "restricted")],
    ids=["staged", "restricted"],
)
def test_unpublished_papers_are_unknown_to_the_public(
    client: TestClient,
    db: Session,
    world: World,
    status: PaperStatus,
    announced: PaperStatus,
    consent: str,
) -> None:
    paper = _submit(client, db, world, title="Not for the public", consent=consent)
    _decide(db, paper, status, announced)
    db.expunge_all()
    assert "Not for the public" not in client.get(f"{world.meeting_url}/published").text
    assert client.get(f"/published/{paper.id}").status_code == 404
    assert client.get(f"/published/{paper.id}/file").status_code == 404
