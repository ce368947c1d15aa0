"""OpenID Connect clients (Authlib), one per configured provider; all of them are just settings."""

from __future__ import annotations

from typing import Any

import httpx2
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import Request

from app.config import Settings
from app.errors import AppError, NotFound
from app.i18n import gettext as _

# Authlib talks to providers through httpx2; these are its network failures.
TRANSPORT_ERRORS = (httpx2.HTTPError, OSError)


class SignInFailed(AppError):
    status = 400
    code = "sign_in_failed"


def build_oauth(settings: Settings) -> OAuth:
    oauth = OAuth()
    for name, provider in settings.oidc_providers.items():
        oauth.register(
            name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )
    return oauth


def provider_labels(settings: Settings) -> list[tuple[str, str]]:
    return [(name, p.label or name.title()) for name, p in settings.oidc_providers.items()]


def get_client(request: Request, name: str) -> StarletteOAuth2App:
    settings: Settings = request.app.state.settings
    if name not in settings.oidc_providers:
        raise NotFound(_("There is no such sign-in provider."))
    oauth: OAuth = request.app.state.oauth
    client: StarletteOAuth2App = oauth.create_client(name)
    return client


async def fetch_claims(client: StarletteOAuth2App, request: Request) -> dict[str, Any]:
    """Exchange the code (state, PKCE and nonce checked by Authlib) and return verified claims."""
    token = await client.authorize_access_token(request)
    claims = dict(token.get("userinfo") or {})
    if not claims:
        raise SignInFailed(_("The identity provider sent no ID token."))
    if "email" not in claims or "name" not in claims:
        extra = await client.userinfo(token=token)
        if extra.get("sub") == claims.get("sub"):
            for key in ("email", "email_verified", "name"):
                claims.setdefault(key, extra.get(key))
    return claims
