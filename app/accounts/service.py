"""Users, sign-in and personal access tokens. Services flush; the request or command commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts import repository
from app.accounts.models import ApiToken, User
from app.db import utcnow
from app.errors import AppError, NotFound
from app.i18n import gettext as _

DEMO_ISSUER = "urn:plenary:demo"
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
TOKEN_PREFIX = "pln_"  # noqa: S105 - a public prefix, not a secret


def upsert_user_from_claims(session: Session, claims: Mapping[str, Any]) -> User:
    """Find or create the user for an OpenID Connect identity; keep only verified e-mail."""
    issuer = str(claims.get("iss") or "")
    subject = str(claims.get("sub") or "")
    if not issuer or not subject:
        raise AppError(_("The identity provider did not say who you are."), status=400)
    user = repository.get_user_by_identity(session, issuer, subject)
    if user is None:
        user = User(issuer=issuer, subject=subject)
        session.add(user)
    name = str(claims.get("name") or "").strip()
    if name:
        user.name = name[:200]
    email = claims.get("email")
    if email and claims.get("email_verified") is True:
        user.email = str(email)[:320]
    user.last_login_at = utcnow()
    session.flush()
    return user


def create_demo_user(
    session: Session, key: str, name: str, email: str, *, admin: bool = False
) -> User:
    user = repository.get_user_by_identity(session, DEMO_ISSUER, key)
    if user is None:
        user = User(issuer=DEMO_ISSUER, subject=key, name=name, email=email, is_admin=admin)
        session.add(user)
        session.flush()
    return user


def demo_users(session: Session) -> list[User]:
    return repository.list_users_by_issuer(session, DEMO_ISSUER)


def get_demo_user(session: Session, user_id: int) -> User:
    user = repository.get_user(session, user_id)
    if user is None or user.issuer != DEMO_ISSUER:
        raise NotFound(_("There is no such demo user."))
    user.last_login_at = utcnow()
    return user


def user_by_email(session: Session, email: str) -> User:
    users = repository.find_users_by_email(session, email)
    if not users:
        raise NotFound(
            _("No user with the e-mail address %(email)s has signed in yet.") % {"email": email}
        )
    if len(users) > 1:
        raise AppError(
            _("Several users have the e-mail address %(email)s; resolve by id.") % {"email": email},
            status=409,
        )
    return users[0]


def set_admin(session: Session, actor: User | None, user: User, admin: bool) -> None:
    before = {"is_admin": user.is_admin}
    user.is_admin = admin
    session.flush()
    audit.record(session, actor, "user.admin", "user", user.id, before, {"is_admin": admin})


def set_locale(session: Session, user: User, locale: str | None) -> None:
    user.locale = locale
    session.flush()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Returns the stored token and the raw secret, which is shown once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=hash_token(raw))
    session.add(token)
    session.flush()
    audit.record(session, user, "token.create", "api_token", token.id, None, {"name": token.name})
    return token, raw


def authenticate_token(session: Session, raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = repository.get_active_token(session, hash_token(raw))
    if token is None:
        return None
    now = utcnow()
    # Write "last used" at most once a minute: a script paging the API should not turn every
    # read into a write.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return token.user


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return repository.list_tokens(session, user.id)


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = repository.get_token(session, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(session, user, "token.revoke", "api_token", token.id)
