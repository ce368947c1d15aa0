"""Who sees a paper, its receipt and its files; the organisation's submissions page; the
meeting's list for organisers and moderators; co-signing."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.submissions.models import Paper, PaperCosigner, PaperVersion
from tests.submissions.conftest import World, a_pdf, upload
from tests.support.smtp import SmtpServer, body_text
from tests.support.web import post_form, sign_in


@pytest.fixture
def paper(client: TestClient, db: Session, world: World) -> Paper:
    sign_in(client, world.member)
    response = upload(client, world.submit_url, world.fields(), a_pdf(), "Políticas «2026».pdf")
    assert response.status_code == 303
    return db.scalars(select(Paper)).one()


PAGES = ("", "/receipt", "/receipt.pdf", "/versions/1/file", "/versions/1/pdf")


@pytest.mark.parametrize("who", ["member", "owner", "organiser"])
def test_the_organisation_and_organisers_see_everything(
    client: TestClient, world: World, paper: Paper, who: str
) -> None:
    sign_in(client, getattr(world, who))
    for suffix in PAGES:
        assert client.get(f"/papers/{paper.id}{suffix}").status_code == 200, suffix


def test_moderators_see_the_paper_but_not_the_receipt(
    client: TestClient, world: World, paper: Paper
) -> None:
    sign_in(client, world.moderator)
    assert client.get(f"/papers/{paper.id}").status_code == 200
    assert client.get(f"/papers/{paper.id}/versions/1/file").status_code == 200
    assert client.get(f"/papers/{paper.id}/receipt").status_code == 403


@pytest.mark.parametrize("who", ["other_owner", "other_organiser", "other_moderator", "stranger"])
def test_outsiders_see_nothing(client: TestClient, world: World, paper: Paper, who: str) -> None:
    sign_in(client, getattr(world, who))
    for suffix in PAGES:
        assert client.get(f"/papers/{paper.id}{suffix}").status_code == 403, suffix
        assert client.get(f"/api/v1/papers/{paper.id}{suffix or ''}").status_code in (403, 404)


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, paper: Paper) -> None:
    client.cookies.clear()
    response = client.get(f"/papers/{paper.id}/versions/1/file", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/signin")


def test_forged_ids_are_404(client: TestClient, world: World, paper: Paper) -> None:
    sign_in(client, world.member)
    for url in ("/papers/999999", "/papers/99999999999", f"/papers/{paper.id}/versions/7/file"):
        assert client.get(url).status_code == 404, url


def test_a_download_is_an_attachment_with_a_safe_name(
    client: TestClient, db: Session, world: World, paper: Paper
) -> None:
    sign_in(client, world.member)
    response = client.get(f"/papers/{paper.id}/versions/1/file")
    version = db.scalars(select(PaperVersion)).one()
    assert hashlib.sha256(response.content).hexdigest() == version.sha256
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Pol')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Políticas «2026».pdf"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_organisation_page_lists_papers_receipts_and_history(
    client: TestClient, world: World, paper: Paper
) -> None:
    sign_in(client, world.owner)
    page = client.get(f"/organisations/{world.org.id}/submissions")
    assert page.status_code == 200
    assert paper.tracking_number and paper.tracking_number in page.text
    assert f"/papers/{paper.id}/receipt.pdf" in page.text
    assert "Submitted" in page.text and "History and decisions" in page.text
    sign_in(client, world.other_owner)
    assert client.get(f"/organisations/{world.org.id}/submissions").status_code == 403
    sign_in(client, world.stranger)
    assert client.get(f"/organisations/{world.org.id}/submissions").status_code == 403


def test_the_meeting_list_is_for_organisers_and_moderators(
    client: TestClient, world: World, paper: Paper
) -> None:
    url = f"{world.meeting_url}/papers"
    for who in ("organiser", "moderator"):
        sign_in(client, getattr(world, who))
        page = client.get(url)
        assert page.status_code == 200
        assert world.org.name in page.text and "Not scanned" in page.text
    for who in ("member", "other_organiser", "other_moderator", "stranger"):
        sign_in(client, getattr(world, who))
        assert client.get(url).status_code == 403


# --- co-signing ---------------------------------------------------------------------------------


@pytest.fixture
def joint(client: TestClient, db: Session, world: World, mailbox: SmtpServer, run_jobs) -> Paper:  # type: ignore[no-untyped-def]
    world.other_owner.email = "owner@asociacion.example"
    db.flush()
    sign_in(client, world.member)
    fields = world.fields(cosigner_ids=[str(world.other_org.id)])
    assert upload(client, world.submit_url, fields, a_pdf()).status_code == 303
    run_jobs()
    return db.scalars(select(Paper)).one()


def test_cosigners_are_asked_by_email_and_see_the_request(
    client: TestClient, world: World, joint: Paper, mailbox: SmtpServer
) -> None:
    [message] = mailbox.wait_for(1, to="owner@asociacion.example")
    assert message["Subject"] == f"Co-signing request: {joint.title}"
    assert f"/organisations/{world.other_org.id}/submissions" in body_text(message)
    sign_in(client, world.other_owner)
    page = client.get(f"/organisations/{world.other_org.id}/submissions")
    assert joint.title in page.text and "Confirm co-signing" in page.text
    assert client.get(f"/papers/{joint.id}").status_code == 200  # they read what they sign
    assert client.get(f"/papers/{joint.id}/receipt").status_code == 403


def test_an_owner_confirms_and_the_answer_is_final(
    client: TestClient, db: Session, world: World, joint: Paper
) -> None:
    url = f"/papers/{joint.id}/cosigners/{world.other_org.id}"
    sign_in(client, world.other_owner)
    assert post_form(client, f"{url}/confirm").status_code == 303
    cosigner = db.scalars(select(PaperCosigner)).one()
    db.refresh(cosigner)
    assert cosigner.confirmed_at is not None and cosigner.decided_by_id == world.other_owner.id
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "paper.cosign.confirm")).one()
    assert post_form(client, f"{url}/decline").status_code == 409
    sign_in(client, world.member)
    assert "confirmed" in client.get(f"/papers/{joint.id}").text


def test_a_decline_hides_the_paper_from_the_cosigner(
    client: TestClient, db: Session, world: World, joint: Paper
) -> None:
    sign_in(client, world.other_owner)
    url = f"/papers/{joint.id}/cosigners/{world.other_org.id}/decline"
    assert post_form(client, url).status_code == 303
    assert client.get(f"/papers/{joint.id}").status_code == 403
    assert "declined" in client.get(f"/organisations/{world.other_org.id}/submissions").text


def test_only_owners_of_the_cosigning_organisation_answer(
    client: TestClient, db: Session, world: World, joint: Paper
) -> None:
    url = f"/papers/{joint.id}/cosigners/{world.other_org.id}/confirm"
    for who in ("member", "owner", "organiser", "stranger"):
        sign_in(client, getattr(world, who))
        assert post_form(client, url).status_code == 403, who
    sign_in(client, world.owner)  # an owner, but of an organisation that was not asked
    assert (
        post_form(client, f"/papers/{joint.id}/cosigners/{world.org.id}/confirm").status_code == 404
    )
    cosigner = db.scalars(select(PaperCosigner)).one()
    assert cosigner.confirmed_at is None


def test_a_paper_cannot_be_cosigned_by_its_own_organisation(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.member)
    fields = world.fields(cosigner_ids=[str(world.org.id)])
    response = upload(client, world.submit_url, fields, a_pdf())
    assert response.status_code == 422
    assert "Your own organisation cannot co-sign its paper." in response.text
