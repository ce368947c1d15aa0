"""Loader dependencies: load the organisation named in the path and check what the user may do.

Each comes twice, for pages (session cookie) and for the API (bearer token or session + CSRF).
Organisations are public, so a signed-in user without the right gets 403; unknown ids get 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.accounts.deps import ApiUser, CurrentUser, OptionalApiUser, OptionalUser
from app.accounts.models import User
from app.deps import SessionDep
from app.errors import Forbidden
from app.i18n import gettext as _
from app.organisations import policies, service
from app.organisations.models import Organisation
from app.organisations.policies import Standing


@dataclass(frozen=True)
class OrgContext:
    """The organisation of the request, who asks, and what they are to it."""

    organisation: Organisation
    user: User | None
    standing: Standing


def _context(session: SessionDep, org_id: int, user: User | None) -> OrgContext:
    org = service.get_organisation(session, org_id)
    return OrgContext(org, user, service.standing(session, org, user))


def _members_only(ctx: OrgContext) -> OrgContext:
    if not policies.can_view_members(ctx.standing):
        raise Forbidden(_("Only the organisation's members and verifiers can see its members."))
    return ctx


def _owners_only(ctx: OrgContext) -> OrgContext:
    if not policies.can_manage_members(ctx.standing):
        raise Forbidden(_("Only the organisation's owners can do this."))
    return ctx


def _verifiers_only(ctx: OrgContext) -> OrgContext:
    if not ctx.standing.is_verifier:
        raise Forbidden(_("Only moderators and platform administrators can verify organisations."))
    return ctx


def _belongs(ctx: OrgContext) -> OrgContext:
    if not ctx.standing.is_member:
        raise Forbidden(_("You are not a member of this organisation."))
    return ctx


# --- pages ---------------------------------------------------------------------------------


def load_public(session: SessionDep, org_id: int, user: OptionalUser) -> OrgContext:
    return _context(session, org_id, user)


def load_for_members(session: SessionDep, org_id: int, user: CurrentUser) -> OrgContext:
    return _members_only(_context(session, org_id, user))


def load_for_owner(session: SessionDep, org_id: int, user: CurrentUser) -> OrgContext:
    return _owners_only(_context(session, org_id, user))


def load_for_verifier(session: SessionDep, org_id: int, user: CurrentUser) -> OrgContext:
    return _verifiers_only(_context(session, org_id, user))


def load_membership(session: SessionDep, org_id: int, user: CurrentUser) -> OrgContext:
    return _belongs(_context(session, org_id, user))


def load_verifier(session: SessionDep, user: CurrentUser) -> User:
    if not service.is_verifier(session, user):
        raise Forbidden(_("Only moderators and platform administrators can verify organisations."))
    return user


PublicOrganisation = Annotated[OrgContext, Depends(load_public)]
MembersOrganisation = Annotated[OrgContext, Depends(load_for_members)]
OwnedOrganisation = Annotated[OrgContext, Depends(load_for_owner)]
VerifiableOrganisation = Annotated[OrgContext, Depends(load_for_verifier)]
JoinedOrganisation = Annotated[OrgContext, Depends(load_membership)]
Verifier = Annotated[User, Depends(load_verifier)]


# --- API -----------------------------------------------------------------------------------


def api_load_public(session: SessionDep, org_id: int, user: OptionalApiUser) -> OrgContext:
    return _context(session, org_id, user)


def api_load_for_members(session: SessionDep, org_id: int, user: ApiUser) -> OrgContext:
    return _members_only(_context(session, org_id, user))


def api_load_for_owner(session: SessionDep, org_id: int, user: ApiUser) -> OrgContext:
    return _owners_only(_context(session, org_id, user))


def api_load_for_verifier(session: SessionDep, org_id: int, user: ApiUser) -> OrgContext:
    return _verifiers_only(_context(session, org_id, user))


def api_load_membership(session: SessionDep, org_id: int, user: ApiUser) -> OrgContext:
    return _belongs(_context(session, org_id, user))


def api_load_verifier(session: SessionDep, user: ApiUser) -> User:
    return load_verifier(session, user)


ApiPublicOrganisation = Annotated[OrgContext, Depends(api_load_public)]
ApiMembersOrganisation = Annotated[OrgContext, Depends(api_load_for_members)]
ApiOwnedOrganisation = Annotated[OrgContext, Depends(api_load_for_owner)]
ApiVerifiableOrganisation = Annotated[OrgContext, Depends(api_load_for_verifier)]
ApiJoinedOrganisation = Annotated[OrgContext, Depends(api_load_membership)]
ApiVerifier = Annotated[User, Depends(api_load_verifier)]
