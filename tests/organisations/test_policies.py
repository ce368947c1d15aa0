"""The permission functions on their own, for every kind of standing."""

import pytest

from app.accounts.models import User
from app.organisations import policies
from app.organisations.models import MemberRole
from app.organisations.policies import ANONYMOUS, Standing

OWNER = Standing(role=MemberRole.owner)
MEMBER = Standing(role=MemberRole.member)
VERIFIER = Standing(is_verifier=True)
OUTSIDER = Standing()


@pytest.mark.parametrize(
    ("standing", "members", "edit", "manage", "emails", "details"),
    [
        (ANONYMOUS, False, False, False, False, False),
        (OUTSIDER, False, False, False, False, False),
        (MEMBER, True, False, False, False, True),
        (OWNER, True, True, True, True, True),
        (VERIFIER, True, False, False, True, True),
        (Standing(role=MemberRole.member, is_verifier=True), True, False, False, True, True),
    ],
)
def test_permission_matrix(
    standing: Standing, members: bool, edit: bool, manage: bool, emails: bool, details: bool
) -> None:
    assert policies.can_view_profile(standing)
    assert policies.can_view_members(standing) is members
    assert policies.can_edit(standing) is edit
    assert policies.can_manage_members(standing) is manage
    assert policies.can_see_member_emails(standing) is emails
    assert policies.can_view_verification_details(standing) is details


def test_can_verify_needs_admin_or_a_moderator_grant() -> None:
    user = User(issuer="i", subject="s", is_admin=False)
    admin = User(issuer="i", subject="a", is_admin=True)
    assert not policies.can_verify(None, moderates_somewhere=True)
    assert not policies.can_verify(user, moderates_somewhere=False)
    assert policies.can_verify(user, moderates_somewhere=True)
    assert policies.can_verify(admin, moderates_somewhere=False)


def test_last_owner_cannot_leave_but_others_can() -> None:
    assert not policies.can_leave(OWNER, owner_count=1)
    assert policies.can_leave(OWNER, owner_count=2)
    assert policies.can_leave(MEMBER, owner_count=1)
    assert not policies.can_leave(OUTSIDER, owner_count=1)
    assert not policies.can_leave(VERIFIER, owner_count=1)


def test_only_owners_remove_and_never_the_last_owner() -> None:
    assert policies.can_remove_member(OWNER, MemberRole.member, owner_count=1)
    assert not policies.can_remove_member(OWNER, MemberRole.owner, owner_count=1)
    assert policies.can_remove_member(OWNER, MemberRole.owner, owner_count=2)
    assert not policies.can_remove_member(MEMBER, MemberRole.member, owner_count=1)
    assert not policies.can_remove_member(VERIFIER, MemberRole.member, owner_count=1)


def test_ownership_goes_to_a_member_only() -> None:
    assert policies.can_transfer_ownership(OWNER, MemberRole.member)
    assert not policies.can_transfer_ownership(OWNER, MemberRole.owner)
    assert not policies.can_transfer_ownership(OWNER, None)
    assert not policies.can_transfer_ownership(MEMBER, MemberRole.member)
