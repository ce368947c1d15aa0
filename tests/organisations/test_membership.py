"""Members and invitations: one owner at least, single-use expiring links, audit of every change."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.audit.models import AuditEvent
from app.config import Settings
from app.errors import Conflict, NotFound
from app.organisations import membership, repository, service
from app.organisations.membership import InvitationGone
from app.organisations.models import MemberRole, Organisation
from tests.factories import add_member, make_invitation, make_organisation, make_user
from tests.support.smtp import SmtpServer, body_text


def actions(db: Session, org: Organisation) -> list[str]:
    stmt = select(AuditEvent.action).where(
        AuditEvent.object_type == "organisation", AuditEvent.object_id == org.id
    )
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def test_invitation_stores_only_the_hash_and_queues_the_mail(
    db: Session, settings: Settings, mailbox: SmtpServer, run_jobs: Callable[[], int]
) -> None:
    owner = make_user(db, name="Olga Owner")
    org = make_organisation(db, owner=owner, name="Voices")
    invitation, link = membership.invite(db, settings, owner, org, "  Ana@Example.ORG ")
    raw = link.rsplit("/", 1)[1]
    assert link == f"{settings.base_url}/invitations/{raw}"
    assert invitation.email == "ana@example.org"
    assert invitation.token_hash == accounts.hash_token(raw)
    assert raw not in invitation.token_hash
    expected = datetime.now(UTC) + timedelta(days=settings.invitation_valid_days)
    assert abs((invitation.expires_at - expected).total_seconds()) < 60
    assert mailbox.messages == []  # nothing leaves until a worker runs the queued job
    assert run_jobs() == 1
    [message] = mailbox.wait_for(1, to="ana@example.org")
    assert "Voices" in message["Subject"]
    body = body_text(message)
    assert link in body
    assert "Olga Owner" in body
    assert actions(db, org)[-1] == "org.invitation_create"


def test_a_rolled_back_invitation_sends_nothing(
    connection: Connection, settings: Settings, run_jobs: Callable[[], int]
) -> None:
    savepoint = connection.begin_nested()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        owner = make_user(session)
        org = make_organisation(session, owner=owner)
        membership.invite(session, settings, owner, org, "x@example.org")
    savepoint.rollback()
    assert run_jobs() == 0


def test_inviting_a_member_is_refused_whatever_the_case(db: Session, settings: Settings) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner)
    add_member(db, org, make_user(db, email="Member@Example.org"))
    with pytest.raises(Conflict, match="already a member"):
        membership.invite(db, settings, owner, org, "member@EXAMPLE.org")


def test_inviting_the_same_address_again_replaces_the_open_invitation(
    db: Session, settings: Settings
) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner)
    first, first_link = membership.invite(db, settings, owner, org, "ana@example.org")
    second, _ = membership.invite(db, settings, owner, org, "ANA@example.org")
    assert first.revoked_at is not None
    assert membership.open_invitations(db, org) == [second]
    with pytest.raises(InvitationGone, match="withdrawn"):
        membership.find_invitation(db, first_link.rsplit("/", 1)[1])


def test_accepting_makes_a_member_and_the_link_works_once(db: Session) -> None:
    org = make_organisation(db, owner=make_user(db))
    invitation, raw = make_invitation(db, org, "ana@example.org")
    ana, eve = make_user(db, email="ANA@example.org"), make_user(db)
    assert membership.accept_invitation(db, ana, raw).id == org.id
    assert service.role_of(db, org, ana) == MemberRole.member
    assert invitation.accepted_by_id == ana.id and invitation.accepted_at is not None
    with pytest.raises(InvitationGone, match="already been used") as exc_info:
        membership.accept_invitation(db, eve, raw)
    assert exc_info.value.status == 410
    assert service.role_of(db, org, eve) is None
    assert "org.invitation_accept" in actions(db, org)


def test_the_link_is_the_credential_not_the_address(db: Session) -> None:
    """Owners may pass the link on by other means; whoever signs in with it joins."""
    org = make_organisation(db, owner=make_user(db))
    _, raw = make_invitation(db, org, "ana@example.org")
    other = make_user(db, email="someone.else@example.org")
    membership.accept_invitation(db, other, raw)
    assert service.role_of(db, org, other) == MemberRole.member


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"expires_at": datetime.now(UTC) - timedelta(seconds=1)}, "expired"),
        ({"revoked_at": datetime.now(UTC)}, "withdrawn"),
        ({"accepted_at": datetime.now(UTC)}, "already been used"),
    ],
)
def test_expired_withdrawn_and_used_links_are_gone(
    db: Session, state: dict[str, Any], message: str
) -> None:
    org = make_organisation(db, owner=make_user(db))
    _, raw = make_invitation(db, org, **state)
    user = make_user(db)
    with pytest.raises(InvitationGone, match=message):
        membership.accept_invitation(db, user, raw)
    assert service.role_of(db, org, user) is None


@pytest.mark.parametrize("raw", ["", "not-a-token", "x" * 500])
def test_unknown_links_are_not_found(db: Session, raw: str) -> None:
    with pytest.raises(NotFound):
        membership.find_invitation(db, raw)


def test_the_claim_is_conditional_so_a_race_cannot_use_a_link_twice(db: Session) -> None:
    org = make_organisation(db)
    invitation, _ = make_invitation(db, org)
    user = make_user(db)
    now = datetime.now(UTC)
    assert repository.claim_invitation(db, invitation.id, user.id, now)
    assert not repository.claim_invitation(db, invitation.id, user.id, now)


def test_accepting_when_already_a_member_is_harmless(db: Session) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner)
    invitation, raw = make_invitation(db, org)
    membership.accept_invitation(db, owner, raw)
    assert service.role_of(db, org, owner) == MemberRole.owner  # not demoted
    assert len(service.list_members(db, org)) == 1
    assert invitation.accepted_at is not None


def test_revoking(db: Session) -> None:
    owner = make_user(db)
    org, other = make_organisation(db, owner=owner), make_organisation(db)
    invitation, _ = make_invitation(db, org)
    foreign, _ = make_invitation(db, other)
    with pytest.raises(NotFound):
        membership.revoke_invitation(db, owner, org, foreign.id)
    membership.revoke_invitation(db, owner, org, invitation.id)
    assert invitation.revoked_at is not None
    assert membership.open_invitations(db, org) == []
    used, _ = make_invitation(db, org, accepted_at=datetime.now(UTC))
    with pytest.raises(Conflict):
        membership.revoke_invitation(db, owner, org, used.id)
    assert actions(db, org) == ["org.invitation_revoke"]


def test_the_last_owner_cannot_leave(db: Session) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner)
    with pytest.raises(Conflict, match="Transfer ownership"):
        membership.leave(db, owner, org)
    assert service.role_of(db, org, owner) == MemberRole.owner


def test_members_and_one_of_several_owners_may_leave(db: Session) -> None:
    owner, co_owner, member = make_user(db), make_user(db), make_user(db)
    org = make_organisation(db, owner=owner)
    add_member(db, org, co_owner, MemberRole.owner)
    add_member(db, org, member)
    membership.leave(db, member, org)
    membership.leave(db, co_owner, org)
    assert [m.user_id for m in service.list_members(db, org)] == [owner.id]
    assert actions(db, org) == ["org.member_leave", "org.member_leave"]
    with pytest.raises(NotFound):
        membership.leave(db, member, org)


def test_removing_members(db: Session) -> None:
    owner, co_owner, member = make_user(db), make_user(db), make_user(db)
    org = make_organisation(db, owner=owner)
    add_member(db, org, co_owner, MemberRole.owner)
    add_member(db, org, member)
    membership.remove_member(db, owner, org, member.id)
    membership.remove_member(db, owner, org, co_owner.id)  # there is still one owner left
    assert [m.user_id for m in service.list_members(db, org)] == [owner.id]
    with pytest.raises(NotFound):
        membership.remove_member(db, owner, org, member.id)
    with pytest.raises(Conflict, match="Transfer ownership"):
        membership.remove_member(db, owner, org, owner.id)  # removing oneself is leaving
    assert actions(db, org) == ["org.member_remove", "org.member_remove"]


def test_handing_over_ownership(db: Session) -> None:
    owner, member, outsider = make_user(db), make_user(db), make_user(db)
    org = make_organisation(db, owner=owner)
    add_member(db, org, member)
    with pytest.raises(NotFound):
        membership.transfer_ownership(db, owner, org, outsider.id)
    with pytest.raises(Conflict):
        membership.transfer_ownership(db, owner, org, owner.id)
    membership.transfer_ownership(db, owner, org, member.id)
    assert service.role_of(db, org, member) == MemberRole.owner
    assert service.role_of(db, org, owner) == MemberRole.member
    assert service.count_owners(db, org) == 1
    [event] = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "org.ownership_transfer")
        .where(AuditEvent.object_id == org.id)
    ).all()
    assert event.before == {"owner": owner.id, "member": member.id}
    assert event.after == {"owner": member.id, "member": owner.id}
    membership.leave(db, owner, org)  # now an ordinary member, free to go


def test_handing_over_to_another_owner_is_refused(db: Session) -> None:
    owner, co_owner = make_user(db), make_user(db)
    org = make_organisation(db, owner=owner)
    add_member(db, org, co_owner, MemberRole.owner)
    with pytest.raises(Conflict):
        membership.transfer_ownership(db, owner, org, co_owner.id)
