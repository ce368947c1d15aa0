"""The comments JSON API: reading, posting, editing, reporting, moderating."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.comments.models import CommentStatus
from app.db import utcnow
from tests.comments.conftest import World
from tests.factories import make_comment
from tests.support.web import api_headers, sign_in

API = "/api/v1"


def call(client: TestClient, method: str, url: str, body: object = None) -> Response:
    return client.request(method, API + url, json=body, headers=api_headers())


def as_user(client: TestClient, user: User | None) -> TestClient:
    return sign_in(client, user)


def items_url(world: World) -> str:
    return f"/agenda-items/{world.item.id}/comments"


def test_anyone_reads_published_comments_with_replies(
    client: TestClient, db: Session, world: World
) -> None:
    top = make_comment(db, world.item, world.author)
    reply = make_comment(db, world.item, world.member, parent_id=top.id)
    make_comment(db, world.item, world.member, status=CommentStatus.pending)
    hidden = make_comment(db, world.item, world.member, status=CommentStatus.hidden)
    body = client.get(API + items_url(world)).json()
    assert [c["id"] for c in body["items"]] == [hidden.id, top.id]
    assert body["items"][0]["body_html"] is None and body["items"][0]["hidden_reason"] is None
    assert [r["id"] for r in body["items"][1]["replies"]] == [reply.id]
    assert body["items"][1]["author_name"] == "Aida Author"
    assert "aida@example.org" not in str(body)
    assert body["items"][1]["report_count"] is None
    assert body["next_cursor"] is None


def test_cursor_pagination(client: TestClient, db: Session, world: World) -> None:
    ids = [make_comment(db, world.item, world.author).id for _ in range(5)]
    first = client.get(f"{API}{items_url(world)}?limit=2").json()
    assert [c["id"] for c in first["items"]] == ids[:-3:-1]
    second = client.get(f"{API}{items_url(world)}?limit=2&cursor={first['next_cursor']}").json()
    assert [c["id"] for c in second["items"]] == [ids[2], ids[1]]
    bad = client.get(f"{API}{items_url(world)}?cursor=-3")
    assert bad.status_code == 422 and "cursor" in bad.json()["error"]["fields"]


def test_pending_comments_in_the_api(client: TestClient, db: Session, world: World) -> None:
    pending = make_comment(db, world.item, world.author, status=CommentStatus.pending)
    as_user(client, world.author)
    assert [c["id"] for c in call(client, "GET", items_url(world)).json()["items"]] == [pending.id]
    as_user(client, world.moderator)
    assert [c["id"] for c in call(client, "GET", items_url(world)).json()["items"]] == [pending.id]
    as_user(client, world.other_moderator)
    assert call(client, "GET", items_url(world)).json()["items"] == []


def test_posting_with_a_token(client: TestClient, db: Session, world: World) -> None:
    _token, raw = accounts.create_token(db, world.member, "bot")
    db.flush()
    body = {"text": "On *behalf*", "organisation_id": world.organisation.id}
    response = client.post(API + items_url(world), json=body, headers=api_headers(raw))
    assert response.status_code == 201
    created = response.json()
    assert created["body_html"] == "<p>On <em>behalf</em></p>"
    assert created["organisation_name"] == "Steppe Voices"
    assert created["can_edit"] is True and created["text"] == "On *behalf*"
    reply = {"text": "Re", "parent_id": created["id"]}
    answer = client.post(API + items_url(world), json=reply, headers=api_headers(raw)).json()
    assert answer["parent_id"] == created["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "  "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "x", "organisation_id": "abc"}, "organisation_id"),
        ({"text": "x", "parent_id": 0}, "parent_id"),
    ],
)
def test_invalid_posts_are_422_with_field_messages(
    client: TestClient, world: World, body: dict[str, Any], field: str
) -> None:
    as_user(client, world.author)
    response = call(client, "POST", items_url(world), body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_refusals(client: TestClient, db: Session, world: World) -> None:
    as_user(client, None)
    assert call(client, "POST", items_url(world), {"text": "x"}).status_code == 401
    as_user(client, world.stranger)
    closed = call(client, "POST", f"/agenda-items/{world.closed_item.id}/comments", {"text": "x"})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "comments_closed"
    body = {"text": "x", "organisation_id": world.organisation.id}
    assert call(client, "POST", items_url(world), body).status_code == 403
    assert (
        call(client, "POST", items_url(world), {"text": "x", "parent_id": 999999}).status_code
        == 404
    )
    for n in range(10):
        make_comment(db, world.item, world.stranger, created_at=utcnow() - timedelta(seconds=n))
    limited = call(client, "POST", items_url(world), {"text": "x"})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    for path in ("/agenda-items/999999/comments", f"/agenda-items/{2**40}/comments"):
        assert call(client, "GET", path).status_code == 404
        assert call(client, "POST", path, {"text": "x"}).status_code == 404


def test_editing(client: TestClient, db: Session, world: World) -> None:
    comment = make_comment(db, world.item, world.author, created_at=utcnow())
    old = make_comment(db, world.item, world.author, created_at=utcnow() - timedelta(minutes=20))
    as_user(client, world.author)
    edited = call(client, "PATCH", f"/comments/{comment.id}", {"text": "**Now**"})
    assert edited.status_code == 200
    assert edited.json()["body_html"] == "<p><strong>Now</strong></p>"
    assert edited.json()["edited_at"] is not None
    assert call(client, "PATCH", f"/comments/{comment.id}", {"text": ""}).status_code == 422
    assert call(client, "PATCH", f"/comments/{old.id}", {"text": "x"}).status_code == 403
    as_user(client, world.member)
    assert call(client, "PATCH", f"/comments/{comment.id}", {"text": "x"}).status_code == 403
    as_user(client, None)
    assert call(client, "PATCH", f"/comments/{comment.id}", {"text": "x"}).status_code == 401


def test_reporting(client: TestClient, db: Session, world: World) -> None:
    comment = make_comment(db, world.item, world.author)
    as_user(client, world.member)
    url = f"/comments/{comment.id}/reports"
    assert call(client, "POST", url, {"reason": ""}).status_code == 422
    created = call(client, "POST", url, {"reason": "Spam"})
    assert created.status_code == 201 and created.json()["comment_id"] == comment.id
    again = call(client, "POST", url, {"reason": "Spam"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reported"
    as_user(client, world.moderator)
    [item] = call(client, "GET", items_url(world)).json()["items"]
    assert item["report_count"] == 1


def test_moderation(client: TestClient, db: Session, world: World) -> None:
    comment = make_comment(db, world.item, world.author, status=CommentStatus.pending)
    url = f"/comments/{comment.id}/moderation"
    # a pending comment is 404 to those who cannot see it; its author sees it, but may not act
    for who, status in (("other_moderator", 404), ("stranger", 404), ("author", 403)):
        as_user(client, getattr(world, who))
        assert call(client, "POST", url, {"action": "publish"}).status_code == status, who
    as_user(client, world.organiser)
    assert call(client, "POST", url, {"action": "hide"}).json()["error"]["fields"] == {
        "reason": "Give the reason for hiding this comment."
    }
    assert call(client, "POST", url, {"action": "publish"}).json()["status"] == "published"
    hidden = call(client, "POST", url, {"action": "hide", "reason": "Off topic"}).json()
    assert hidden["status"] == "hidden" and hidden["hidden_reason"] == "Off topic"
    as_user(client, world.admin)
    assert call(client, "POST", url, {"action": "publish"}).status_code == 200
    assert (
        call(client, "POST", "/comments/999999/moderation", {"action": "publish"}).status_code
        == 404
    )
