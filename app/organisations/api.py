"""JSON API for organisations, members, invitations and verification, under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.accounts.deps import ApiUser, OptionalApiUser
from app.deps import SessionDep, SettingsDep
from app.errors import Forbidden, NotAuthenticated
from app.i18n import gettext as _
from app.organisations import membership, policies, service
from app.organisations.deps import (
    ApiJoinedOrganisation,
    ApiMembersOrganisation,
    ApiOwnedOrganisation,
    ApiPublicOrganisation,
    ApiVerifiableOrganisation,
    OrgContext,
)
from app.organisations.models import Organisation
from app.organisations.policies import Standing
from app.organisations.schemas import (
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    MemberRead,
    OrganisationCreate,
    OrganisationRead,
    OrganisationSummary,
    OrganisationUpdate,
    OwnershipTransfer,
    VerificationDecision,
)

router = APIRouter(prefix="/api/v1", tags=["organisations"])
ORG = "/organisations/{org_id:int}"


class VerificationEvent(BaseModel):
    at: datetime
    action: str
    actor: str
    before: str
    after: str
    reason: str


def _read(org: Organisation, standing: Standing) -> OrganisationRead:
    data = OrganisationRead.model_validate(org)
    details = policies.can_view_verification_details(standing)
    data.verification_reason = org.verification_reason if details else None
    data.my_role = standing.role
    return data


def _read_ctx(ctx: OrgContext) -> OrganisationRead:
    return _read(ctx.organisation, ctx.standing)


@router.get("/organisations", response_model=list[OrganisationSummary])
def list_organisations(
    session: SessionDep,
    user: OptionalApiUser,
    mine: bool = False,
    limit: Annotated[int, Query(ge=1, le=service.PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[OrganisationSummary]:
    """The public directory; `?mine=1` lists the caller's own organisations instead."""
    if mine:
        if user is None:
            raise NotAuthenticated(_("Sign in or send a token to list your own organisations."))
        orgs = service.organisations_of(session, user)
    else:
        orgs = service.list_organisations(session, limit=limit, offset=offset)
    return [OrganisationSummary.model_validate(org) for org in orgs]


@router.post("/organisations", status_code=201, response_model=OrganisationRead)
def create_organisation(
    session: SessionDep, user: ApiUser, body: OrganisationCreate
) -> OrganisationRead:
    org = service.create_organisation(session, user, body)
    return _read(org, service.standing(session, org, user))


@router.get(ORG, response_model=OrganisationRead)
def get_organisation(ctx: ApiPublicOrganisation) -> OrganisationRead:
    return _read_ctx(ctx)


@router.patch(ORG, response_model=OrganisationRead)
def update_organisation(
    session: SessionDep, ctx: ApiOwnedOrganisation, body: OrganisationUpdate
) -> OrganisationRead:
    assert ctx.user is not None
    service.update_organisation(session, ctx.user, ctx.organisation, body)
    return _read_ctx(ctx)


@router.get(ORG + "/members", response_model=list[MemberRead])
def list_members(session: SessionDep, ctx: ApiMembersOrganisation) -> list[MemberRead]:
    show_emails = policies.can_see_member_emails(ctx.standing)
    return [
        MemberRead(
            user_id=m.user_id,
            name=m.user.display_name,
            role=m.role,
            joined_at=m.created_at,
            email=m.user.email if show_emails else None,
        )
        for m in service.list_members(session, ctx.organisation)
    ]


@router.delete(ORG + "/members/{user_id:int}", status_code=204)
def remove_member(session: SessionDep, ctx: ApiJoinedOrganisation, user_id: int) -> Response:
    """Owners remove members; any member removes themself (leaves)."""
    assert ctx.user is not None
    if user_id == ctx.user.id:
        membership.leave(session, ctx.user, ctx.organisation)
    elif policies.can_manage_members(ctx.standing):
        membership.remove_member(session, ctx.user, ctx.organisation, user_id)
    else:
        raise Forbidden(_("Only the organisation's owners can remove other members."))
    return Response(status_code=204)


@router.post(ORG + "/ownership", response_model=list[MemberRead])
def transfer_ownership(
    session: SessionDep, ctx: ApiOwnedOrganisation, body: OwnershipTransfer
) -> list[MemberRead]:
    """Hand ownership to another member; the caller becomes a member."""
    assert ctx.user is not None
    membership.transfer_ownership(session, ctx.user, ctx.organisation, body.user_id)
    return list_members(session, ctx)


@router.get(ORG + "/invitations", response_model=list[InvitationRead])
def list_invitations(session: SessionDep, ctx: ApiOwnedOrganisation) -> list[InvitationRead]:
    """Open invitations: not accepted, withdrawn or expired."""
    invitations = membership.open_invitations(session, ctx.organisation)
    return [InvitationRead.model_validate(invitation) for invitation in invitations]


@router.post(ORG + "/invitations", status_code=201, response_model=InvitationCreated)
def invite(
    session: SessionDep, settings: SettingsDep, ctx: ApiOwnedOrganisation, body: InvitationCreate
) -> InvitationCreated:
    """Creates the invitation, e-mails the link and returns it (shown only this once)."""
    assert ctx.user is not None
    invitation, link = membership.invite(session, settings, ctx.user, ctx.organisation, body.email)
    return InvitationCreated(
        id=invitation.id,
        email=invitation.email,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        link=link,
    )


@router.delete(ORG + "/invitations/{invitation_id:int}", status_code=204)
def revoke_invitation(
    session: SessionDep, ctx: ApiOwnedOrganisation, invitation_id: int
) -> Response:
    assert ctx.user is not None
    membership.revoke_invitation(session, ctx.user, ctx.organisation, invitation_id)
    return Response(status_code=204)


@router.post("/invitations/{token}/accept", response_model=OrganisationRead)
def accept_invitation(session: SessionDep, user: ApiUser, token: str) -> OrganisationRead:
    org = membership.accept_invitation(session, user, token)
    return _read(org, service.standing(session, org, user))


@router.get(ORG + "/verification", response_model=list[VerificationEvent])
def verification_history(
    session: SessionDep, ctx: ApiMembersOrganisation
) -> list[VerificationEvent]:
    """Newest first; visible to the organisation's members and to verifiers."""
    history = service.verification_history(session, ctx.organisation)
    return [VerificationEvent.model_validate(entry, from_attributes=True) for entry in history]


@router.post(ORG + "/verification", response_model=OrganisationRead)
def decide_verification(
    session: SessionDep, ctx: ApiVerifiableOrganisation, body: VerificationDecision
) -> OrganisationRead:
    """Moderators of any process and platform admins; a rejection needs a reason."""
    assert ctx.user is not None
    service.decide_verification(session, ctx.user, ctx.organisation, body)
    return _read_ctx(ctx)
