"""The comment-id routes of tests/test_route_permissions.py (rows marked SPECIAL there), which
need a comment to exist: the anonymous visitor and a signed-in outsider against each."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.comments.models import CommentStatus
from tests.comments.conftest import World
from tests.factories import make_comment, make_user
from tests.support.web import TEST_CSRF, sign_in

SIGNED_IN, RESTRICTED = "signed in", "restricted"
ROUTES = [
    ("POST", "/comments/{id}/edit", RESTRICTED),  # the author
    ("POST", "/comments/{id}/reports", SIGNED_IN),
    ("POST", "/comments/{id}/moderation", RESTRICTED),  # moderators of the process
    ("PATCH", "/api/v1/comments/{id}", RESTRICTED),
    ("POST", "/api/v1/comments/{id}/reports", SIGNED_IN),
    ("POST", "/api/v1/comments/{id}/moderation", RESTRICTED),
]
IDS = [f"{method} {path}" for method, path, _ in ROUTES]


def request(client: TestClient, method: str, path: str, comment_id: int) -> int:
    url = path.format(id=comment_id)
    if url.startswith("/api/"):
        headers = {"X-CSRF-Token": TEST_CSRF}
        response = client.request(method, url, json={}, headers=headers)
    else:
        response = client.request(method, url, data={"csrf_token": TEST_CSRF})
    assert response.status_code != 500
    return response.status_code


@pytest.mark.parametrize(("method", "path", "rule"), ROUTES, ids=IDS)
def test_anonymous(
    client: TestClient, db: Session, world: World, method: str, path: str, rule: str
) -> None:
    comment = make_comment(db, world.item, world.author)
    sign_in(client, None)
    assert request(client, method, path, comment.id) == 401


@pytest.mark.parametrize(("method", "path", "rule"), ROUTES, ids=IDS)
def test_signed_in_outsider(
    client: TestClient, db: Session, world: World, method: str, path: str, rule: str
) -> None:
    comment = make_comment(db, world.item, world.author)
    sign_in(client, make_user(db))
    status = request(client, method, path, comment.id)
    if rule == RESTRICTED:
        assert status in (403, 404)
    else:
        assert status not in (401, 403)


@pytest.mark.parametrize(("method", "path", "rule"), ROUTES, ids=IDS)
def test_a_pending_comment_is_404_to_outsiders(
    client: TestClient, db: Session, world: World, method: str, path: str, rule: str
) -> None:
    comment = make_comment(db, world.item, world.author, status=CommentStatus.pending)
    sign_in(client, make_user(db))
    assert request(client, method, path, comment.id) == 404
