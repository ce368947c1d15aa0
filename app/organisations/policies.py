"""Who may do what with an organisation: pure functions of the viewer's standing.

Organisations are global, but moderator roles are granted per process; anyone who moderates
some process (or a platform admin) is a *verifier* and may verify organisations and see their
members. The loader dependencies work out the standing; these functions only decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import User
from app.organisations.models import MemberRole


@dataclass(frozen=True)
class Standing:
    """What one user is to one organisation."""

    role: MemberRole | None = None
    is_verifier: bool = False

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.owner


ANONYMOUS = Standing()


def can_verify(user: User | None, *, moderates_somewhere: bool) -> bool:
    return user is not None and (user.is_admin or moderates_somewhere)


def can_view_profile(standing: Standing) -> bool:
    """The public part of a profile is public, including to anonymous visitors."""
    return True


def can_view_members(standing: Standing) -> bool:
    return standing.is_member or standing.is_verifier


def can_view_verification_details(standing: Standing) -> bool:
    """The rejection reason and the history: the organisation itself and verifiers."""
    return standing.is_member or standing.is_verifier


def can_see_member_emails(standing: Standing) -> bool:
    return standing.is_owner or standing.is_verifier


def can_edit(standing: Standing) -> bool:
    return standing.is_owner


def can_manage_members(standing: Standing) -> bool:
    """Invite, revoke invitations, remove members, hand over ownership."""
    return standing.is_owner


def can_leave(standing: Standing, owner_count: int) -> bool:
    """Anyone may leave except the last owner, who must hand over ownership first."""
    if not standing.is_member:
        return False
    return not (standing.is_owner and owner_count <= 1)


def can_remove_member(standing: Standing, target_role: MemberRole, owner_count: int) -> bool:
    """Owners remove members; an organisation never loses its last owner."""
    if not standing.is_owner:
        return False
    return not (target_role == MemberRole.owner and owner_count <= 1)


def can_transfer_ownership(standing: Standing, target_role: MemberRole | None) -> bool:
    """To another member who is not already an owner."""
    return standing.is_owner and target_role == MemberRole.member
