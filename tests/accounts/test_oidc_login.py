"""The whole sign-in flow against a real OpenID Connect provider (npm oidc-provider)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc.errors import JoseError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import OidcProviderConfig, Settings
from tests.conftest import BASE_URL
from tests.support.oidc_provider import (
    DEFAULT_CLIENTS,
    OidcClient,
    OidcProvider,
    login_through_provider,
    make_pkce_pair,
)

CLIENT = OidcClient("plenary", "plenary-secret", (f"{BASE_URL}/auth/callback/test",))
OTHER = DEFAULT_CLIENTS[1]


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcProvider]:
    with OidcProvider(clients=[CLIENT, OTHER]) as provider:
        yield provider


@pytest.fixture
def settings(settings: Settings, idp: OidcProvider) -> Settings:
    settings.oidc_providers = {
        "test": OidcProviderConfig(
            discovery_url=idp.discovery_url,
            client_id=CLIENT.client_id,
            client_secret=CLIENT.client_secret,
            label="Test identity provider",
        )
    }
    return settings


def _start(client: TestClient, next_path: str = "/auth/me") -> str:
    page = client.get(f"/auth/signin?next={next_path}")
    assert page.status_code == 200
    assert 'href="/auth/login/test"' in page.text
    assert "Test identity provider" in page.text
    response = client.get("/auth/login/test", follow_redirects=False)
    assert response.status_code == 302
    location = response.headers["location"]
    params = parse_qs(urlsplit(location).query)
    assert params["code_challenge_method"] == ["S256"]
    assert params["nonce"] and params["state"]
    return location


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    return f"{parts.path}?{parts.query}"


def test_sign_in_creates_the_user_and_returns_to_next(
    client: TestClient, db: Session, idp: OidcProvider
) -> None:
    authorize = _start(client, "/auth/me")
    callback = login_through_provider(authorize, "alice@example.org", "alice-password")
    response = client.get(_callback_path(callback), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/me"
    cookie = response.headers["set-cookie"]
    assert "plenary_session=" in cookie and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()

    me = client.get("/api/v1/me").json()
    assert me["email"] == "alice@example.org"
    assert me["name"] == "Alice Example"
    user = db.get(User, me["id"])
    assert user is not None
    assert (user.issuer, user.subject) == (idp.issuer, "alice")

    # Signing in again finds the same user, keyed by (issuer, subject).
    client.post("/auth/logout", headers={"X-CSRF-Token": _csrf(client)})
    assert client.get("/api/v1/me").status_code == 401
    callback = login_through_provider(_start(client), "alice@example.org", "alice-password")
    client.get(_callback_path(callback), follow_redirects=False)
    assert client.get("/api/v1/me").json()["id"] == me["id"]


def _csrf(client: TestClient) -> str:
    page = client.get("/auth/me")
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def test_unverified_email_is_not_kept(client: TestClient) -> None:
    callback = login_through_provider(_start(client), "carol@example.org", "carol-password")
    client.get(_callback_path(callback), follow_redirects=False)
    me = client.get("/api/v1/me").json()
    assert me["name"] == "Carol Unverified"
    assert me["email"] is None


def test_wrong_state_is_refused(client: TestClient) -> None:
    callback = login_through_provider(_start(client), "alice@example.org", "alice-password")
    tampered = callback.replace("state=", "state=forged")
    response = client.get(_callback_path(tampered), follow_redirects=False)
    assert response.status_code == 400
    assert "expired or was not started here" in response.text
    assert client.get("/api/v1/me").status_code == 401


def test_callback_without_a_started_sign_in_is_refused(client: TestClient) -> None:
    response = client.get("/auth/callback/test?code=abc&state=xyz", follow_redirects=False)
    assert response.status_code == 400


def test_user_cancels_at_the_provider(client: TestClient) -> None:
    callback = login_through_provider(
        _start(client), "alice@example.org", "alice-password", cancel=True
    )
    assert "error=access_denied" in callback
    response = client.get(_callback_path(callback), follow_redirects=False)
    assert response.status_code == 400
    assert "Sign-in was cancelled" in response.text
    assert client.get("/api/v1/me").status_code == 401


def test_code_issued_to_another_client_is_refused(client: TestClient, idp: OidcProvider) -> None:
    ours = parse_qs(urlsplit(_start(client)).query)
    _verifier, challenge = make_pkce_pair()
    foreign = idp.authorization_url(
        OTHER.client_id, state=ours["state"][0], nonce=ours["nonce"][0], code_challenge=challenge
    )
    redirect = login_through_provider(foreign, "alice@example.org", "alice-password")
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    response = client.get(
        f"/auth/callback/test?code={code}&state={ours['state'][0]}", follow_redirects=False
    )
    assert response.status_code == 400
    assert "could not be verified" in response.text
    assert client.get("/api/v1/me").status_code == 401


def test_id_token_for_another_client_fails_validation(app: FastAPI, idp: OidcProvider) -> None:
    foreign = idp.obtain_tokens(OTHER.client_id, "alice@example.org", "alice-password", nonce="n1")
    ours = app.state.oauth.create_client("test")
    with pytest.raises(JoseError, match=r"aud|azp"):
        asyncio.run(ours.parse_id_token(foreign, nonce="n1"))


def test_provider_down_gives_a_clear_503(client: TestClient, app: FastAPI) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    from app.accounts import oidc

    settings: Settings = app.state.settings
    settings.oidc_providers["down"] = OidcProviderConfig(
        discovery_url=f"http://127.0.0.1:{dead_port}/.well-known/openid-configuration",
        client_id="x",
        client_secret="y",
    )
    app.state.oauth = oidc.build_oauth(settings)
    response = client.get("/auth/login/down", follow_redirects=False)
    assert response.status_code == 503
    assert "cannot be reached" in response.text


def test_unknown_provider_is_404(client: TestClient) -> None:
    assert client.get("/auth/login/nope", follow_redirects=False).status_code == 404
    assert client.get("/auth/callback/nope?code=x&state=y").status_code == 404


def test_open_redirect_in_next_is_neutralised(client: TestClient) -> None:
    authorize = _start(client, "//evil.example/steal")
    callback = login_through_provider(authorize, "bob@example.org", "bob-password")
    response = client.get(_callback_path(callback), follow_redirects=False)
    assert response.headers["location"] == "/"
