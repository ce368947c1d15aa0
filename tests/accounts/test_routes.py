from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.models import ApiToken, User
from app.config import Settings
from tests.factories import make_user
from tests.support.web import post_form, sign_in


def test_signin_page_without_providers_explains_configuration(client: TestClient) -> None:
    response = client.get("/auth/signin")
    assert response.status_code == 200
    assert "PLENARY_OIDC_PROVIDERS" in response.text
    assert "demo user" not in response.text


def test_demo_sign_in_is_impossible_outside_demo_mode(client: TestClient, db: Session) -> None:
    demo_user = service.create_demo_user(db, "organiser", "Demo Organiser", "o@demo.invalid")
    sign_in(client, None)
    response = post_form(client, f"/auth/demo/{demo_user.id}")
    assert response.status_code == 404
    assert client.get("/api/v1/me").status_code == 401


def test_demo_sign_in_in_demo_mode(client: TestClient, db: Session, settings: Settings) -> None:
    settings.demo = True
    demo_user = service.create_demo_user(db, "organiser", "Demo Organiser", "o@demo.invalid")
    real_user = make_user(db)
    page = client.get("/auth/signin?next=/auth/me")
    assert "Sign in as demo user Demo Organiser" in page.text
    assert real_user.display_name not in page.text
    sign_in(client, None)
    client.get("/auth/signin?next=/auth/me")
    response = post_form(client, f"/auth/demo/{demo_user.id}")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/me"
    assert client.get("/api/v1/me").json()["name"] == "Demo Organiser"
    # Only seeded demo accounts: a real user's id is refused.
    sign_in(client, None)
    assert post_form(client, f"/auth/demo/{real_user.id}").status_code == 404


def test_logout_ends_the_session(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = post_form(client, "/auth/logout")
    assert response.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_account_page_requires_sign_in(client: TestClient) -> None:
    response = client.get("/auth/me", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/signin?next=/auth/me"


def test_create_and_revoke_token_in_the_browser(client: TestClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user)
    response = post_form(client, "/auth/tokens", {"name": "my script"})
    assert response.status_code == 200
    raw = response.text.split('<code class="token">')[1].split("</code>")[0]
    assert raw.startswith("pln_")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token is not None
    assert raw not in (token.token_hash, token.name)
    assert post_form(client, f"/auth/tokens/{token.id}/revoke").status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_cannot_revoke_someone_elses_token(client: TestClient, db: Session) -> None:
    owner = make_user(db)
    token, raw = service.create_token(db, owner, "theirs")
    sign_in(client, make_user(db))
    assert post_form(client, f"/auth/tokens/{token.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_choosing_a_language_is_remembered_for_the_user(client: TestClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user)
    response = post_form(client, "/auth/locale", {"locale": "fr", "next": "/auth/me"})
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/me"
    db.expire_all()
    assert db.get(User, user.id).locale == "fr"  # type: ignore[union-attr]
    assert 'lang="fr"' in client.get("/auth/me").text


def test_unsupported_language_falls_back(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    post_form(client, "/auth/locale", {"locale": "xx", "next": "https://evil.example"})
    page = client.get("/auth/me", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert 'lang="es"' in page.text
