"""HTML pages: home, processes and their role grants (meetings: routes_meetings, included below)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.accounts.deps import AdminUser, CurrentUser, OptionalUser
from app.consultations import forms, routes_meetings, service
from app.consultations.deps import OrganisedProcess, RoleManagedProcess
from app.consultations.models import Process, ProcessRole
from app.consultations.responses import form_error, redirect
from app.consultations.schemas import GrantCreate, ProcessCreate, ProcessUpdate
from app.db import utcnow
from app.deps import Htmx, SessionDep
from app.errors import FormError
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["consultations"], dependencies=[Depends(verify_csrf)])


@router.get("/")
def home(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    context = {
        "user": user,
        "consultations": service.open_consultations(session, utcnow()),
        "my_processes": service.processes_of(session, user) if user else [],
    }
    return render(request, "home.html", context)


@router.get("/processes")
def list_processes(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    context = {"user": user, "processes": service.list_processes(session)}
    return render(request, "consultations/processes.html", context)


@router.get("/processes/new")
def new_process(request: Request, _admin: AdminUser) -> Response:
    context = {"process": None, "values": forms.process_values(), "errors": {}}
    return render(request, "consultations/process_form.html", context)


@router.post("/processes")
def create_process(
    request: Request, session: SessionDep, admin: AdminUser, form: forms.Form, htmx: Htmx
) -> Response:
    try:
        data = forms.parse(ProcessCreate, forms.process_input(form))
        process = service.create_process(session, admin, data)
    except FormError as exc:
        context = {"process": None, "values": forms.process_values(form=form)}
        return form_error(request, "consultations/process_form.html", context, exc, htmx)
    return redirect(f"/processes/{process.slug}", htmx)


@router.get("/processes/{slug}")
def process_page(request: Request, session: SessionDep, user: OptionalUser, slug: str) -> Response:
    process = service.get_process_page(session, slug)
    context = {
        "process": process,
        "meetings": service.meeting_summaries(process.meetings, utcnow()),
        "can": service.permissions_for(session, user, process),
    }
    return render(request, "consultations/process.html", context)


@router.get("/processes/{slug}/edit")
def edit_process(request: Request, process: OrganisedProcess) -> Response:
    context = {"process": process, "values": forms.process_values(process), "errors": {}}
    return render(request, "consultations/process_form.html", context)


@router.post("/processes/{slug}/edit")
def update_process(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    process: OrganisedProcess,
    form: forms.Form,
    htmx: Htmx,
) -> Response:
    try:
        data = forms.parse(ProcessUpdate, forms.process_input(form))
        service.update_process(session, user, process, data)
    except FormError as exc:
        context = {"process": process, "values": forms.process_values(form=form)}
        return form_error(request, "consultations/process_form.html", context, exc, htmx)
    return redirect(f"/processes/{process.slug}", htmx)


def _roles_context(
    session: SessionDep, user: CurrentUser, process: Process, values: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "process": process,
        "grants": service.list_grants(session, process),
        "grantable": service.grantable_roles(session, user, process),
        "values": values or {"email": "", "role": ProcessRole.moderator.value},
        "errors": {},
    }


@router.get("/processes/{slug}/roles")
def roles_page(
    request: Request, session: SessionDep, user: CurrentUser, process: RoleManagedProcess
) -> Response:
    return render(request, "consultations/roles.html", _roles_context(session, user, process))


@router.post("/processes/{slug}/roles")
def grant_role(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    process: RoleManagedProcess,
    form: forms.Form,
    htmx: Htmx,
) -> Response:
    raw = {"email": forms.form_text(form, "email"), "role": forms.form_text(form, "role")}
    try:
        service.grant_role(session, user, process, forms.parse(GrantCreate, raw))
    except FormError as exc:
        context = _roles_context(session, user, process, raw)
        return form_error(request, "consultations/roles.html", context, exc, htmx)
    return redirect(f"/processes/{process.slug}/roles", htmx)


@router.post("/processes/{slug}/roles/{grant_id}/revoke")
def revoke_role(
    session: SessionDep, user: CurrentUser, process: RoleManagedProcess, grant_id: int, htmx: Htmx
) -> Response:
    service.revoke_grant(session, user, process, grant_id)
    return redirect(f"/processes/{process.slug}/roles", htmx)


router.include_router(routes_meetings.router)
