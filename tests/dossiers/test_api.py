"""JSON API of dossiers: reading, composing, starting builds (202), polling and downloading."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.dossiers import builds
from app.submissions.models import Consent
from tests.dossiers.world import DossierWorld
from tests.factories import make_comment
from tests.support.web import api_headers, sign_in

RunJobs = Callable[[], int]


def _token(db: Session, user: User) -> dict[str, str]:
    _token_row, raw = accounts.create_token(db, user, "test")
    db.flush()
    return api_headers(raw)


def test_read_the_dossier(client: TestClient, db: Session, dw: DossierWorld) -> None:
    a = dw.paper(title="Alpha")
    b = dw.paper(title="Beta", consent=Consent.restricted)
    c = dw.paper(dw.item2, title="Gamma")
    response = client.get(dw.api_url, headers=_token(db, dw.moderator))
    assert response.status_code == 200
    body = response.json()
    assert body["meeting_id"] == dw.meeting.id and body["builds"] == []
    assert body["latest_build_id"] is None
    first, second = body["sections"]
    assert (first["number"], first["title"]) == ("1", "Recruitment")
    assert [(e["paper_id"], e["position"], e["included"]) for e in first["entries"]] == [
        (a.id, 1, True),
        (b.id, 0, False),
    ]
    assert [e["paper_id"] for e in second["entries"]] == [c.id]
    assert first["entries"][0]["tracking_number"] == a.tracking_number


@pytest.mark.parametrize(
    ("who", "status"),
    [("stranger", 403), ("other_organiser", 403), ("other_moderator", 403), ("owner", 403)],
)
def test_outsiders_get_nothing(
    client: TestClient, db: Session, dw: DossierWorld, who: str, status: int
) -> None:
    headers = _token(db, getattr(dw, who))
    assert client.get(dw.api_url, headers=headers).status_code == status
    assert client.post(f"{dw.api_url}/builds", headers=headers).status_code == status
    patch = client.patch(
        f"{dw.api_url}/sections/{dw.item.id}", json={"summary": "x"}, headers=headers
    )
    assert patch.status_code == status


def test_anonymous_and_unknown(client: TestClient, db: Session, dw: DossierWorld) -> None:
    sign_in(client, None)
    assert client.get(dw.api_url).status_code == 401
    assert client.get("/api/v1/dossier-builds/1").status_code == 401
    headers = _token(db, dw.organiser)
    assert client.get("/api/v1/meetings/999999/dossier", headers=headers).status_code == 404
    assert client.get("/api/v1/dossier-builds/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/dossier-builds/99999999999/pdf", headers=headers).status_code == 404


def test_patch_a_section(client: TestClient, db: Session, dw: DossierWorld) -> None:
    a, b = dw.paper(), dw.paper()
    comment = make_comment(db, dw.item, dw.owner)
    url = f"{dw.api_url}/sections/{dw.item.id}"
    organiser = _token(db, dw.organiser)
    body = {"paper_ids": [b.id, a.id], "summary": "Summary", "digest_comment_ids": [comment.id]}
    response = client.patch(url, json=body, headers=organiser)
    assert response.status_code == 200, response.text
    data = response.json()
    assert [e["paper_id"] for e in data["entries"]] == [b.id, a.id]
    assert (data["summary"], data["digest_comment_ids"]) == ("Summary", [comment.id])

    moderator = _token(db, dw.moderator)
    assert client.patch(url, json={"summary": "x"}, headers=moderator).status_code == 403
    bad_order = client.patch(url, json={"paper_ids": [a.id]}, headers=organiser)
    assert bad_order.status_code == 422 and "paper_ids" in bad_order.json()["error"]["fields"]
    unknown = client.patch(url, json={"colour": "red"}, headers=organiser)
    assert unknown.status_code == 422
    bad_digest = client.patch(url, json={"digest_comment_ids": [123456]}, headers=organiser)
    assert bad_digest.status_code == 422
    other_item = f"{dw.api_url}/sections/999999"
    assert client.patch(other_item, json={"summary": "x"}, headers=organiser).status_code == 404


def test_build_poll_and_download(
    client: TestClient, db: Session, dw: DossierWorld, run_jobs: RunJobs
) -> None:
    paper = dw.paper(pages=1)
    organiser = _token(db, dw.organiser)
    assert client.post(f"{dw.api_url}/builds", headers=_token(db, dw.moderator)).status_code == 403
    started = client.post(f"{dw.api_url}/builds", headers=organiser)
    assert started.status_code == 202
    build = started.json()
    assert (build["number"], build["state"], build["progress"]) == (1, "queued", 0)
    assert started.headers["location"] == f"/api/v1/dossier-builds/{build['id']}"
    assert build["pdf_url"] is None and build["built_by"] == dw.organiser.name
    assert [v["paper_id"] for v in build["included"]] == [paper.id]
    url = f"/api/v1/dossier-builds/{build['id']}"
    assert client.get(f"{url}/pdf", headers=organiser).status_code == 409

    assert run_jobs() == 1
    polled = client.get(url, headers=_token(db, dw.moderator)).json()
    assert (polled["state"], polled["progress"]) == ("succeeded", 100), polled["error"]
    assert polled["page_count"] > 1 and len(polled["pdf_sha256"]) == 64
    pdf = client.get(polled["pdf_url"], headers=organiser)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    archive = client.get(polled["zip_url"], headers=organiser)
    assert archive.status_code == 200 and archive.content.startswith(b"PK")
    dossier = client.get(dw.api_url, headers=organiser).json()
    assert dossier["latest_build_id"] == build["id"]
    assert [b["number"] for b in dossier["builds"]] == [1]

    for who in ("stranger", "other_organiser", "other_moderator"):
        headers = _token(db, getattr(dw, who))
        assert client.get(url, headers=headers).status_code == 403
        assert client.get(f"{url}/zip", headers=headers).status_code == 403


def test_build_of_failed_state_has_no_files(
    client: TestClient, db: Session, dw: DossierWorld
) -> None:
    build = builds.start_build(db, dw.organiser, dw.meeting)
    builds.mark_failed(build, "broken")
    db.flush()
    headers = _token(db, dw.organiser)
    response = client.get(f"/api/v1/dossier-builds/{build.id}/pdf", headers=headers)
    assert response.status_code == 409
    assert (
        client.get(f"/api/v1/dossier-builds/{build.id}", headers=headers).json()["error"]
        == "broken"
    )
