"""Sign-in with OpenID Connect, demo sign-in, sign-out and the user's own settings."""

from __future__ import annotations

import logging
from typing import Annotated

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError

from app import i18n
from app.accounts import oidc, service
from app.accounts.deps import SESSION_USER_KEY, CurrentUser, OptionalUser
from app.accounts.models import User
from app.deps import SessionDep, SettingsDep
from app.errors import NotFound
from app.i18n import gettext as _
from app.security import verify_csrf
from app.templating import render

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(verify_csrf)])
NEXT_KEY = "next"


def safe_next(target: str | None) -> str:
    """Only same-site paths; never '//host' or a full URL (open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def start_session(request: Request, user: User) -> None:
    """A fresh session at sign-in: nothing from before survives, so no fixation, except the
    interface language: the user's own setting, else the one chosen before signing in."""
    chosen_before = request.session.get("locale")
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    request.session["user"] = {"id": user.id, "name": user.display_name, "admin": user.is_admin}
    locale = user.locale or chosen_before
    if locale in i18n.SUPPORTED_LOCALES:
        request.session["locale"] = locale


@router.get("/signin")
def signin_page(
    request: Request, session: SessionDep, settings: SettingsDep, next: str | None = None
) -> Response:
    request.session[NEXT_KEY] = safe_next(next)
    demo = service.demo_users(session) if settings.demo else []
    return render(
        request,
        "accounts/signin.html",
        {"providers": oidc.provider_labels(settings), "demo_users": demo},
    )


@router.get("/login/{provider}")
async def login(request: Request, provider: str, settings: SettingsDep) -> Response:
    client = oidc.get_client(request, provider)
    redirect_uri = f"{settings.base_url}/auth/callback/{provider}"
    try:
        response: Response = await client.authorize_redirect(request, redirect_uri)
    except (*oidc.TRANSPORT_ERRORS, OAuthError, ValueError) as exc:
        log.warning("OIDC provider %s unavailable: %s", provider, exc)
        raise oidc.SignInFailed(
            _(
                "The sign-in provider cannot be reached right now. "
                "Please try again in a few minutes."
            ),
            status=503,
        ) from exc
    return response


@router.get("/callback/{provider}")
async def callback(request: Request, provider: str, session: SessionDep) -> Response:
    client = oidc.get_client(request, provider)
    error = request.query_params.get("error")
    if error:
        message = (
            _("Sign-in was cancelled.")
            if error == "access_denied"
            else _("The sign-in provider refused the request.")
        )
        raise oidc.SignInFailed(message)
    try:
        claims = await oidc.fetch_claims(client, request)
    except MismatchingStateError as exc:
        raise oidc.SignInFailed(
            _("This sign-in link has expired or was not started here. Please sign in again.")
        ) from exc
    except (OAuthError, JoseError) as exc:
        log.warning("OIDC callback from %s refused: %s", provider, exc)
        raise oidc.SignInFailed(_("The sign-in could not be verified. Please try again.")) from exc
    except oidc.TRANSPORT_ERRORS as exc:
        raise oidc.SignInFailed(
            _("The sign-in provider cannot be reached right now. Please try again."), status=503
        ) from exc
    target = safe_next(request.session.get(NEXT_KEY))
    user = service.upsert_user_from_claims(session, claims)
    start_session(request, user)
    return RedirectResponse(target, status_code=303)


@router.post("/demo/{user_id}")
def demo_login(
    request: Request, user_id: int, session: SessionDep, settings: SettingsDep
) -> Response:
    if not settings.demo:
        raise NotFound()
    user = service.get_demo_user(session, user_id)
    target = safe_next(request.session.get(NEXT_KEY))
    start_session(request, user)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    locale = request.session.get("locale")
    request.session.clear()
    if locale in i18n.SUPPORTED_LOCALES:
        request.session["locale"] = locale
    return RedirectResponse("/", status_code=303)


@router.post("/locale")
def choose_locale(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    chosen = locale if locale in i18n.SUPPORTED_LOCALES else None
    request.session["locale"] = chosen
    if user is not None:
        service.set_locale(session, user, chosen)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/me")
def my_account(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    tokens = service.list_tokens(session, user)
    return render(request, "accounts/me.html", {"user": user, "tokens": tokens})


@router.post("/tokens")
def create_token(
    request: Request, user: CurrentUser, session: SessionDep, name: Annotated[str, Form()] = ""
) -> Response:
    _token, raw = service.create_token(session, user, name.strip() or "API token")
    tokens = service.list_tokens(session, user)
    return render(request, "accounts/me.html", {"user": user, "tokens": tokens, "new_token": raw})


@router.post("/tokens/{token_id}/revoke")
def revoke_token(user: CurrentUser, session: SessionDep, token_id: int) -> Response:
    service.revoke_token(session, user, token_id)
    return RedirectResponse("/auth/me", status_code=303)
