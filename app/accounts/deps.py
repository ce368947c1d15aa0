"""Who is asking: the signed-in user from the session cookie, or from an API bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.accounts import repository, service
from app.accounts.models import User
from app.deps import SessionDep
from app.errors import Forbidden, NotAuthenticated
from app.i18n import gettext
from app.security import CSRF_HEADER, SAFE_METHODS, check_csrf_token

SESSION_USER_KEY = "uid"


def load_optional_user(request: Request, session: SessionDep) -> User | None:
    user_id = request.session.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = repository.get_user(session, user_id)
    if user is None:  # deleted since the cookie was issued
        request.session.clear()
    return user


OptionalUser = Annotated[User | None, Depends(load_optional_user)]


def load_current_user(user: OptionalUser) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(load_current_user)]


def load_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise Forbidden(gettext("Only platform administrators can do this."))
    return user


AdminUser = Annotated[User, Depends(load_admin)]


def load_api_user(request: Request, session: SessionDep) -> User:
    """Bearer personal access token, or the session cookie (then unsafe methods need CSRF)."""
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        user = service.authenticate_token(session, credentials.strip())
        if user is None:
            raise NotAuthenticated(gettext("The access token is invalid or revoked."))
        return user
    user = load_optional_user(request, session)
    if user is None:
        raise NotAuthenticated(
            gettext("Send a personal access token as 'Authorization: Bearer <token>'.")
        )
    if request.method not in SAFE_METHODS:
        check_csrf_token(request, request.headers.get(CSRF_HEADER))
    return user


ApiUser = Annotated[User, Depends(load_api_user)]


def load_api_admin(user: ApiUser) -> User:
    if not user.is_admin:
        raise Forbidden(gettext("Only platform administrators can do this."))
    return user


ApiAdmin = Annotated[User, Depends(load_api_admin)]


def load_optional_api_user(request: Request, session: SessionDep) -> User | None:
    if request.headers.get("Authorization") or request.session.get(SESSION_USER_KEY):
        return load_api_user(request, session)
    return None


OptionalApiUser = Annotated[User | None, Depends(load_optional_api_user)]
