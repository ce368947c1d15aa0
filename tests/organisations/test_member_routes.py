"""Members pages: the permission matrix, invitations by link, removing, leaving, handing over."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations.models import ProcessRole
from app.organisations import service
from app.organisations.models import MemberRole, Organisation
from tests.factories import (
    add_member,
    grant,
    make_invitation,
    make_organisation,
    make_process,
    make_user,
)
from tests.support.web import post_form, sign_in


@pytest.fixture
def team(db: Session) -> dict[str, User | Organisation]:
    owner = make_user(db, name="Olga Owner", email="olga@example.org")
    member = make_user(db, name="Mia Member", email="mia@example.org")
    org = make_organisation(db, owner=owner, name="Voices")
    add_member(db, org, member)
    moderator = make_user(db)
    grant(db, moderator, make_process(db), ProcessRole.moderator)
    other_owner = make_user(db)
    make_organisation(db, owner=other_owner)
    return {
        "org": org,
        "owner": owner,
        "member": member,
        "moderator": moderator,
        "outsider": make_user(db),
        "other_owner": other_owner,
    }


def link_in(html: str) -> str:
    match = re.search(r'value="(http://[^"]+/invitations/[^"]+)"', html)
    assert match, "the invitation link is shown on the page"
    return match.group(1)


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 403), ("other_owner", 403), ("member", 200), ("owner", 200), ("moderator", 200)],
)
def test_who_sees_the_members_page(
    client: TestClient, team: dict[str, User | Organisation], who: str, status: int
) -> None:
    org = team["org"]
    sign_in(client, team[who])  # type: ignore[arg-type]
    response = client.get(f"/organisations/{org.id}/members")
    assert response.status_code == status
    if status != 200:
        assert "Mia Member" not in response.text
        return
    text = response.text
    assert "Olga Owner" in text and "Mia Member" in text
    assert ("mia@example.org" in text) is (who in ("owner", "moderator"))
    assert ("Send invitation" in text) is (who == "owner")
    assert ("/remove" in text) is (who == "owner")
    assert (f"/organisations/{org.id}/leave" in text) is (who == "member")
    if who == "owner":
        assert "You are the last owner" in text


def test_members_page_for_anonymous_and_forged_ids(
    client: TestClient, team: dict[str, User | Organisation]
) -> None:
    url = f"/organisations/{team['org'].id}/members"
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith(url)
    sign_in(client, team["owner"])  # type: ignore[arg-type]
    assert client.get("/organisations/987654/members").status_code == 404


def test_owner_invites_and_sees_the_link_without_javascript(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org = team["org"]
    sign_in(client, team["owner"])  # type: ignore[arg-type]
    response = post_form(
        client, f"/organisations/{org.id}/invitations", {"email": "New@Example.org"}
    )
    assert response.status_code == 200
    assert "<html" in response.text
    link = link_in(response.text)
    assert "new@example.org" in response.text
    assert link.startswith("http://127.0.0.1:8000/invitations/")
    again = client.get(f"/organisations/{org.id}/members").text
    assert "new@example.org" in again and link not in again  # the link is shown once


def test_owner_invites_with_htmx_and_gets_the_fragment(
    client: TestClient, team: dict[str, User | Organisation]
) -> None:
    org = team["org"]
    sign_in(client, team["owner"])  # type: ignore[arg-type]
    url = f"/organisations/{org.id}/invitations"
    response = post_form(client, url, {"email": "frag@example.org"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="invitations">')
    link_in(response.text)
    for bad in ("", "not-an-address", "a@" + "b" * 320 + ".org"):
        error = post_form(client, url, {"email": bad}, htmx=True)
        assert error.status_code == 422
        assert 'id="error-email"' in error.text
    member_email = post_form(client, url, {"email": "MIA@example.org"}, htmx=True)
    assert member_email.status_code == 409
    assert "already a member" in member_email.text


@pytest.mark.parametrize("who", ["member", "outsider", "moderator", "other_owner"])
def test_only_owners_invite(
    client: TestClient, team: dict[str, User | Organisation], who: str
) -> None:
    sign_in(client, team[who])  # type: ignore[arg-type]
    url = f"/organisations/{team['org'].id}/invitations"
    assert post_form(client, url, {"email": "x@example.org"}).status_code == 403


def test_anonymous_posts_are_refused(
    client: TestClient, team: dict[str, User | Organisation]
) -> None:
    sign_in(client, None)
    org_id = team["org"].id
    for url in (f"/organisations/{org_id}/invitations", f"/organisations/{org_id}/leave"):
        assert post_form(client, url, {"email": "x@example.org"}).status_code == 401


def test_revoke_an_invitation(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org = team["org"]
    invitation, raw = make_invitation(db, org, "gone@example.org")
    foreign, _ = make_invitation(db, make_organisation(db))
    sign_in(client, team["owner"])  # type: ignore[arg-type]
    forged = post_form(client, f"/organisations/{org.id}/invitations/{foreign.id}/revoke")
    assert forged.status_code == 404
    url = f"/organisations/{org.id}/invitations/{invitation.id}/revoke"
    response = post_form(client, url, htmx=True)
    assert response.status_code == 200
    assert "gone@example.org" not in response.text
    assert post_form(client, url).status_code == 303  # again: nothing left to do
    sign_in(client, make_user(db))
    assert client.get(f"/invitations/{raw}").status_code == 410


def test_remove_a_member(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org, member = team["org"], team["member"]
    url = f"/organisations/{org.id}/members/{member.id}/remove"
    sign_in(client, member)  # type: ignore[arg-type]
    assert post_form(client, url).status_code == 403
    sign_in(client, team["owner"])  # type: ignore[arg-type]
    response = post_form(client, url, htmx=True)
    assert response.status_code == 200 and response.text == ""
    assert service.role_of(db, org, member) is None  # type: ignore[arg-type]
    assert post_form(client, url).status_code == 404
    assert post_form(client, f"/organisations/{org.id}/members/{10**12}/remove").status_code == 404


def test_leaving(client: TestClient, db: Session, team: dict[str, User | Organisation]) -> None:
    org, owner, member = team["org"], team["owner"], team["member"]
    url = f"/organisations/{org.id}/leave"
    sign_in(client, owner)  # type: ignore[arg-type]
    refused = post_form(client, url)
    assert refused.status_code == 409
    assert "Transfer ownership to another member first" in refused.text
    toast = post_form(client, url, htmx=True)
    assert toast.status_code == 409 and toast.headers["HX-Retarget"] == "#toasts"
    sign_in(client, team["outsider"])  # type: ignore[arg-type]
    assert post_form(client, url).status_code == 403
    sign_in(client, member)  # type: ignore[arg-type]
    response = post_form(client, url)
    assert response.status_code == 303 and response.headers["location"] == "/organisations"
    assert service.role_of(db, org, member) is None  # type: ignore[arg-type]


def test_hand_over_ownership(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org, owner, member = team["org"], team["owner"], team["member"]
    url = f"/organisations/{org.id}/transfer"
    sign_in(client, member)  # type: ignore[arg-type]
    assert post_form(client, url, {"user_id": str(owner.id)}).status_code == 403
    sign_in(client, owner)  # type: ignore[arg-type]
    assert post_form(client, url, {"user_id": str(team["outsider"].id)}).status_code == 404
    assert post_form(client, url, {"user_id": "abc"}).status_code == 422
    response = post_form(client, url, {"user_id": str(member.id)})
    assert response.status_code == 303
    assert service.role_of(db, org, member) == MemberRole.owner  # type: ignore[arg-type]
    assert service.role_of(db, org, owner) == MemberRole.member  # type: ignore[arg-type]
    assert post_form(client, f"/organisations/{org.id}/leave").status_code == 303


def test_accepting_an_invitation_end_to_end(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org = team["org"]
    sign_in(client, team["owner"])  # type: ignore[arg-type]
    page = post_form(client, f"/organisations/{org.id}/invitations", {"email": "ana@example.org"})
    path = link_in(page.text).removeprefix("http://127.0.0.1:8000")

    sign_in(client, None)
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/auth/signin?next={path}"

    ana = make_user(db, name="Ana", email="Ana@Example.org")
    sign_in(client, ana)
    page = client.get(path)
    assert page.status_code == 200
    assert "Voices" in page.text and "Join Voices" in page.text
    assert "not with the invited address" not in page.text  # same address, other case
    accepted = post_form(client, path)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/organisations/{org.id}"
    assert service.role_of(db, org, ana) == MemberRole.member  # type: ignore[arg-type]
    used = client.get(path)
    assert used.status_code == 410 and "already been used" in used.text
    assert post_form(client, path).status_code == 410


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ({"expires_at": datetime.now(UTC) - timedelta(minutes=1)}, 410, "expired"),
        ({"revoked_at": datetime.now(UTC)}, 410, "withdrawn"),
        ({"accepted_at": datetime.now(UTC)}, 410, "already been used"),
    ],
)
def test_dead_invitation_links(
    client: TestClient, db: Session, state: dict[str, datetime], status: int, message: str
) -> None:
    _, raw = make_invitation(db, make_organisation(db), **state)
    sign_in(client, make_user(db))
    response = client.get(f"/invitations/{raw}")
    assert response.status_code == status and message in response.text


def test_unknown_invitation_link(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = client.get("/invitations/made-up-token")
    assert response.status_code == 404 and "not valid" in response.text


def test_invitation_for_someone_signed_in_elsewhere_or_already_a_member(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org = team["org"]
    _, raw = make_invitation(db, org, "ana@example.org")
    sign_in(client, make_user(db, email="bob@example.org"))
    assert "not with the invited address" in client.get(f"/invitations/{raw}").text
    sign_in(client, team["member"])  # type: ignore[arg-type]
    assert "already a member" in client.get(f"/invitations/{raw}").text
    assert post_form(client, f"/invitations/{raw}").status_code == 303
    assert service.role_of(db, org, team["member"]) == MemberRole.member  # type: ignore[arg-type]


def test_member_actions_need_the_csrf_token(
    client: TestClient, db: Session, team: dict[str, User | Organisation]
) -> None:
    org, member = team["org"], team["member"]
    sign_in(client, member)  # type: ignore[arg-type]
    response = client.post(f"/organisations/{org.id}/leave", follow_redirects=False)
    assert response.status_code == 403
    assert service.role_of(db, org, member) == MemberRole.member  # type: ignore[arg-type]
