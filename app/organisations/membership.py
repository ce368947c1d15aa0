"""Members and invitations. The loader dependencies have checked who the actor is; this module
keeps the rules that hold whoever acts: one owner at least, single-use expiring invitations.

Ownership is *handed over*: the new owner is promoted and the old one becomes a member. The
rules also hold when an organisation has several owners (the data model allows it).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from app import audit, i18n, mail
from app.accounts import service as accounts
from app.accounts.models import User
from app.config import Settings
from app.db import utcnow
from app.errors import AppError, Conflict, NotFound
from app.formatting import local_datetime
from app.i18n import gettext as _
from app.organisations import policies, repository
from app.organisations.models import Invitation, MemberRole, Membership, Organisation
from app.organisations.policies import Standing
from app.organisations.service import valid_id

INVITATION_PATH = "/invitations/"


class InvitationGone(AppError):
    """A link that existed but can no longer be used: accepted, withdrawn or expired."""

    status = 410
    code = "invitation_gone"


def invitation_link(settings: Settings, raw: str) -> str:
    return f"{settings.base_url}{INVITATION_PATH}{raw}"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _record(
    session: Session, actor: User | None, action: str, org: Organisation, **after: object
) -> None:
    audit.record(session, actor, action, "organisation", org.id, None, dict(after))


# --- invitations ---------------------------------------------------------------------------


def invite(
    session: Session, settings: Settings, actor: User, org: Organisation, email: str
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link after commit; returns it with the link.

    Only the token's SHA-256 is stored, so the link is shown now or never. Inviting the same
    address again withdraws the earlier open invitation (the owner may have lost that link).
    """
    email = normalise_email(email)
    if repository.is_member_by_email(session, org.id, email):
        raise Conflict(
            _("%(email)s is already a member of %(organisation)s.")
            % {"email": email, "organisation": org.name}
        )
    now = utcnow()
    for earlier in repository.list_open_invitations(session, org.id, now, email=email):
        earlier.revoked_at = now
        _record(
            session,
            actor,
            "org.invitation_revoke",
            org,
            invitation_id=earlier.id,
            email=email,
            replaced=True,
        )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=org.id,
        email=email,
        token_hash=accounts.hash_token(raw),
        invited_by_id=actor.id,
        expires_at=now + timedelta(days=settings.invitation_valid_days),
    )
    session.add(invitation)
    session.flush()
    _record(
        session, actor, "org.invitation_create", org,
        invitation_id=invitation.id, email=email, expires_at=invitation.expires_at.isoformat(),
    )  # fmt: skip
    link = invitation_link(settings, raw)
    _send_invitation(session, settings, actor, org, invitation, link)
    return invitation, link


def _send_invitation(
    session: Session,
    settings: Settings,
    actor: User,
    org: Organisation,
    invitation: Invitation,
    link: str,
) -> None:
    values = {
        "inviter": actor.display_name,
        "organisation": org.name,
        "link": link,
        "expires": local_datetime(invitation.expires_at, "UTC"),
    }
    subject = i18n.gettext("Invitation to join %(organisation)s on Plenary") % values
    body = (
        i18n.gettext(
            "%(inviter)s invites you to join %(organisation)s on Plenary.\n\n"
            "Open this link to accept. It works once, until %(expires)s:\n%(link)s\n\n"
            "If you did not expect this invitation, you can ignore this message."
        )
        % values
    )
    mail.queue_mail(session, invitation.email, subject, body)


def open_invitations(session: Session, org: Organisation) -> list[Invitation]:
    return repository.list_open_invitations(session, org.id, utcnow())


def revoke_invitation(session: Session, actor: User, org: Organisation, invitation_id: int) -> None:
    invitation = (
        repository.get_invitation(session, invitation_id) if valid_id(invitation_id) else None
    )
    if invitation is None or invitation.organisation_id != org.id:
        raise NotFound(_("There is no such invitation."))
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been accepted; remove the member instead."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.flush()
        _record(
            session,
            actor,
            "org.invitation_revoke",
            org,
            invitation_id=invitation.id,
            email=invitation.email,
        )


def find_invitation(session: Session, raw: str) -> Invitation:
    """The invitation behind a link if it can still be accepted; 404 unknown, 410 gone."""
    invitation = (
        repository.get_invitation_by_hash(session, accounts.hash_token(raw)) if raw else None
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Check that you copied all of it."))
    if invitation.accepted_at is not None:
        raise InvitationGone(
            _("This invitation has already been used. Ask for a new one if needed.")
        )
    if invitation.revoked_at is not None:
        raise InvitationGone(_("This invitation was withdrawn by the organisation."))
    if invitation.expires_at <= utcnow():
        raise InvitationGone(_("This invitation has expired. Ask the organisation for a new one."))
    return invitation


def accept_invitation(session: Session, user: User, raw: str) -> Organisation:
    """Join the organisation. The link is the credential: the invitee may have signed in with
    another address than the one invited. Accepting as an existing member just uses the link."""
    invitation = find_invitation(session, raw)
    org = invitation.organisation
    if not repository.claim_invitation(session, invitation.id, user.id, utcnow()):
        raise InvitationGone(
            _("This invitation has already been used. Ask for a new one if needed.")
        )
    existing = repository.get_membership(session, org.id, user.id)
    if existing is None:
        session.add(Membership(organisation_id=org.id, user_id=user.id, role=MemberRole.member))
        session.flush()
    _record(
        session, user, "org.invitation_accept", org,
        invitation_id=invitation.id, email=invitation.email, user_id=user.id,
        already_member=existing is not None,
    )  # fmt: skip
    return org


# --- members -------------------------------------------------------------------------------


def _member(session: Session, org: Organisation, user_id: int) -> Membership:
    membership = (
        repository.get_membership_with_user(session, org.id, user_id) if valid_id(user_id) else None
    )
    if membership is None:
        raise NotFound(_("This person is not a member of the organisation."))
    return membership


def remove_member(session: Session, actor: User, org: Organisation, user_id: int) -> None:
    if user_id == actor.id:
        leave(session, actor, org)
        return
    target = _member(session, org, user_id)
    owners = repository.count_owners(session, org.id)
    if not policies.can_remove_member(Standing(role=MemberRole.owner), target.role, owners):
        raise Conflict(_("An organisation needs an owner; this is the last one."))
    session.delete(target)
    session.flush()
    _record(session, actor, "org.member_remove", org, user_id=user_id, role=str(target.role))


def leave(session: Session, user: User, org: Organisation) -> None:
    membership = _member(session, org, user.id)
    owners = repository.count_owners(session, org.id)
    if not policies.can_leave(Standing(role=membership.role), owners):
        raise Conflict(
            _(
                "You are the last owner of this organisation. Transfer ownership to another "
                "member first, then leave."
            )
        )
    session.delete(membership)
    session.flush()
    _record(session, user, "org.member_leave", org, user_id=user.id, role=str(membership.role))


def transfer_ownership(session: Session, actor: User, org: Organisation, user_id: int) -> None:
    """The member `user_id` becomes owner; the actor (an owner) becomes a member."""
    current = _member(session, org, actor.id)
    if user_id == actor.id:
        raise Conflict(_("Choose another member to hand ownership to."))
    target = _member(session, org, user_id)
    if not policies.can_transfer_ownership(Standing(role=current.role), target.role):
        raise Conflict(_("Ownership can only be handed to a member who is not yet an owner."))
    target.role = MemberRole.owner
    current.role = MemberRole.member
    session.flush()
    audit.record(
        session,
        actor,
        "org.ownership_transfer",
        "organisation",
        org.id,
        {"owner": actor.id, "member": user_id},
        {"owner": user_id, "member": actor.id},
    )
