"""Organisation profiles, verification and the queries other domains use. Flushes, never commits.

Members and invitations live in app.organisations.membership.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.db import utcnow
from app.errors import NotFound
from app.i18n import gettext as _
from app.organisations import policies, repository
from app.organisations.models import (
    MemberRole,
    Membership,
    Organisation,
    Verification,
)
from app.organisations.policies import Standing
from app.organisations.schemas import (
    OrganisationCreate,
    OrganisationUpdate,
    VerificationDecision,
)

PROFILE_FIELDS = (
    "name",
    "acronym",
    "type",
    "country",
    "website",
    "description",
    "ecosoc_status",
)
# Changing these makes a verified organisation a different one: it is verified again.
IDENTITY_FIELDS = frozenset({"name", "country"})
HISTORY_ACTIONS = ("org.verify", "org.verification_reset")
PAGE_MAX = 200
MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer are forged; do not send them to the database


def valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def _snapshot(org: Organisation, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {field: str(getattr(org, field)) for field in fields}


def _verification_state(org: Organisation) -> dict[str, Any]:
    return {"verification": str(org.verification), "reason": org.verification_reason}


# --- reading -------------------------------------------------------------------------------


def get_organisation(session: Session, org_id: int) -> Organisation:
    org = repository.get_organisation(session, org_id) if valid_id(org_id) else None
    if org is None:
        raise NotFound(_("There is no such organisation."))
    return org


def list_organisations(session: Session, limit: int = 50, offset: int = 0) -> list[Organisation]:
    limit = max(1, min(limit, PAGE_MAX))
    return repository.list_organisations(session, limit=limit, offset=max(0, offset))


def memberships_of(session: Session, user: User) -> list[Membership]:
    """The user's memberships, each with its organisation loaded."""
    return repository.list_memberships_of_user(session, user.id)


def organisations_of(session: Session, user: User) -> list[Organisation]:
    return [membership.organisation for membership in memberships_of(session, user)]


def role_of(session: Session, org: Organisation, user: User | None) -> MemberRole | None:
    if user is None:
        return None
    membership = repository.get_membership(session, org.id, user.id)
    return membership.role if membership else None


def is_verifier(session: Session, user: User | None) -> bool:
    """A platform admin, or a moderator of any process."""
    if user is None:
        return False
    if user.is_admin:
        return True
    return policies.can_verify(
        user, moderates_somewhere=repository.holds_moderator_grant(session, user.id)
    )


def standing(session: Session, org: Organisation, user: User | None) -> Standing:
    if user is None:
        return policies.ANONYMOUS
    return Standing(role=role_of(session, org, user), is_verifier=is_verifier(session, user))


def list_members(session: Session, org: Organisation) -> list[Membership]:
    """Owners first, then by name; each with its user loaded."""
    return repository.list_members(session, org.id)


def count_owners(session: Session, org: Organisation) -> int:
    return repository.count_owners(session, org.id)


def pending_verification(session: Session) -> list[Organisation]:
    return repository.list_pending_organisations(session)


# --- profiles ------------------------------------------------------------------------------


def create_organisation(session: Session, actor: User, data: OrganisationCreate) -> Organisation:
    """The creator becomes its owner; every new organisation waits for verification."""
    org = Organisation(**data.model_dump(), verification=Verification.pending)
    session.add(org)
    session.flush()
    session.add(Membership(organisation_id=org.id, user_id=actor.id, role=MemberRole.owner))
    session.flush()
    audit.record(
        session, actor, "org.create", "organisation", org.id, None, _snapshot(org, PROFILE_FIELDS)
    )
    return org


def update_organisation(
    session: Session, actor: User, org: Organisation, data: OrganisationUpdate
) -> Organisation:
    """Change the fields given. A rejected organisation goes back to the verification queue,
    and so does a verified one whose name or country changes."""
    changes = {
        field: value
        for field, value in data.model_dump(exclude_unset=True).items()
        if getattr(org, field) != value
    }
    if not changes:
        return org
    before = _snapshot(org, list(changes))
    for field, value in changes.items():
        setattr(org, field, value)
    session.flush()
    audit.record(
        session, actor, "org.update", "organisation", org.id, before, _snapshot(org, list(changes))
    )
    resubmitted = org.verification == Verification.rejected
    renamed = org.verification == Verification.verified and IDENTITY_FIELDS & changes.keys()
    if resubmitted or renamed:
        before_state = _verification_state(org)
        org.verification = Verification.pending
        org.verification_reason = ""
        org.verified_at = None
        session.flush()
        audit.record(
            session,
            actor,
            "org.verification_reset",
            "organisation",
            org.id,
            before_state,
            _verification_state(org) | {"changed": sorted(changes)},
        )
    return org


# --- verification --------------------------------------------------------------------------


def decide_verification(
    session: Session, actor: User, org: Organisation, decision: VerificationDecision
) -> Organisation:
    """Verify or reject (with a reason); the caller has checked the actor is a verifier."""
    before = _verification_state(org)
    org.verification = Verification(decision.status)
    org.verification_reason = decision.reason
    org.verified_at = utcnow() if decision.status == Verification.verified else None
    session.flush()
    audit.record(
        session, actor, "org.verify", "organisation", org.id, before, _verification_state(org)
    )
    return org


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    actor: str
    before: str
    after: str
    reason: str


def verification_history(session: Session, org: Organisation) -> list[HistoryEntry]:
    """Newest first, from the audit log."""
    entries = []
    for event, user in repository.audit_trail(session, org.id, HISTORY_ACTIONS):
        before, after = event.before or {}, event.after or {}
        entries.append(
            HistoryEntry(
                at=event.created_at,
                action=event.action,
                actor=user.display_name if user else "",
                before=str(before.get("verification", "")),
                after=str(after.get("verification", "")),
                reason=str(after.get("reason", "")),
            )
        )
    return entries
