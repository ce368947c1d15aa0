from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service
from tests.factories import make_user
from tests.support.web import api_headers, sign_in


def test_me_is_401_for_anonymous_with_error_body(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_with_session_cookie(client: TestClient, db: Session) -> None:
    user = make_user(db, name="Amina Diallo")
    sign_in(client, user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["name"] == "Amina Diallo"


def test_me_with_bearer_token_and_revocation(client: TestClient, db: Session) -> None:
    user = make_user(db)
    token, raw = service.create_token(db, user, "script")
    db.flush()
    response = client.get("/api/v1/me", headers=api_headers(raw))
    assert response.status_code == 200
    assert response.json()["id"] == user.id
    service.revoke_token(db, user, token.id)
    db.flush()
    assert client.get("/api/v1/me", headers=api_headers(raw)).status_code == 401


def test_me_rejects_unknown_token(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers=api_headers("pln_not-a-real-token"))
    assert response.status_code == 401
    assert "invalid" in response.json()["error"]["message"]


def test_token_use_is_recorded_at_most_once_a_minute(db: Session) -> None:
    from datetime import timedelta

    user = make_user(db)
    token, raw = service.create_token(db, user, "script")
    assert service.authenticate_token(db, raw) == user
    first = token.last_used_at
    assert first is not None
    assert service.authenticate_token(db, raw) == user
    assert token.last_used_at == first  # a read does not become a write every time
    token.last_used_at = first - timedelta(minutes=2)
    service.authenticate_token(db, raw)
    assert token.last_used_at > first - timedelta(minutes=2)
