"""Cross-cutting behaviour: start-up checks, health, security headers, errors, CSRF."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import DEFAULT_SECRET_KEY, ConfigurationError, Settings
from app.db import Database
from app.main import create_app
from tests.factories import make_user
from tests.support.web import post_form, sign_in


@pytest.mark.parametrize("secret", ["", DEFAULT_SECRET_KEY, "short"])
def test_refuses_to_start_with_a_weak_secret_outside_demo(tmp_path: Path, secret: str) -> None:
    settings = Settings(secret_key=secret, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="PLENARY_SECRET_KEY"):
        create_app(settings)


def test_demo_mode_starts_with_the_default_secret(tmp_path: Path) -> None:
    settings = Settings(demo=True, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert create_app(settings).state.settings.demo is True


def test_healthz_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    with TestClient(create_app(settings, database=unreachable)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_security_headers_and_request_id(client: TestClient) -> None:
    response = client.get("/auth/signin", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "does not exist" in response.text
    assert "<main" in response.text


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http_404"


def test_post_without_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = client.post("/auth/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert "expired" in response.text
    assert client.get("/api/v1/me").status_code == 200  # still signed in


def test_post_with_wrong_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = post_form(client, "/auth/logout", {"csrf_token": "forged"})
    assert response.status_code == 403


def test_htmx_error_is_a_toast(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = client.post("/auth/logout", headers={"HX-Request": "true", "X-CSRF-Token": "x"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#toasts"
    assert 'class="toast toast-error"' in response.text


def test_api_state_change_with_cookie_needs_csrf_header(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = client.post("/api/v1/organisations", json={})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"


def test_session_cookie_is_secure_behind_https(settings: Settings, database: Database) -> None:
    settings.base_url = "https://consult.example.org"
    app = create_app(settings, database=database)
    with TestClient(app, base_url="https://consult.example.org") as client:
        response = client.get("/auth/signin")
    cookie = response.headers["set-cookie"].lower()
    assert "plenary_session=" in cookie
    assert "secure" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
