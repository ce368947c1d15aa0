"""HTML pages of meetings and their agendas: the public meeting page and the organisers' forms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, OptionalUser
from app.consultations import agenda, forms, service
from app.consultations.deps import OrganisedAgendaItem, OrganisedMeeting, OrganisedProcess
from app.consultations.models import Meeting
from app.consultations.responses import form_error, redirect
from app.consultations.schemas import (
    UN_LANGUAGES,
    AgendaItemCreate,
    AgendaItemUpdate,
    MeetingCreate,
    MeetingUpdate,
)
from app.db import utcnow
from app.deps import Htmx, SessionDep
from app.errors import FormError
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["consultations"], dependencies=[Depends(verify_csrf)])
MEETING_FORM = "consultations/meeting_form.html"
AGENDA_PAGE = "consultations/agenda.html"
ITEM_FORM = "consultations/agenda_item_form.html"


def meeting_url(meeting: Meeting) -> str:
    return f"/processes/{meeting.process.slug}/meetings/{meeting.slug}"


def _meeting_form_context(**context: Any) -> dict[str, Any]:
    return {"un_languages": UN_LANGUAGES, "errors": {}, **context}


@router.get("/processes/{slug}/meetings/new")
def new_meeting(request: Request, process: OrganisedProcess) -> Response:
    context = _meeting_form_context(process=process, meeting=None, values=forms.meeting_values())
    return render(request, MEETING_FORM, context)


@router.post("/processes/{slug}/meetings")
def create_meeting(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    process: OrganisedProcess,
    form: forms.Form,
    htmx: Htmx,
) -> Response:
    try:
        data = forms.parse(MeetingCreate, forms.meeting_input(form))
        meeting = service.create_meeting(session, user, process, data)
    except FormError as exc:
        values = forms.meeting_values(form=form)
        context = _meeting_form_context(process=process, meeting=None, values=values)
        return form_error(request, MEETING_FORM, context, exc, htmx)
    return redirect(f"/processes/{process.slug}/meetings/{meeting.slug}/agenda", htmx)


@router.get("/processes/{slug}/meetings/{meeting_slug}")
def meeting_page(
    request: Request, session: SessionDep, user: OptionalUser, slug: str, meeting_slug: str
) -> Response:
    meeting = service.get_meeting_page(session, slug, meeting_slug)
    now = utcnow()
    context = {
        "process": meeting.process,
        "meeting": meeting,
        "status": service.submission_status(meeting, now),
        "items": [
            (item, service.is_open_for_papers(item, meeting, now)) for item in meeting.agenda_items
        ],
        "can": service.permissions_for(session, user, meeting.process),
    }
    return render(request, "consultations/meeting.html", context)


@router.get("/processes/{slug}/meetings/{meeting_slug}/edit")
def edit_meeting(request: Request, meeting: OrganisedMeeting) -> Response:
    context = _meeting_form_context(
        process=meeting.process, meeting=meeting, values=forms.meeting_values(meeting)
    )
    return render(request, MEETING_FORM, context)


@router.post("/processes/{slug}/meetings/{meeting_slug}/edit")
def update_meeting(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: OrganisedMeeting,
    form: forms.Form,
    htmx: Htmx,
) -> Response:
    try:
        data = forms.parse(MeetingUpdate, forms.meeting_input(form))
        service.update_meeting(session, user, meeting, data)
    except FormError as exc:
        values = forms.meeting_values(form=form)
        context = _meeting_form_context(process=meeting.process, meeting=meeting, values=values)
        return form_error(request, MEETING_FORM, context, exc, htmx)
    return redirect(meeting_url(meeting), htmx)


# --- agenda --------------------------------------------------------------------------------------


def _agenda_context(session: SessionDep, meeting: Meeting, **context: Any) -> dict[str, Any]:
    return {
        "process": meeting.process,
        "meeting": meeting,
        "items": agenda.list_items(session, meeting),
        "values": forms.agenda_item_values(meeting),
        "errors": {},
        "moved": "",
        "deleted": "",
        **context,
    }


@router.get("/processes/{slug}/meetings/{meeting_slug}/agenda")
def agenda_page(request: Request, session: SessionDep, meeting: OrganisedMeeting) -> Response:
    return render(request, AGENDA_PAGE, _agenda_context(session, meeting))


@router.post("/processes/{slug}/meetings/{meeting_slug}/agenda")
def add_agenda_item(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: OrganisedMeeting,
    form: forms.Form,
    htmx: Htmx,
) -> Response:
    try:
        data = forms.parse(AgendaItemCreate, forms.agenda_item_input(form))
        agenda.add_item(session, user, meeting, data)
    except FormError as exc:
        values = forms.agenda_item_values(meeting, form=form)
        context = _agenda_context(session, meeting, values=values)
        return form_error(request, AGENDA_PAGE, context, exc, htmx)
    return redirect(f"{meeting_url(meeting)}/agenda", htmx)


@router.get("/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/edit")
def edit_agenda_item(request: Request, item: OrganisedAgendaItem) -> Response:
    meeting = item.meeting
    context = {
        "process": meeting.process,
        "meeting": meeting,
        "item": item,
        "values": forms.agenda_item_values(meeting, item),
        "errors": {},
    }
    return render(request, ITEM_FORM, context)


@router.post("/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/edit")
def update_agenda_item(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: OrganisedAgendaItem,
    form: forms.Form,
    htmx: Htmx,
) -> Response:
    meeting = item.meeting
    try:
        data = forms.parse(AgendaItemUpdate, forms.agenda_item_input(form))
        agenda.update_item(session, user, meeting, item, data)
    except FormError as exc:
        context = {
            "process": meeting.process,
            "meeting": meeting,
            "item": item,
            "values": forms.agenda_item_values(meeting, form=form),
        }
        return form_error(request, ITEM_FORM, context, exc, htmx)
    return redirect(f"{meeting_url(meeting)}/agenda", htmx)


@router.post("/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/move")
def move_agenda_item(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: OrganisedAgendaItem,
    direction: Annotated[agenda.Direction, Form()],
    htmx: Htmx,
) -> Response:
    meeting = item.meeting
    items = agenda.move_item(session, user, meeting, item, direction)
    if not htmx:
        return redirect(f"{meeting_url(meeting)}/agenda#item-{item.id}", htmx)
    context = _agenda_context(session, meeting, items=items, moved=item.number)
    return render(request, AGENDA_PAGE, context, block="agenda_list")


@router.post("/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/delete")
def delete_agenda_item(
    request: Request, session: SessionDep, user: CurrentUser, item: OrganisedAgendaItem, htmx: Htmx
) -> Response:
    meeting, number = item.meeting, item.number
    agenda.delete_item(session, user, item)
    if not htmx:
        return redirect(f"{meeting_url(meeting)}/agenda", htmx)
    context = _agenda_context(session, meeting, deleted=number)
    return render(request, AGENDA_PAGE, context, block="agenda_list")
