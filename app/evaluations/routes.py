"""HTML pages for participants: the questionnaires open now, a meeting's questionnaires (where
organisers also start new ones), and answering. Every form works without JavaScript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app import i18n
from app.accounts.deps import CurrentUser
from app.consultations.forms import Form, parse
from app.db import utcnow
from app.deps import SessionDep
from app.errors import FormError
from app.evaluations import answering, forms, policies, service
from app.evaluations.deps import (
    ManagedMeeting,
    MeetingAccess,
    MeetingQuestionnaires,
    QuestionnaireAccess,
    VisibleQuestionnaire,
)
from app.evaluations.schemas import QuestionnaireCreate, ResponseCreate
from app.organisations import countries
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["evaluations"], dependencies=[Depends(verify_csrf)])
MEETING_BASE = "/processes/{slug}/meetings/{meeting_slug}/questionnaires"


def questionnaire_url(questionnaire_id: int) -> str:
    return f"/questionnaires/{questionnaire_id}"


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@router.get("/questionnaires")
def open_questionnaires(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    now = utcnow()
    questionnaires = service.open_questionnaires(session, now)
    answered = service.answered_ids(session, user, questionnaires)
    managed = service.managed_meetings(session, user)
    context = {"questionnaires": questionnaires, "answered": answered, "managed": managed}
    return render(request, "evaluations/open.html", context)


def _meeting_context(session: SessionDep, access: MeetingAccess, **extra: Any) -> dict[str, Any]:
    questionnaires = service.list_for_meeting(session, access.user, access.meeting)
    return {
        "process": access.meeting.process,
        "meeting": access.meeting,
        "questionnaires": questionnaires,
        "answered": service.answered_ids(session, access.user, questionnaires),
        "counts": service.response_counts(session, questionnaires) if access.can_manage else {},
        "can_manage": access.can_manage,
        "now": utcnow(),
        "accepting": policies.is_accepting,
        "errors": {},
        "values": forms.settings_values(None, access.meeting.timezone),
        **extra,
    }


@router.get(MEETING_BASE)
def meeting_questionnaires(
    request: Request, session: SessionDep, access: MeetingQuestionnaires
) -> Response:
    return render(request, "evaluations/meeting.html", _meeting_context(session, access))


@router.post(MEETING_BASE)
def create_questionnaire(
    request: Request, session: SessionDep, access: ManagedMeeting, form: Form
) -> Response:
    raw = forms.settings_input(form)
    try:
        data = parse(QuestionnaireCreate, raw)
        questionnaire = service.create_questionnaire(session, access.user, access.meeting, data)
    except FormError as exc:
        values = {**forms.settings_values(None, access.meeting.timezone), **raw}
        context = _meeting_context(session, access, errors=exc.fields, values=values)
        return render(request, "evaluations/meeting.html", context, status_code=422)
    return _redirect(f"{questionnaire_url(questionnaire.id)}/edit")


# --- answering -----------------------------------------------------------------------------------


def _answer_context(
    session: SessionDep, access: QuestionnaireAccess, **extra: Any
) -> dict[str, Any]:
    questionnaire, now = access.questionnaire, utcnow()
    accepting = policies.is_accepting(questionnaire, now)
    return {
        "process": access.meeting.process,
        "meeting": access.meeting,
        "questionnaire": questionnaire,
        "can_manage": access.can_manage,
        "accepting": accepting,
        "closed_message": "" if accepting else answering.not_accepting_message(questionnaire, now),
        "standing": answering.standing(session, access.user, questionnaire),
        "country_choices": countries.country_choices(i18n.current_locale.get()),
        "field_name": answering.field_name,
        "errors": {},
        "values": {},
        "thanks": False,
        **extra,
    }


@router.get("/questionnaires/{questionnaire_id}")
def questionnaire_page(
    request: Request, session: SessionDep, access: VisibleQuestionnaire, thanks: bool = False
) -> Response:
    context = _answer_context(session, access, thanks=thanks)
    return render(request, "evaluations/answer.html", context)


def _invalid(
    request: Request,
    session: SessionDep,
    access: QuestionnaireAccess,
    form: FormData,
    exc: FormError,
) -> Response:
    values = forms.response_values(form, access.questionnaire)
    context = _answer_context(session, access, errors=exc.fields, values=values)
    return render(request, "evaluations/answer.html", context, status_code=422)


@router.post("/questionnaires/{questionnaire_id}/responses")
def submit_response(
    request: Request, session: SessionDep, access: VisibleQuestionnaire, form: Form
) -> Response:
    questionnaire = access.questionnaire
    try:
        data = parse(ResponseCreate, forms.response_input(form, questionnaire))
        answering.submit_response(session, access.user, questionnaire, data, utcnow())
    except FormError as exc:
        return _invalid(request, session, access, form, exc)
    return _redirect(f"{questionnaire_url(questionnaire.id)}?thanks=1")
