"""Pages: my organisations, create and edit a profile, the public profile, verification.

Members, invitations and ownership are in member_routes.py, included below.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from app import i18n
from app.accounts.deps import CurrentUser
from app.deps import Htmx, SessionDep
from app.errors import field_errors
from app.organisations import countries, member_routes, policies, service
from app.organisations.deps import (
    OrgContext,
    OwnedOrganisation,
    PublicOrganisation,
    VerifiableOrganisation,
    Verifier,
)
from app.organisations.models import Organisation
from app.organisations.pages import page_context, redirect
from app.organisations.schemas import OrganisationCreate, OrganisationUpdate, VerificationDecision
from app.security import verify_csrf
from app.templating import render

M = TypeVar("M", bound=BaseModel)
router = APIRouter(tags=["organisations"], dependencies=[Depends(verify_csrf)])


def read_org_form(
    name: Annotated[str, Form()] = "",
    acronym: Annotated[str, Form()] = "",
    type: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    ecosoc_status: Annotated[str, Form()] = "none",
) -> dict[str, str]:
    """The profile form as sent; validated by the schema so errors re-render the form."""
    return {
        "name": name,
        "acronym": acronym,
        "type": type,
        "country": country,
        "website": website,
        "description": description,
        "ecosoc_status": ecosoc_status,
    }


OrgForm = Annotated[dict[str, str], Depends(read_org_form)]


def _form_values(org: Organisation) -> dict[str, str]:
    return {field: str(getattr(org, field)) for field in service.PROFILE_FIELDS}


def _render_form(
    request: Request,
    htmx: bool,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    org: Organisation | None = None,
) -> Response:
    ctx = page_context(
        values=values,
        errors=errors or {},
        org=org,
        country_choices=countries.country_choices(i18n.current_locale.get()),
    )
    status = 422 if errors else 200
    block = "org_form" if htmx and errors else None
    return render(request, "organisations/form.html", ctx, block=block, status_code=status)


def _validate(schema: type[M], values: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    try:
        return schema.model_validate(values), {}
    except ValidationError as exc:
        return None, field_errors(exc)


@router.get("/organisations")
def my_organisations(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    memberships = service.memberships_of(session, user)
    verifier = service.is_verifier(session, user)
    pending = len(service.pending_verification(session)) if verifier else 0
    ctx = page_context(memberships=memberships, is_verifier=verifier, pending_count=pending)
    return render(request, "organisations/index.html", ctx)


@router.get("/organisations/new")
def new_organisation(request: Request, user: CurrentUser, htmx: Htmx) -> Response:
    return _render_form(request, htmx, {"ecosoc_status": "none"})


@router.post("/organisations")
def create_organisation(
    request: Request, session: SessionDep, user: CurrentUser, form: OrgForm, htmx: Htmx
) -> Response:
    data, errors = _validate(OrganisationCreate, form)
    if data is None:
        return _render_form(request, htmx, form, errors)
    org = service.create_organisation(session, user, data)
    return redirect(f"/organisations/{org.id}", htmx)


@router.get("/organisations/verification")
def verification_queue(request: Request, session: SessionDep, user: Verifier) -> Response:
    ctx = page_context(organisations=service.pending_verification(session))
    return render(request, "organisations/verification.html", ctx)


def _profile_context(session: SessionDep, ctx: OrgContext, **extra: Any) -> dict[str, Any]:
    standing = ctx.standing
    org = ctx.organisation
    show_members = policies.can_view_members(standing)
    details = policies.can_view_verification_details(standing)
    return page_context(
        org=org,
        standing=standing,
        members=service.list_members(session, org) if show_members else [],
        show_members=show_members,
        show_verification_details=details,
        history=service.verification_history(session, org) if details else [],
        can_edit=policies.can_edit(standing),
        **extra,
    )


@router.get("/organisations/{org_id:int}")
def organisation_profile(
    request: Request, session: SessionDep, ctx: PublicOrganisation
) -> Response:
    return render(request, "organisations/detail.html", _profile_context(session, ctx))


@router.get("/organisations/{org_id:int}/edit")
def edit_organisation(request: Request, ctx: OwnedOrganisation, htmx: Htmx) -> Response:
    org = ctx.organisation
    return _render_form(request, htmx, _form_values(org), org=org)


@router.post("/organisations/{org_id:int}/edit")
def update_organisation(
    request: Request, session: SessionDep, ctx: OwnedOrganisation, form: OrgForm, htmx: Htmx
) -> Response:
    data, errors = _validate(OrganisationUpdate, form)
    org = ctx.organisation
    if data is None:
        return _render_form(request, htmx, form, errors, org=org)
    assert ctx.user is not None
    service.update_organisation(session, ctx.user, org, data)
    return redirect(f"/organisations/{org.id}", htmx)


@router.post("/organisations/{org_id:int}/verification")
def decide_verification(
    request: Request,
    session: SessionDep,
    ctx: VerifiableOrganisation,
    htmx: Htmx,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "profile",
) -> Response:
    """From the queue (htmx swaps the queue entry) or from the profile page."""
    org = ctx.organisation
    from_queue = next == "queue"
    decision, errors = _validate(VerificationDecision, {"status": status, "reason": reason})
    if decision is None:
        values = {"status": status, "reason": reason}
        if from_queue:
            pending = service.pending_verification(session)
            pending = pending if org in pending else [org, *pending]
            page = page_context(organisations=pending, org=org, failed_id=org.id, values=values)
            template, block = "organisations/verification.html", "queue_item"
        else:
            page = _profile_context(session, ctx, values=values)
            template, block = "organisations/detail.html", "verification"
        page["errors"] = errors
        return render(request, template, page, block=block if htmx else None, status_code=422)
    assert ctx.user is not None
    service.decide_verification(session, ctx.user, org, decision)
    if from_queue and htmx:
        page = page_context(org=org, decided=True)
        return render(request, "organisations/verification.html", page, block="queue_item")
    return redirect(
        "/organisations/verification" if from_queue else f"/organisations/{org.id}", htmx
    )


router.include_router(member_routes.router)
