"""Every query of the organisations domain, with its eager loads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, column, exists, func, select, table, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.organisations.models import (
    Invitation,
    MemberRole,
    Membership,
    Organisation,
    Verification,
)

# Moderator roles belong to app.consultations, which imports this domain, so we may not import
# it back. We read its table through this published shape instead (user, role); a test checks it
# against consultations.models.RoleGrant so that a rename there fails here, loudly.
ROLE_GRANTS = table("role_grants", column("user_id"), column("role"))
MODERATOR_ROLE = "moderator"


def get_organisation(session: Session, org_id: int) -> Organisation | None:
    return session.get(Organisation, org_id)


def list_organisations(session: Session, *, limit: int, offset: int) -> list[Organisation]:
    stmt = (
        select(Organisation)
        .order_by(func.lower(Organisation.name), Organisation.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def list_pending_organisations(session: Session) -> list[Organisation]:
    stmt = (
        select(Organisation)
        .where(Organisation.verification == Verification.pending)
        .order_by(Organisation.created_at, Organisation.id)
    )
    return list(session.scalars(stmt))


def get_membership(session: Session, org_id: int, user_id: int) -> Membership | None:
    stmt = select(Membership).where(
        Membership.organisation_id == org_id, Membership.user_id == user_id
    )
    return session.scalar(stmt)


def get_membership_with_user(session: Session, org_id: int, user_id: int) -> Membership | None:
    stmt = (
        select(Membership)
        .options(joinedload(Membership.user))
        .where(Membership.organisation_id == org_id, Membership.user_id == user_id)
    )
    return session.scalar(stmt)


def list_memberships_of_user(session: Session, user_id: int) -> list[Membership]:
    stmt = (
        select(Membership)
        .options(joinedload(Membership.organisation))
        .join(Membership.organisation)
        .where(Membership.user_id == user_id)
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    return list(session.scalars(stmt))


def list_members(session: Session, org_id: int) -> list[Membership]:
    owners_first = case((Membership.role == MemberRole.owner, 0), else_=1)
    stmt = (
        select(Membership)
        .options(joinedload(Membership.user))
        .join(Membership.user)
        .where(Membership.organisation_id == org_id)
        .order_by(owners_first, func.lower(User.name), User.id)
    )
    return list(session.scalars(stmt))


def count_owners(session: Session, org_id: int) -> int:
    stmt = select(func.count(Membership.id)).where(
        Membership.organisation_id == org_id, Membership.role == MemberRole.owner
    )
    return int(session.scalar(stmt) or 0)


def is_member_by_email(session: Session, org_id: int, email: str) -> bool:
    stmt = select(
        exists()
        .where(Membership.organisation_id == org_id, Membership.user_id == User.id)
        .where(func.lower(User.email) == email.lower())
    )
    return bool(session.scalar(stmt))


def get_invitation(session: Session, invitation_id: int) -> Invitation | None:
    return session.get(Invitation, invitation_id)


def get_invitation_by_hash(session: Session, token_hash: str) -> Invitation | None:
    stmt = (
        select(Invitation)
        .options(joinedload(Invitation.organisation))
        .where(Invitation.token_hash == token_hash)
    )
    return session.scalar(stmt)


def list_open_invitations(
    session: Session, org_id: int, now: datetime, email: str | None = None
) -> list[Invitation]:
    """Invitations not yet accepted, revoked or expired; optionally for one address."""
    stmt = select(Invitation).where(
        Invitation.organisation_id == org_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )
    if email is not None:
        stmt = stmt.where(func.lower(Invitation.email) == email.lower())
    return list(session.scalars(stmt.order_by(Invitation.created_at, Invitation.id)))


def claim_invitation(session: Session, invitation_id: int, user_id: int, now: datetime) -> bool:
    """Mark the invitation used, only if it is still open: single use even under a race."""
    stmt = (
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now, accepted_by_id=user_id)
        .execution_options(synchronize_session="fetch")
    )
    result = session.execute(stmt)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def holds_moderator_grant(session: Session, user_id: int) -> bool:
    stmt = select(
        exists().where(ROLE_GRANTS.c.user_id == user_id, ROLE_GRANTS.c.role == MODERATOR_ROLE)
    )
    return bool(session.scalar(stmt))


def audit_trail(
    session: Session, org_id: int, actions: tuple[str, ...]
) -> list[tuple[AuditEvent, User | None]]:
    """The organisation's audit events with these actions, newest first, with their actors."""
    stmt = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.object_type == "organisation",
            AuditEvent.object_id == org_id,
            AuditEvent.action.in_(actions),
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    return [(event, user) for event, user in session.execute(stmt)]
