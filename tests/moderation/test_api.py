"""The triage API: keyset paging through the queue, decisions with lock versions (409 on a
stale one), revert, release, assignment and routing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.moderation import repository
from app.submissions.models import Paper, PaperStatus
from tests.moderation.papers_world import T0, Triage
from tests.support.smtp import SmtpServer
from tests.support.web import api_headers, sign_in

S = PaperStatus


def token_for(db: Session, user: User) -> dict[str, str]:
    _token, raw = accounts.create_token(db, user, "test")
    db.flush()
    return api_headers(raw)


def lock(db: Session, paper: Paper) -> int:
    loaded = repository.get_paper(db, paper.id, fresh=True)
    assert loaded is not None
    return loaded.lock_version


def decide(client: TestClient, headers: dict[str, str], paper: Paper, **body: Any) -> Response:
    return client.post(f"/api/v1/papers/{paper.id}/decisions", json=body, headers=headers)


def test_paging_through_every_paper_with_cursors(
    client: TestClient, db: Session, triage: Triage
) -> None:
    for n in range(120):
        triage.paper(db, title=f"P{n:03d}", submitted_at=T0 + timedelta(seconds=n // 3))
    headers = token_for(db, triage.moderator)
    url = f"/api/v1/meetings/{triage.meeting.id}/papers"
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"cursor": cursor} if cursor else {}
        body = client.get(url, params=params, headers=headers).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [p.id for p in triage.papers]  # oldest first, ties by id, none twice
    big = client.get(url, params={"limit": 500}, headers=headers).json()
    assert [item["id"] for item in big["items"]] == seen
    assert big["next_cursor"] is None
    assert client.get(url, params={"limit": 501}, headers=headers).status_code == 422
    first = client.get(url, params={"status": "submitted", "sort": "-title"}, headers=headers)
    item = first.json()["items"][0]
    assert item["title"] == "P119" and item["lock_version"] >= 1
    assert item["organisation_name"] == triage.org.name and item["country"] == "KG"
    assert item["staged"] is False and item["agenda_item_ids"] == [triage.item.id]


def test_a_decision_and_a_stale_one(client: TestClient, db: Session, triage: Triage) -> None:
    paper = triage.paper(db)
    seen = lock(db, paper)
    first, second = token_for(db, triage.moderator), token_for(db, triage.moderator2)
    created = decide(client, first, paper, to_status="accepted", staged=True, lock_version=seen)
    assert created.status_code == 201
    body = created.json()
    assert body["decision"]["to_status"] == "accepted" and body["decision"]["staged"] is True
    assert body["paper"]["status"] == "accepted"
    assert body["paper"]["announced_status"] == "submitted"
    assert body["paper"]["lock_version"] == seen + 1

    stale = decide(client, second, paper, to_status="rejected", reason="Late.", lock_version=seen)
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and "accepted" in error["message"]
    assert error["paper"] == body["paper"]  # the current state, to decide again
    assert lock(db, paper) == seen + 1

    listed = client.get(f"/api/v1/papers/{paper.id}/decisions", headers=second).json()
    assert [d["to_status"] for d in listed] == ["accepted"]


def test_bad_decisions(client: TestClient, db: Session, triage: Triage) -> None:
    paper = triage.paper(db)
    withdrawn = triage.paper(db, status=S.withdrawn, announced_status=S.withdrawn)
    headers = token_for(db, triage.moderator)
    v = lock(db, paper)
    assert decide(client, headers, paper, to_status="approved", lock_version=v).status_code == 422
    assert decide(client, headers, paper, to_status="accepted").status_code == 422
    missing = decide(client, headers, paper, to_status="rejected", lock_version=v)
    assert missing.status_code == 422 and "reason_code" in missing.json()["error"]["fields"]
    unknown_code = decide(
        client, headers, paper, to_status="rejected", reason_code="nope", lock_version=v
    )
    assert unknown_code.status_code == 422
    gone = decide(
        client, headers, withdrawn, to_status="accepted", lock_version=lock(db, withdrawn)
    )
    assert gone.status_code == 409
    assert (
        decide(client, headers, paper, to_status="accepted", lock_version=v, reason=1).status_code
        == 422
    )
    forged = client.post("/api/v1/papers/999999/decisions", json={}, headers=headers)
    assert forged.status_code == 404
    assert lock(db, paper) == v


def test_revert_release_assign_route(
    client: TestClient,
    db: Session,
    triage: Triage,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    paper = triage.paper(db)
    moderator, organiser = token_for(db, triage.moderator), token_for(db, triage.organiser)
    created = decide(
        client, moderator, paper, to_status="accepted", staged=True, lock_version=lock(db, paper)
    ).json()
    revert_url = f"/api/v1/papers/{paper.id}/decisions/{created['decision']['id']}/revert"
    reverted = client.post(revert_url, json={"lock_version": lock(db, paper)}, headers=moderator)
    assert reverted.status_code == 200 and reverted.json()["paper"]["status"] == "submitted"
    again = client.post(revert_url, json={"lock_version": lock(db, paper)}, headers=moderator)
    assert again.status_code == 409

    decide(
        client, moderator, paper, to_status="accepted", staged=True, lock_version=lock(db, paper)
    )
    release_url = f"/api/v1/meetings/{triage.meeting.id}/decisions/release"
    assert client.post(release_url, headers=moderator).status_code == 403
    released = client.post(release_url, headers=organiser)
    assert released.status_code == 200 and released.json() == {"released": 1, "notified": 1}
    run_jobs()
    assert mailbox.wait_for(1, to=triage.owner.email)

    assign_url = f"/api/v1/papers/{paper.id}/assignment"
    body = {"assignee_id": triage.moderator2.id, "lock_version": lock(db, paper)}
    assigned = client.post(assign_url, json=body, headers=moderator)
    assert assigned.status_code == 200 and assigned.json()["assignee_id"] == triage.moderator2.id
    stale = client.post(
        assign_url, json={"assignee_id": None, "lock_version": 1}, headers=moderator
    )
    assert stale.status_code == 409
    outsider = {"assignee_id": triage.stranger.id, "lock_version": lock(db, paper)}
    assert client.post(assign_url, json=outsider, headers=moderator).status_code == 422

    route_url = f"/api/v1/papers/{paper.id}/route"
    body = {"agenda_item_id": triage.item2.id, "lock_version": lock(db, paper)}
    routed = client.post(route_url, json=body, headers=moderator)
    assert routed.status_code == 200 and routed.json()["routed_item_id"] == triage.item2.id
    assert (
        client.post(route_url, json={"agenda_item_id": "x"}, headers=moderator).status_code == 422
    )


def test_the_session_needs_csrf_for_api_writes(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db)
    sign_in(client, triage.moderator)
    body = {"to_status": "accepted", "lock_version": lock(db, paper)}
    assert client.post(f"/api/v1/papers/{paper.id}/decisions", json=body).status_code == 403
    ok = client.post(f"/api/v1/papers/{paper.id}/decisions", json=body, headers=api_headers())
    assert ok.status_code == 201
