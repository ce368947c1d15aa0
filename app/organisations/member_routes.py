"""Pages for members: the members list, invitations, removing, leaving, handing over ownership,
and accepting an invitation link. Every action also works as a plain form without JavaScript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.accounts.deps import CurrentUser
from app.deps import Htmx, SessionDep, SettingsDep
from app.errors import field_errors
from app.organisations import membership, policies, service
from app.organisations.deps import (
    JoinedOrganisation,
    MembersOrganisation,
    OrgContext,
    OwnedOrganisation,
)
from app.organisations.pages import page_context, redirect
from app.organisations.schemas import InvitationCreate
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["organisations"], dependencies=[Depends(verify_csrf)])


def members_context(session: SessionDep, ctx: OrgContext, **extra: Any) -> dict[str, Any]:
    org, standing = ctx.organisation, ctx.standing
    owners = service.count_owners(session, org)
    manage = policies.can_manage_members(standing)
    base = {
        "org": org,
        "user": ctx.user,
        "standing": standing,
        "members": service.list_members(session, org),
        "owner_count": owners,
        "can_manage": manage,
        "can_leave": policies.can_leave(standing, owners),
        "show_emails": policies.can_see_member_emails(standing),
        "invitations": membership.open_invitations(session, org) if manage else [],
        "new_link": None,
        "new_invitation": None,
    }
    return page_context(**(base | extra))


def _members_page(request: Request, session: SessionDep, ctx: OrgContext, **extra: Any) -> Response:
    status = extra.pop("status_code", 200)
    block = extra.pop("block", None)
    return render(
        request,
        "organisations/members.html",
        members_context(session, ctx, **extra),
        block=block,
        status_code=status,
    )


@router.get("/organisations/{org_id:int}/members")
def members(request: Request, session: SessionDep, ctx: MembersOrganisation) -> Response:
    return _members_page(request, session, ctx)


@router.post("/organisations/{org_id:int}/invitations")
def invite(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    ctx: OwnedOrganisation,
    htmx: Htmx,
    email: Annotated[str, Form()] = "",
) -> Response:
    """Shows the new link (it is never stored) and e-mails it once the transaction commits."""
    block = "invitations" if htmx else None
    try:
        data = InvitationCreate.model_validate({"email": email})
    except ValidationError as exc:
        return _members_page(
            request, session, ctx, errors=field_errors(exc), values={"email": email},
            block=block, status_code=422,
        )  # fmt: skip
    assert ctx.user is not None
    invitation, link = membership.invite(session, settings, ctx.user, ctx.organisation, data.email)
    return _members_page(
        request, session, ctx, new_link=link, new_invitation=invitation, block=block
    )


@router.post("/organisations/{org_id:int}/invitations/{invitation_id:int}/revoke")
def revoke_invitation(
    request: Request, session: SessionDep, ctx: OwnedOrganisation, invitation_id: int, htmx: Htmx
) -> Response:
    assert ctx.user is not None
    membership.revoke_invitation(session, ctx.user, ctx.organisation, invitation_id)
    if htmx:
        return _members_page(request, session, ctx, block="invitations")
    return redirect(f"/organisations/{ctx.organisation.id}/members", htmx)


@router.post("/organisations/{org_id:int}/members/{user_id:int}/remove")
def remove_member(
    session: SessionDep, ctx: OwnedOrganisation, user_id: int, htmx: Htmx
) -> Response:
    """htmx replaces the member's row with nothing; a plain form reloads the page."""
    assert ctx.user is not None
    membership.remove_member(session, ctx.user, ctx.organisation, user_id)
    if htmx:
        return Response(status_code=200)
    return redirect(f"/organisations/{ctx.organisation.id}/members", htmx)


@router.post("/organisations/{org_id:int}/leave")
def leave(session: SessionDep, ctx: JoinedOrganisation, htmx: Htmx) -> Response:
    assert ctx.user is not None
    membership.leave(session, ctx.user, ctx.organisation)
    return redirect("/organisations", htmx)


@router.post("/organisations/{org_id:int}/transfer")
def transfer_ownership(
    session: SessionDep,
    ctx: OwnedOrganisation,
    htmx: Htmx,
    user_id: Annotated[int, Form()],
) -> Response:
    assert ctx.user is not None
    membership.transfer_ownership(session, ctx.user, ctx.organisation, user_id)
    return redirect(f"/organisations/{ctx.organisation.id}/members", htmx)


@router.get("/invitations/{token}")
def invitation(request: Request, session: SessionDep, user: CurrentUser, token: str) -> Response:
    """Signed-out visitors are sent to sign in and brought back here."""
    found = membership.find_invitation(session, token)
    org = found.organisation
    other_address = bool(user.email) and membership.normalise_email(user.email or "") != found.email
    ctx = page_context(
        invitation=found,
        org=org,
        token=token,
        already_member=service.role_of(session, org, user) is not None,
        other_address=other_address,
        user=user,
    )
    return render(request, "organisations/invitation.html", ctx)


@router.post("/invitations/{token}")
def accept_invitation(session: SessionDep, user: CurrentUser, token: str, htmx: Htmx) -> Response:
    org = membership.accept_invitation(session, user, token)
    return redirect(f"/organisations/{org.id}", htmx)
