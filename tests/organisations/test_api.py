"""The JSON API: the permission matrix, error bodies and 422 field messages."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.consultations.models import ProcessRole
from app.organisations import service
from app.organisations.models import MemberRole, Organisation, Verification
from tests.factories import (
    add_member,
    grant,
    make_invitation,
    make_organisation,
    make_process,
    make_user,
)
from tests.support.web import api_headers, sign_in

API = "/api/v1/organisations"
BODY = {"name": "Migrant Voices", "type": "diaspora", "country": "ke"}


def token(db: Session, user: User) -> dict[str, str]:
    _, raw = accounts.create_token(db, user)
    return api_headers(raw)


@pytest.fixture
def team(db: Session) -> dict[str, User | Organisation]:
    owner = make_user(db, email="olga@example.org")
    member = make_user(db, email="mia@example.org")
    org = make_organisation(
        db,
        owner=owner,
        name="Voices",
        verification=Verification.rejected,
        verification_reason="Add a website",
    )
    add_member(db, org, member)
    moderator, organiser = make_user(db), make_user(db)
    process = make_process(db)
    grant(db, moderator, process, ProcessRole.moderator)
    grant(db, organiser, process, ProcessRole.organiser)
    return {
        "org": org,
        "owner": owner,
        "member": member,
        "moderator": moderator,
        "organiser": organiser,
        "admin": make_user(db, is_admin=True),
        "outsider": make_user(db),
    }


def as_(db: Session, team: dict[str, User | Organisation], who: str) -> dict[str, str]:
    return token(db, team[who])  # type: ignore[arg-type]


def test_public_directory_and_my_organisations(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    listed = client.get(API, params={"limit": 200})
    assert listed.status_code == 200
    voices = next(o for o in listed.json() if o["name"] == "Voices")
    assert set(voices) == {"id", "name", "acronym", "type", "country", "verification"}
    assert client.get(API, params={"mine": 1}).status_code == 401
    mine = client.get(API, params={"mine": 1}, headers=as_(db, team, "member"))
    assert [o["name"] for o in mine.json()] == ["Voices"]
    bad = client.get(API, params={"limit": 0})
    assert bad.status_code == 422 and "limit" in bad.json()["error"]["fields"]


def test_create(client: TestClient, db: Session) -> None:
    user = make_user(db)
    assert client.post(API, json=BODY).status_code == 401
    response = client.post(API, json=BODY, headers=token(db, user))
    assert response.status_code == 201
    body = response.json()
    assert body["country"] == "KE" and body["verification"] == "pending"
    assert body["my_role"] == "owner" and body["ecosoc_status"] == "none"
    org = service.get_organisation(db, body["id"])
    assert service.role_of(db, org, user) == MemberRole.owner


def test_session_callers_need_the_csrf_header(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    refused = client.post(API, json=BODY)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    assert client.post(API, json=BODY, headers=api_headers()).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"country": "XX"}, "country"),
        ({"country": 12}, "country"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "www.example.org"}, "website"),
        ({"type": "club"}, "type"),
        ({"acronym": "A" * 31}, "acronym"),
        ({"description": "d" * 5001}, "description"),
        ({"verification": "verified"}, "verification"),
    ],
)
def test_create_refuses_bad_input_with_field_messages(
    client: TestClient, db: Session, changes: dict[str, object], field: str
) -> None:
    response = client.post(API, json=BODY | changes, headers=token(db, make_user(db)))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"] and error["fields"][field]


def test_body_that_is_not_an_object(client: TestClient, db: Session) -> None:
    response = client.post(API, json=["x"], headers=token(db, make_user(db)))
    assert response.status_code == 422 and response.json()["error"]["fields"]


@pytest.mark.parametrize(("who", "reason"), [(None, False), ("outsider", False), ("member", True)])
def test_read_one(
    client: TestClient,
    db: Session,
    team: dict[str, User | Organisation],
    who: str | None,
    reason: bool,
) -> None:
    headers = as_(db, team, who) if who else {}
    body = client.get(f"{API}/{team['org'].id}", headers=headers).json()
    assert body["name"] == "Voices" and body["verification"] == "rejected"
    assert (body["verification_reason"] == "Add a website") is reason


@pytest.mark.parametrize("path", ["/424242", "/abc", "/0", "/" + "9" * 25])
def test_forged_ids_are_404_with_an_error_body(client: TestClient, path: str) -> None:
    response = client.get(API + path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] in ("not_found", "http_404")


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("outsider", 403), ("member", 403), ("moderator", 403), ("owner", 200)],
)
def test_patch_is_for_owners(
    client: TestClient,
    db: Session,
    team: dict[str, User | Organisation],
    who: str | None,
    status: int,
) -> None:
    org = team["org"]
    headers = as_(db, team, who) if who else {}
    response = client.patch(f"{API}/{org.id}", json={"acronym": "VX"}, headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.json()["acronym"] == "VX"
        assert response.json()["name"] == "Voices"  # untouched
        assert response.json()["verification"] == "pending"  # back in the queue
    else:
        assert response.json()["error"]["message"]


def test_patch_refuses_null_and_bad_values(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    url, headers = f"{API}/{team['org'].id}", as_(db, team, "owner")
    response = client.patch(url, json={"name": None, "website": "ftp://x"}, headers=headers)
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"name", "website"}


@pytest.mark.parametrize(
    ("who", "status", "emails"),
    [
        ("outsider", 403, False),
        ("member", 200, False),
        ("owner", 200, True),
        ("moderator", 200, True),
        ("organiser", 403, False),
    ],
)
def test_members_list(
    client: TestClient,
    db: Session,
    team: dict[str, User | Organisation],
    who: str,
    status: int,
    emails: bool,
) -> None:
    url = f"{API}/{team['org'].id}/members"
    assert client.get(url).status_code == 401
    response = client.get(url, headers=as_(db, team, who))
    assert response.status_code == status
    if status == 200:
        members = response.json()
        assert [m["role"] for m in members] == ["owner", "member"]
        assert (members[1]["email"] == "mia@example.org") is emails


def test_invitations(client: TestClient, db: Session, team: dict[str, User | Organisation]) -> None:
    url = f"{API}/{team['org'].id}/invitations"
    assert (
        client.post(
            url, json={"email": "a@example.org"}, headers=as_(db, team, "member")
        ).status_code
        == 403
    )
    owner = as_(db, team, "owner")
    created = client.post(url, json={"email": "Ana@Example.org"}, headers=owner)
    assert created.status_code == 201
    body = created.json()
    assert body["email"] == "ana@example.org"
    assert body["link"].startswith("http://127.0.0.1:8000/invitations/")
    bad = client.post(url, json={"email": "nope"}, headers=owner)
    assert bad.status_code == 422 and "email" in bad.json()["error"]["fields"]
    taken = client.post(url, json={"email": "MIA@example.org"}, headers=owner)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "conflict"
    listed = client.get(url, headers=owner).json()
    assert [i["email"] for i in listed] == ["ana@example.org"] and "link" not in listed[0]
    assert client.delete(f"{url}/{body['id']}", headers=owner).status_code == 204
    assert client.get(url, headers=owner).json() == []
    assert client.delete(f"{url}/999999", headers=owner).status_code == 404

    raw = body["link"].rsplit("/", 1)[1]
    gone = client.post(f"/api/v1/invitations/{raw}/accept", headers=as_(db, team, "outsider"))
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "invitation_gone"


def test_accept_by_api(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    _, raw = make_invitation(db, team["org"])  # type: ignore[arg-type]
    url = f"/api/v1/invitations/{raw}/accept"
    assert client.post(url).status_code == 401
    headers = as_(db, team, "outsider")
    accepted = client.post(url, headers=headers)
    assert accepted.status_code == 200 and accepted.json()["my_role"] == "member"
    assert client.post(url, headers=headers).status_code == 410
    assert client.post("/api/v1/invitations/unknown/accept", headers=headers).status_code == 404


def test_removing_and_leaving(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org, owner, member = team["org"], team["owner"], team["member"]
    base = f"{API}/{org.id}/members"
    other = make_user(db)
    add_member(db, org, other)  # type: ignore[arg-type]
    member_headers = as_(db, team, "member")
    refused = client.delete(f"{base}/{other.id}", headers=member_headers)
    assert refused.status_code == 403
    assert client.delete(f"{base}/{owner.id}", headers=as_(db, team, "outsider")).status_code == 403
    assert client.delete(f"{base}/{member.id}", headers=member_headers).status_code == 204
    owner_headers = as_(db, team, "owner")
    assert client.delete(f"{base}/{other.id}", headers=owner_headers).status_code == 204
    last = client.delete(f"{base}/{owner.id}", headers=owner_headers)
    assert last.status_code == 409 and "Transfer ownership" in last.json()["error"]["message"]
    assert client.delete(f"{base}/{other.id}", headers=owner_headers).status_code == 404


def test_ownership_transfer(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org, member = team["org"], team["member"]
    url = f"{API}/{org.id}/ownership"
    body = {"user_id": member.id}
    assert client.post(url, json=body, headers=as_(db, team, "member")).status_code == 403
    assert (
        client.post(url, json={"user_id": "x"}, headers=as_(db, team, "owner")).status_code == 422
    )
    response = client.post(url, json=body, headers=as_(db, team, "owner"))
    assert response.status_code == 200
    roles = {m["user_id"]: m["role"] for m in response.json()}
    assert roles == {member.id: "owner", team["owner"].id: "member"}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 403),
        ("member", 403),
        ("outsider", 403),
        ("organiser", 403),
        ("moderator", 200),
        ("admin", 200),
    ],
)
def test_verification_permission_matrix(
    client: TestClient, db: Session, team: dict[str, User | Organisation], who: str, status: int
) -> None:
    url = f"{API}/{team['org'].id}/verification"
    assert client.post(url, json={"status": "verified"}).status_code == 401
    response = client.post(url, json={"status": "verified"}, headers=as_(db, team, who))
    assert response.status_code == status
    if status == 200:
        assert response.json()["verification"] == "verified"
        assert response.json()["verification_reason"] == ""


def test_verification_input_and_history(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    url = f"{API}/{team['org'].id}/verification"
    headers = as_(db, team, "moderator")
    no_reason = client.post(url, json={"status": "rejected"}, headers=headers)
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    bad = client.post(url, json={"status": "pending", "reason": "x" * 2001}, headers=headers)
    assert set(bad.json()["error"]["fields"]) >= {"status", "reason"}
    ok = client.post(url, json={"status": "rejected", "reason": "Unknown"}, headers=headers)
    assert ok.status_code == 200
    history = client.get(url, headers=as_(db, team, "member"))
    assert history.status_code == 200
    assert history.json()[0]["after"] == "rejected" and history.json()[0]["reason"] == "Unknown"
    assert client.get(url, headers=as_(db, team, "outsider")).status_code == 403
