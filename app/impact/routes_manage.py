"""Organisers' pages: recording recommendations (form and CSV/XLSX import with a preview),
citations, meeting participants, country focal points and reporting rounds."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.accounts.deps import CurrentUser
from app.consultations.models import Meeting, Process
from app.deps import Htmx, SessionDep
from app.errors import FormError
from app.i18n import gettext as _
from app.impact import addressees, imports, intake, participation, service
from app.impact.deps import ManagedMeeting, ManagedProcess, ManagedRecommendation
from app.impact.models import Recommendation
from app.impact.responses import (
    TEMPLATE_GLOBALS,
    parse,
    recommendation_url,
    redirect,
    values_of,
)
from app.impact.schemas import (
    CitationCreate,
    FocalPointCreate,
    ParticipantCreate,
    RecommendationCreate,
    RoundCreate,
)
from app.security import checks_csrf_in_body, verify_csrf
from app.templating import render

router = APIRouter(tags=["impact"], dependencies=[Depends(verify_csrf)])
MEETING = "/processes/{slug}/meetings/{meeting_slug}"
REC_FIELDS = ("number", "text", "agenda_item_id", "adopted_on", "countries", "regions")


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _meeting_url(meeting: Meeting) -> str:
    return f"/processes/{meeting.process.slug}/meetings/{meeting.slug}"


def _manage_url(process: Process) -> str:
    return f"/processes/{process.slug}/impact"


# --- the management hub: focal points and rounds -------------------------------------------------


def _hub(
    request: Request, session: SessionDep, process: Process, status: int = 200, **extra: Any
) -> Response:
    context = {
        **TEMPLATE_GLOBALS,
        "process": process,
        "focal_points": participation.list_focal_points(session, process),
        "rounds": participation.list_rounds(session, process),
        "errors": {},
        "values": {},
        "round_errors": {},
        "round_values": {},
        **extra,
    }
    return render(request, "impact/manage.html", context, status_code=status)


@router.get("/processes/{slug}/impact")
def manage_page(request: Request, session: SessionDep, process: ManagedProcess) -> Response:
    return _hub(request, session, process)


@router.post("/processes/{slug}/impact/focal-points")
def grant_focal_point(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    process: ManagedProcess,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    values = values_of(form, "email", "country")
    try:
        participation.grant_focal_point(session, user, process, parse(FocalPointCreate, values))
    except FormError as exc:
        return _hub(request, session, process, 422, errors=exc.fields, values=values)
    return redirect(_manage_url(process) + "#focal-points", htmx)


@router.post("/processes/{slug}/impact/focal-points/{focal_point_id}/revoke")
def revoke_focal_point(
    session: SessionDep, user: CurrentUser, process: ManagedProcess, focal_point_id: int, htmx: Htmx
) -> Response:
    participation.revoke_focal_point(session, user, process, focal_point_id)
    return redirect(_manage_url(process) + "#focal-points", htmx)


@router.post("/processes/{slug}/impact/rounds")
def create_round(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    process: ManagedProcess,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    values = values_of(form, "title", "opens_at", "closes_at", "reminder_days")
    try:
        participation.create_round(session, user, process, parse(RoundCreate, values))
    except FormError as exc:
        return _hub(request, session, process, 422, round_errors=exc.fields, round_values=values)
    return redirect(_manage_url(process) + "#rounds", htmx)


# --- recommendations -----------------------------------------------------------------------------


def _rec_form(
    request: Request,
    session: SessionDep,
    meeting: Meeting,
    recommendation: Recommendation | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        **TEMPLATE_GLOBALS,
        "process": meeting.process,
        "meeting": meeting,
        "recommendation": recommendation,
        "items": [("", _("None"))]
        + [(str(i.id), f"{i.number}. {i.title}") for i in service.agenda_items(session, meeting)],
        "region_choices": addressees.region_choices(),
        "values": values,
        "errors": errors or {},
    }
    status = 422 if errors else 200
    return render(request, "impact/recommendation_form.html", context, status_code=status)


def _rec_values(form: FormData) -> dict[str, Any]:
    values = values_of(form, "number", "text", "agenda_item_id", "adopted_on", "countries")
    values["regions"] = [v for v in form.getlist("regions") if isinstance(v, str) and v]
    return values


@router.get(MEETING + "/recommendations/new")
def new_recommendation(request: Request, session: SessionDep, meeting: ManagedMeeting) -> Response:
    return _rec_form(request, session, meeting, None, {})


@router.post(MEETING + "/recommendations")
def create_recommendation(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: ManagedMeeting,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    values = _rec_values(form)
    try:
        created = service.create_recommendation(
            session, user, meeting, parse(RecommendationCreate, values)
        )
    except FormError as exc:
        return _rec_form(request, session, meeting, None, values, exc.fields)
    return redirect(recommendation_url(created), htmx)


@router.get("/recommendations/{recommendation_id}/edit")
def edit_recommendation(
    request: Request, session: SessionDep, recommendation: ManagedRecommendation
) -> Response:
    values = {
        "number": recommendation.number,
        "text": recommendation.text,
        "agenda_item_id": recommendation.agenda_item_id or "",
        "adopted_on": recommendation.adopted_on.isoformat() if recommendation.adopted_on else "",
        "countries": " ".join(recommendation.countries),
        "regions": list(recommendation.regions),
    }
    return _rec_form(request, session, recommendation.meeting, recommendation, values)


@router.post("/recommendations/{recommendation_id}/edit")
def update_recommendation(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    recommendation: ManagedRecommendation,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    values = _rec_values(form)
    try:
        service.update_recommendation(
            session, user, recommendation, parse(RecommendationCreate, values)
        )
    except FormError as exc:
        return _rec_form(
            request, session, recommendation.meeting, recommendation, values, exc.fields
        )
    return redirect(recommendation_url(recommendation), htmx)


@router.post("/recommendations/{recommendation_id}/citations")
def add_citation(
    session: SessionDep,
    user: CurrentUser,
    recommendation: ManagedRecommendation,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    values = values_of(form, "paper_id", "comment_id", "dossier_page")
    service.add_citation(session, user, recommendation, parse(CitationCreate, values))
    return redirect(recommendation_url(recommendation) + "#citations", htmx)


@router.post("/recommendations/{recommendation_id}/citations/{citation_id}/delete")
def remove_citation(
    session: SessionDep,
    user: CurrentUser,
    recommendation: ManagedRecommendation,
    citation_id: int,
    htmx: Htmx,
) -> Response:
    service.remove_citation(session, user, recommendation, citation_id)
    return redirect(recommendation_url(recommendation) + "#citations", htmx)


# --- participants --------------------------------------------------------------------------------


def _participants(
    request: Request, session: SessionDep, meeting: Meeting, status: int = 200, **extra: Any
) -> Response:
    context = {
        **TEMPLATE_GLOBALS,
        "process": meeting.process,
        "meeting": meeting,
        "participants": participation.list_participants(session, meeting),
        "errors": {},
        "values": {},
        "import_errors": {},
        **extra,
    }
    return render(request, "impact/participants.html", context, status_code=status)


@router.get(MEETING + "/participants")
def participants_page(request: Request, session: SessionDep, meeting: ManagedMeeting) -> Response:
    return _participants(request, session, meeting)


@router.post(MEETING + "/participants")
def add_participant(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: ManagedMeeting,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    values = values_of(form, "country", "name")
    try:
        participation.add_participant(session, user, meeting, parse(ParticipantCreate, values))
    except FormError as exc:
        return _participants(request, session, meeting, 422, errors=exc.fields, values=values)
    return redirect(_meeting_url(meeting) + "/participants", htmx)


@router.post(MEETING + "/participants/{participant_id}/delete")
def remove_participant(
    session: SessionDep, user: CurrentUser, meeting: ManagedMeeting, participant_id: int, htmx: Htmx
) -> Response:
    participation.remove_participant(session, user, meeting, participant_id)
    return redirect(_meeting_url(meeting) + "/participants", htmx)


@router.post(MEETING + "/participants/import")
@checks_csrf_in_body
def import_participants(
    request: Request, session: SessionDep, user: CurrentUser, meeting: ManagedMeeting, htmx: Htmx
) -> Response:
    try:
        data, _name = anyio.from_thread.run(intake.read_table_upload, request)
        imports.import_participants(session, user, meeting, data)
    except FormError as exc:
        return _participants(request, session, meeting, 422, import_errors=exc.fields)
    except imports.UnreadableImport as exc:
        errors = {"file": exc.message}
        return _participants(request, session, meeting, exc.status, import_errors=errors)
    return redirect(_meeting_url(meeting) + "/participants", htmx)


# --- importing recommendations -------------------------------------------------------------------


def _import_page(request: Request, meeting: Meeting, status: int = 200, **extra: Any) -> Response:
    context = {
        "process": meeting.process,
        "meeting": meeting,
        "upload": None,
        "errors": {},
        "columns": imports.COLUMNS,
        **extra,
    }
    return render(request, "impact/import.html", context, status_code=status)


@router.get(MEETING + "/recommendations/import")
def import_page(request: Request, meeting: ManagedMeeting) -> Response:
    return _import_page(request, meeting)


@router.post(MEETING + "/recommendations/import")
@checks_csrf_in_body
def preview_import(
    request: Request, session: SessionDep, user: CurrentUser, meeting: ManagedMeeting, htmx: Htmx
) -> Response:
    try:
        data, name = anyio.from_thread.run(intake.read_table_upload, request)
        upload = imports.preview(session, user, meeting, name, data)
    except (FormError, imports.UnreadableImport) as exc:
        errors = exc.fields if isinstance(exc, FormError) else {"file": exc.message}
        return _import_page(request, meeting, exc.status, errors=errors)
    return redirect(f"{_meeting_url(meeting)}/recommendations/import/{upload.token}", htmx)


@router.get(MEETING + "/recommendations/import/{import_token}")
def import_preview(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: ManagedMeeting,
    import_token: str,
) -> Response:
    upload = imports.get_upload(session, user, meeting, import_token)
    return _import_page(request, meeting, upload=upload)


@router.post(MEETING + "/recommendations/import/{import_token}/confirm")
def confirm_import(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: ManagedMeeting,
    import_token: str,
    htmx: Htmx,
) -> Response:
    try:
        imports.confirm(session, user, meeting, import_token)
    except FormError as exc:
        upload = imports.get_upload(session, user, meeting, import_token)
        return _import_page(request, meeting, 422, upload=upload, errors=exc.fields)
    return redirect(f"/processes/{meeting.process.slug}/recommendations", htmx)
