"""Who sees the triage queue of a process: its moderators and organisers, and administrators.
A moderator or organiser of another process, a member of the submitting organisation and a
stranger see nothing (403; unknown objects 404)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.moderation import repository
from tests.moderation.papers_world import Triage, post
from tests.support.web import api_headers, sign_in

TRIAGERS = ["moderator", "moderator2", "organiser", "admin"]
OUTSIDERS = ["other_moderator", "other_organiser", "owner", "member", "stranger"]


def _reads(t: Triage, paper_id: int) -> list[str]:
    return [
        t.queue_url,
        t.queue_url + ".csv",
        t.queue_url + ".xlsx",
        f"/papers/{paper_id}/moderation",
        f"/papers/{paper_id}/moderation/reject-form?lock_version=1",
        f"/api/v1/meetings/{t.meeting.id}/papers",
        f"/api/v1/papers/{paper_id}/decisions",
    ]


@pytest.mark.parametrize("who", TRIAGERS + OUTSIDERS)
def test_reading_the_queue(client: TestClient, db: Session, triage: Triage, who: str) -> None:
    paper = triage.paper(db)
    sign_in(client, getattr(triage, who))
    for url in _reads(triage, paper.id):
        status = client.get(url, headers=api_headers()).status_code
        assert status == (200 if who in TRIAGERS else 403), (who, url, status)


@pytest.mark.parametrize("who", TRIAGERS + OUTSIDERS)
def test_acting_on_a_paper(client: TestClient, db: Session, triage: Triage, who: str) -> None:
    paper = triage.paper(db)
    sign_in(client, getattr(triage, who))
    loaded = repository.get_paper(db, paper.id, fresh=True)
    assert loaded is not None
    v = loaded.lock_version
    html = post(client, f"/papers/{paper.id}/assignment", {"assignee": "me", "lock_version": v})
    api = client.post(
        f"/api/v1/papers/{paper.id}/decisions",
        json={"to_status": "in_review", "lock_version": v},
        headers=api_headers(),
    )
    bulk = post(
        client, triage.queue_url + "/bulk", {"action": "in_review", "paper": [f"{paper.id}:{v}"]}
    )
    if who in TRIAGERS:
        assert (html.status_code, api.status_code, bulk.status_code) == (303, 409, 303)
    else:
        assert (html.status_code, api.status_code, bulk.status_code) == (403, 403, 403)
        loaded = repository.get_paper(db, paper.id, fresh=True)
        assert loaded is not None and loaded.lock_version == v and loaded.assignee_id is None


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("organiser", True),
        ("admin", True),
        ("moderator", False),
        ("other_organiser", False),
        ("stranger", False),
    ],
)
def test_releasing_and_reason_codes_are_for_organisers(
    client: TestClient, db: Session, triage: Triage, who: str, allowed: bool
) -> None:
    sign_in(client, getattr(triage, who))
    release = post(client, triage.queue_url + "/release", {})
    api = client.post(
        f"/api/v1/meetings/{triage.meeting.id}/decisions/release", headers=api_headers()
    )
    codes = client.get(f"/processes/{triage.process.slug}/reason-codes")
    if allowed:
        assert (release.status_code, api.status_code, codes.status_code) == (303, 200, 200)
    else:
        assert (release.status_code, api.status_code, codes.status_code) == (403, 403, 403)


def test_unknown_objects_are_404(client: TestClient, db: Session, triage: Triage) -> None:
    sign_in(client, triage.moderator)
    slug, meeting = triage.process.slug, triage.meeting.slug
    for url in (
        f"/processes/{slug}/meetings/nope/queue",
        f"/processes/nope/meetings/{meeting}/queue",
        "/papers/999999/moderation",
        "/papers/99999999999/moderation",
        "/api/v1/meetings/999999/papers",
        "/processes/nope/reason-codes",
    ):
        assert client.get(url, headers=api_headers()).status_code in (404, 422), url


def test_anonymous_visitors_are_sent_to_sign_in(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db)
    sign_in(client, None)
    response = client.get(triage.queue_url, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/auth/signin")
    assert client.get(f"/api/v1/papers/{paper.id}/decisions").status_code == 401
