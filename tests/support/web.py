"""Signing a test client in without a provider round trip, and sending CSRF-protected forms."""

from __future__ import annotations

import json
from base64 import b64encode
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from itsdangerous import TimestampSigner

from app.accounts.models import User
from app.main import SESSION_COOKIE

TEST_CSRF = "test-csrf-token"


def session_cookie(secret_key: str, data: dict[str, Any]) -> str:
    """The same encoding as Starlette's SessionMiddleware, so the app reads it as its own."""
    payload = b64encode(json.dumps(data).encode())
    return TimestampSigner(secret_key).sign(payload).decode()


def sign_in(client: TestClient, user: User | None) -> TestClient:
    """Give the client a session for `user` (None: anonymous, but with a CSRF token)."""
    secret: str = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    data: dict[str, Any] = {"csrf": TEST_CSRF}
    if user is not None:
        data.update(uid=user.id, user={"id": user.id, "name": user.display_name})
    client.cookies.set(SESSION_COOKIE, session_cookie(secret, data), domain="127.0.0.1", path="/")
    return client


def post_form(
    client: TestClient,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    htmx: bool = False,
    **kw: Any,
) -> Response:
    form = dict(data or {})
    form.setdefault("csrf_token", TEST_CSRF)
    headers = dict(kw.pop("headers", {}) or {})
    if htmx:
        headers["HX-Request"] = "true"
    return client.post(url, data=form, headers=headers, follow_redirects=False, **kw)


def api_headers(token: str | None = None) -> dict[str, str]:
    """Headers for a JSON API call: a bearer token, or the session's CSRF token."""
    if token:
        return {"Authorization": f"Bearer {token}"}
    return {"X-CSRF-Token": TEST_CSRF}
