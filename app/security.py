"""CSRF tokens, request ids and security headers: cross-cutting, no domain knowledge."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import AppError
from app.i18n import gettext

CSRF_SESSION_KEY = "csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

request_id: ContextVar[str] = ContextVar("request_id", default="")


class CsrfError(AppError):
    status = 403
    code = "csrf"

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "Your form has expired or was not sent from this site. "
                "Reload the page and try again."
            )
        )


_rendering_request: ContextVar[Request | None] = ContextVar("rendering_request", default=None)


def csrf_token(request: Request | None = None) -> str:
    """The session's CSRF token; templates may omit `request` (render() provides it)."""
    request = request or _rendering_request.get()
    if request is None:
        raise RuntimeError("csrf_token() called outside a request")
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


CSRF_IN_BODY = "plenary_checks_csrf_in_body"

EndpointT = TypeVar("EndpointT", bound=Callable[..., Any])


def checks_csrf_in_body(endpoint: EndpointT) -> EndpointT:
    """Mark an endpoint that streams its multipart body and checks the csrf_token field itself
    (with `check_csrf_token`, before it reads the file); `verify_csrf` then leaves the body
    unread, as `request.form()` would spool the whole upload before the endpoint runs."""
    setattr(endpoint, CSRF_IN_BODY, True)
    return endpoint


async def verify_csrf(request: Request) -> None:
    """Router dependency: state-changing requests must echo the session's CSRF token.

    The header (set by htmx on <body>) is checked first, so large uploads are not parsed here.
    """
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data") and getattr(
            request.scope.get("endpoint"), CSRF_IN_BODY, False
        ):
            return
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    check_csrf_token(request, sent)


def check_csrf_token(request: Request, sent: str | None) -> None:
    """CsrfError unless `sent` is the session's CSRF token."""
    expected = request.session.get(CSRF_SESSION_KEY)
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise CsrfError()


def set_rendering_request(request: Request) -> None:
    _rendering_request.set(request)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Adds a request id (for the audit log and logs) and strict security headers to responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming[:40] if incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id.set(rid)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {
                    b"x-request-id": rid.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                    b"content-security-policy": CONTENT_SECURITY_POLICY.encode(),
                }
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            request_id.reset(token)
