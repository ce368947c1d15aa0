"""HTML pages for organisers: building a questionnaire (settings and questions while a draft),
opening and closing it, and its results with CSV / XLSX exports of the answers."""

from __future__ import annotations

from typing import Any, Literal

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import exports, i18n
from app.consultations.forms import Form as FormDep
from app.consultations.forms import parse
from app.deps import SessionDep
from app.errors import FormError
from app.evaluations import forms, policies, repository, results, service
from app.evaluations.deps import ManagedQuestionnaire, QuestionnaireAccess
from app.evaluations.models import QuestionKind
from app.evaluations.schemas import QuestionCreate, QuestionnaireUpdate, QuestionUpdate
from app.i18n import gettext as _
from app.organisations import countries
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["evaluations"], dependencies=[Depends(verify_csrf)])
BASE = "/questionnaires/{questionnaire_id}"
BUILDER = "evaluations/builder.html"


def _url(access: QuestionnaireAccess, tail: str = "") -> str:
    return f"/questionnaires/{access.questionnaire.id}{tail}"


def _saved(access: QuestionnaireAccess, what: str, anchor: str = "") -> Response:
    return RedirectResponse(f"{_url(access, '/edit')}?saved={what}{anchor}", status_code=303)


def _context(access: QuestionnaireAccess, **extra: Any) -> dict[str, Any]:
    questionnaire = access.questionnaire
    return {
        "process": access.meeting.process,
        "meeting": access.meeting,
        "questionnaire": questionnaire,
        "editable": policies.questions_editable(questionnaire.state),
        "settings_editable": policies.settings_editable(questionnaire.state),
        "can_open": policies.can_open(questionnaire.state),
        "can_close": policies.can_close(questionnaire.state),
        "kinds": list(QuestionKind),
        "settings": forms.settings_values(questionnaire, access.meeting.timezone),
        "question_values": forms.question_values,
        "new_question": forms.question_values(None),
        "errors": {},
        "error_form": "",
        "saved": "",
        **extra,
    }


def _invalid(request: Request, access: QuestionnaireAccess, form_id: str, exc: FormError,
             **values: Any) -> Response:  # fmt: skip
    context = _context(access, errors=exc.fields, error_form=form_id, **values)
    return render(request, BUILDER, context, status_code=422)


@router.get(BASE + "/edit")
def builder_page(request: Request, access: ManagedQuestionnaire, saved: str = "") -> Response:
    return render(request, BUILDER, _context(access, saved=saved[:20]))


@router.post(BASE + "/edit")
def save_settings(
    request: Request, session: SessionDep, access: ManagedQuestionnaire, form: FormDep
) -> Response:
    raw = forms.settings_input(form)
    try:
        data = parse(QuestionnaireUpdate, raw)
        service.update_questionnaire(session, access.user, access.questionnaire, data)
    except FormError as exc:
        settings = {**forms.settings_values(access.questionnaire, access.meeting.timezone), **raw}
        return _invalid(request, access, "settings", exc, settings=settings)
    return _saved(access, "settings")


@router.post(BASE + "/questions")
def add_question(
    request: Request, session: SessionDep, access: ManagedQuestionnaire, form: FormDep
) -> Response:
    try:
        data = parse(QuestionCreate, forms.question_input(form))
        question = service.add_question(session, access.user, access.questionnaire, data)
    except FormError as exc:
        values = forms.question_form_values(form)
        return _invalid(request, access, "new", exc, new_question=values)
    return _saved(access, "added", f"#question-{question.id}")


@router.post(BASE + "/questions/{question_id}/edit")
def edit_question(
    request: Request,
    session: SessionDep,
    access: ManagedQuestionnaire,
    question_id: int,
    form: FormDep,
) -> Response:
    question = service.get_question(access.questionnaire, question_id)
    try:
        data = parse(QuestionUpdate, forms.question_input(form))
        service.update_question(session, access.user, access.questionnaire, question, data)
    except FormError as exc:
        values = forms.question_form_values(form)
        return _invalid(request, access, f"q{question.id}", exc, edited_values=values)
    return _saved(access, "question", f"#question-{question.id}")


@router.post(BASE + "/questions/{question_id}/move")
def move_question(
    session: SessionDep,
    access: ManagedQuestionnaire,
    question_id: int,
    direction: Literal["up", "down"] = Form(),
) -> Response:
    question = service.get_question(access.questionnaire, question_id)
    step = -1 if direction == "up" else 1
    service.move_question(session, access.user, access.questionnaire, question, step)
    return _saved(access, "order", f"#question-{question.id}")


@router.post(BASE + "/questions/{question_id}/delete")
def delete_question(
    session: SessionDep, access: ManagedQuestionnaire, question_id: int
) -> Response:
    question = service.get_question(access.questionnaire, question_id)
    service.delete_question(session, access.user, access.questionnaire, question)
    return _saved(access, "deleted", "#questions-heading")


@router.post(BASE + "/open")
def open_questionnaire(session: SessionDep, access: ManagedQuestionnaire) -> Response:
    service.open_questionnaire(session, access.user, access.questionnaire)
    return _saved(access, "opened")


@router.post(BASE + "/close")
def close_questionnaire(session: SessionDep, access: ManagedQuestionnaire) -> Response:
    service.close_questionnaire(session, access.user, access.questionnaire)
    return _saved(access, "closed")


# --- results -------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return str(format_decimal(round(value, 2), locale=i18n.current_locale.get()))


def _percent(value: float) -> str:
    return str(format_percent(value, locale=i18n.current_locale.get()))


@router.get(BASE + "/results")
def results_page(request: Request, session: SessionDep, access: ManagedQuestionnaire) -> Response:
    context = {
        "process": access.meeting.process,
        "meeting": access.meeting,
        "questionnaire": access.questionnaire,
        "results": results.results(session, access.questionnaire),
        "base": _url(access),
        "country_name": countries.country_name,
        "number": _number,
        "percent": _percent,
    }
    return render(request, "evaluations/results.html", context)


def _export_name(access: QuestionnaireAccess, text_only: bool, extension: str) -> str:
    what = _("free-text-answers") if text_only else _("answers")
    return f"questionnaire-{access.questionnaire.id}-{what}.{extension}"


def _rows(request: Request, access: QuestionnaireAccess, text_only: bool) -> Any:
    stmt = repository.export_statement(access.questionnaire.id, text_only=text_only)
    return exports.stream_rows(request.app.state.session_factory, stmt, results.export_row)


@router.get(BASE + "/results.csv")
def results_csv(
    request: Request, access: ManagedQuestionnaire, text_only: bool = False
) -> Response:
    name = _export_name(access, text_only, "csv")
    return exports.csv_response(name, results.EXPORT_HEADER, _rows(request, access, text_only))


@router.get(BASE + "/results.xlsx")
def results_xlsx(
    request: Request, access: ManagedQuestionnaire, text_only: bool = False
) -> Response:
    name = _export_name(access, text_only, "xlsx")
    return exports.xlsx_response(name, results.EXPORT_HEADER, _rows(request, access, text_only))
