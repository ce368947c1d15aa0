"""HTML pages that list papers: an organisation's submissions (with its co-signing requests),
a meeting's papers for its organisers and moderators, and the organisers' late-submission
exceptions. Included by routes.py (which main.py mounts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser
from app.consultations import service as consultations
from app.consultations.models import Meeting
from app.deps import Htmx, SessionDep, SettingsDep
from app.errors import FormError
from app.i18n import gettext
from app.organisations.models import MemberRole
from app.security import verify_csrf
from app.submissions import cosign, intake, service, window
from app.submissions.deps import CosigningOwner, MemberOrganisation, OrganisedMeeting, StaffMeeting
from app.submissions.schemas import LateExceptionCreate
from app.templating import render

router = APIRouter(tags=["submissions"], dependencies=[Depends(verify_csrf)])
EXCEPTIONS_PAGE = "submissions/late_exceptions.html"


def _redirect(url: str, htmx: bool) -> Response:
    if htmx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _meeting_url(meeting: Meeting) -> str:
    return f"/processes/{meeting.process.slug}/meetings/{meeting.slug}"


@router.get("/organisations/{org_id}/submissions")
def organisation_submissions(
    request: Request, session: SessionDep, ctx: MemberOrganisation
) -> Response:
    papers = service.papers_of_organisation(session, ctx.organisation)
    requests = service.cosigning_requests(session, ctx.organisation)
    context = {
        "org": ctx.organisation,
        "is_owner": ctx.role is MemberRole.owner,
        "papers": papers,
        "history": service.history(session, papers),
        "pending": [r for r in requests if r.state == "pending"],
        "answered": [r for r in requests if r.state != "pending"],
    }
    return render(request, "submissions/organisation.html", context)


def _answer(
    session: SessionDep, settings: SettingsDep, ctx: CosigningOwner, htmx: Htmx, confirm: bool
) -> Response:
    cosign.answer(session, settings, ctx.user, ctx.paper, ctx.organisation, confirm=confirm)
    return _redirect(f"/organisations/{ctx.organisation.id}/submissions", htmx)


@router.post("/papers/{paper_id}/cosigners/{org_id}/confirm")
def confirm_cosigning(
    session: SessionDep, settings: SettingsDep, ctx: CosigningOwner, htmx: Htmx
) -> Response:
    return _answer(session, settings, ctx, htmx, True)


@router.post("/papers/{paper_id}/cosigners/{org_id}/decline")
def decline_cosigning(
    session: SessionDep, settings: SettingsDep, ctx: CosigningOwner, htmx: Htmx
) -> Response:
    return _answer(session, settings, ctx, htmx, False)


@router.get("/processes/{slug}/meetings/{meeting_slug}/papers")
def meeting_papers(
    request: Request, session: SessionDep, user: CurrentUser, meeting: StaffMeeting
) -> Response:
    context = {
        "process": meeting.process,
        "meeting": meeting,
        "papers": service.papers_of_meeting(session, meeting),
        "can_organise": consultations.permissions_for(session, user, meeting.process).organise,
    }
    return render(request, "submissions/meeting_papers.html", context)


# --- late-submission exceptions -------------------------------------------------------------


def _exceptions_context(session: Session, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    return {
        "process": meeting.process,
        "meeting": meeting,
        "exceptions": window.list_late_exceptions(session, meeting),
        "organisation_options": [("", gettext("Choose an organisation"))]
        + [(org.id, org.name) for org in service.organisation_choices(session)],
        "values": {"organisation_id": "", "until": "", "reason": ""},
        "errors": {},
        **extra,
    }


@router.get("/processes/{slug}/meetings/{meeting_slug}/late-exceptions")
def late_exceptions(request: Request, session: SessionDep, meeting: OrganisedMeeting) -> Response:
    return render(request, EXCEPTIONS_PAGE, _exceptions_context(session, meeting))


@router.post("/processes/{slug}/meetings/{meeting_slug}/late-exceptions")
def grant_late_exception(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: OrganisedMeeting,
    htmx: Htmx,
    organisation_id: Annotated[str, Form()] = "",
    until: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    values = {"organisation_id": organisation_id, "until": until, "reason": reason}
    try:
        data = intake.parse(LateExceptionCreate, values)
        window.grant_late_exception(session, user, meeting, data)
    except FormError as exc:
        context = _exceptions_context(session, meeting, values=values, errors=exc.fields)
        block = "form" if htmx else None
        return render(request, EXCEPTIONS_PAGE, context, block=block, status_code=422)
    return _redirect(f"{_meeting_url(meeting)}/late-exceptions", htmx)


@router.post("/processes/{slug}/meetings/{meeting_slug}/late-exceptions/{exception_id}/revoke")
def revoke_late_exception(
    session: SessionDep, user: CurrentUser, meeting: OrganisedMeeting, exception_id: int, htmx: Htmx
) -> Response:
    window.revoke_late_exception(session, user, meeting, exception_id)
    return _redirect(f"{_meeting_url(meeting)}/late-exceptions", htmx)
