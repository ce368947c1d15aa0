"""HTML forms <-> the API's input schemas, so pages and API share one set of rules."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from app.consultations.forms import form_text
from app.consultations.service import utc_to_local_input
from app.evaluations.answering import field_name
from app.evaluations.models import Question, QuestionKind, Questionnaire
from app.evaluations.schemas import SCALE_MAX

SETTINGS = ("title", "intro", "opens_at", "closes_at")
QUESTION_TEXTS = ("kind", "text", "help_text", "scale_max", "scale_low_label", "scale_high_label")
NOT_A_NUMBER = 10**6  # out of every range: the service explains what is allowed


def settings_input(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {name: form_text(form, name) for name in SETTINGS if name in form}
    for name in ("opens_at", "closes_at"):
        if name in data:
            data[name] = data[name].strip() or None
    return data


def settings_values(questionnaire: Questionnaire | None, timezone: str) -> dict[str, str]:
    if questionnaire is None:
        return {"title": "", "intro": "", "opens_at": "", "closes_at": ""}
    return {
        "title": questionnaire.title,
        "intro": questionnaire.intro,
        "opens_at": utc_to_local_input(questionnaire.opens_at, timezone),
        "closes_at": utc_to_local_input(questionnaire.closes_at, timezone),
    }


def question_input(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {name: form_text(form, name) for name in QUESTION_TEXTS if name in form}
    if not (data.get("scale_max") or "").strip():
        data.pop("scale_max", None)
    data["required"] = form_text(form, "required") == "on"
    data["options"] = form_text(form, "options").splitlines()
    return data


def question_values(question: Question | None) -> dict[str, Any]:
    if question is None:
        return {"kind": "scale", "text": "", "help_text": "", "required": False, "options": "",
                "scale_max": 5, "scale_low_label": "", "scale_high_label": ""}  # fmt: skip
    return {
        "kind": str(question.kind),
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "options": "\n".join(question.options),
        "scale_max": question.scale_max,
        "scale_low_label": question.scale_low_label,
        "scale_high_label": question.scale_high_label,
    }


def question_form_values(form: FormData) -> dict[str, Any]:
    """What the organiser typed, to show again beside the errors."""
    values: dict[str, Any] = {name: form_text(form, name) for name in QUESTION_TEXTS}
    values["required"] = form_text(form, "required") == "on"
    values["options"] = form_text(form, "options")
    return values


def _number(value: str) -> int:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 4 else NOT_A_NUMBER


def response_input(form: FormData, questionnaire: Questionnaire) -> dict[str, Any]:
    """ResponseCreate data: `respondent` is "individual" or an organisation id."""
    respondent = form_text(form, "respondent").strip()
    data: dict[str, Any] = {"country": form_text(form, "country")[:2], "answers": []}
    if respondent and respondent != "individual":
        data["organisation_id"] = _number(respondent)
    for question in questionnaire.questions:
        name = field_name(question)
        answer: dict[str, Any] = {"question_id": question.id}
        if question.kind is QuestionKind.scale:
            raw = form_text(form, name)
            if not raw.strip():
                continue
            value = _number(raw)
            answer["value"] = value if value <= SCALE_MAX else 0  # 0: "choose from 1 to N"
        elif question.kind is QuestionKind.text:
            answer["text"] = form_text(form, name)
        else:
            raw_choices = [v for v in form.getlist(name) if isinstance(v, str)][:50]
            answer["choices"] = [_number(v) for v in raw_choices]
        data["answers"].append(answer)
    return data


def response_values(form: FormData, questionnaire: Questionnaire) -> dict[str, Any]:
    """The answers as sent, to check the same boxes again beside the errors."""
    values: dict[str, Any] = {
        "respondent": form_text(form, "respondent"),
        "country": form_text(form, "country"),
    }
    for question in questionnaire.questions:
        name = field_name(question)
        if question.kind is QuestionKind.multiple:
            values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
        else:
            values[name] = form_text(form, name)
    return values
