"""Answering a questionnaire: once per participant, and once per organisation.

The checks run before anything is written, so a refused answer leaves no trace; the unique
constraints on responses settle a race between two tabs (or two members of one organisation)
that pass the checks at the same moment: the loser gets the same 409 as a later attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.errors import Conflict, FormError
from app.evaluations import policies, repository
from app.evaluations.models import (
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireState,
    Response,
)
from app.evaluations.schemas import AnswerInput, ResponseCreate
from app.i18n import gettext as _
from app.organisations import countries
from app.organisations import service as organisations
from app.organisations.models import Organisation


@dataclass(frozen=True)
class Standing:
    """What the user may still do with a questionnaire."""

    answered: bool
    organisations: list[tuple[Organisation, bool]]  # (organisation, already answered for it)

    @property
    def open_organisations(self) -> list[Organisation]:
        return [org for org, done in self.organisations if not done]


def standing(session: Session, user: User, questionnaire: Questionnaire) -> Standing:
    answered = repository.response_of_user(session, questionnaire.id, user.id) is not None
    orgs = [o for o in organisations.organisations_of(session, user) if policies.may_answer_for(o)]
    done = {
        org.id
        for org in orgs
        if repository.response_of_organisation(session, questionnaire.id, org.id) is not None
    }
    return Standing(answered, [(org, org.id in done) for org in orgs])


def not_accepting_message(questionnaire: Questionnaire, now: datetime) -> str:
    if questionnaire.state is QuestionnaireState.closed or (
        questionnaire.closes_at is not None and now >= questionnaire.closes_at
    ):
        return _("This questionnaire is closed; it no longer takes answers.")
    return _("This questionnaire is not open for answers yet.")


def already_answered_message() -> str:
    return _("You have already answered this questionnaire. Each participant answers once.")


def submit_response(
    session: Session, user: User, questionnaire: Questionnaire, data: ResponseCreate, now: datetime
) -> Response:
    if not policies.is_accepting(questionnaire, now):
        raise Conflict(not_accepting_message(questionnaire, now))
    if repository.response_of_user(session, questionnaire.id, user.id) is not None:
        raise Conflict(already_answered_message())
    errors: dict[str, str] = {}
    try:
        organisation, country = _respondent(session, user, questionnaire, data)
    except FormError as exc:  # reported together with the answers' errors
        errors.update(exc.fields)
    try:
        answers = _answers(questionnaire, data.answers)
    except FormError as exc:
        errors.update(exc.fields)
    if errors:
        raise FormError(errors)
    response = Response(
        questionnaire_id=questionnaire.id,
        respondent_id=user.id,
        organisation_id=organisation.id if organisation else None,
        country=country,
        submitted_at=now,
    )
    response.answers = answers
    try:
        with session.begin_nested():
            session.add(response)
    except IntegrityError as exc:  # answered a moment ago, in another request
        raise Conflict(already_answered_message()) from exc
    return response


def _respondent(
    session: Session, user: User, questionnaire: Questionnaire, data: ResponseCreate
) -> tuple[Organisation | None, str]:
    if data.organisation_id is None:
        code = countries.normalise_code(data.country) if data.country else None
        if code is None:
            raise FormError({"country": _("Choose the country you took part from.")})
        return None, code
    mine = {o.id: o for o in organisations.organisations_of(session, user)}
    organisation = mine.get(data.organisation_id)
    if organisation is None or not policies.may_answer_for(organisation):
        raise FormError(
            {"organisation_id": _("Choose one of your organisations, or answer as an individual.")}
        )
    if repository.response_of_organisation(session, questionnaire.id, organisation.id):
        raise Conflict(
            _("%(organisation)s has already answered this questionnaire. Each organisation "
              "answers once.") % {"organisation": organisation.name}
        )  # fmt: skip
    return organisation, organisation.country


def field_name(question: Question) -> str:
    return f"q-{question.id}"


def _answers(questionnaire: Questionnaire, given: list[AnswerInput]) -> list[Answer]:
    by_id = {q.id: q for q in questionnaire.questions}
    errors: dict[str, str] = {}
    seen: dict[int, AnswerInput] = {}
    for item in given:
        if item.question_id not in by_id or item.question_id in seen:
            raise FormError({"answers": _("Answer each question of this questionnaire once.")})
        seen[item.question_id] = item
    answers: list[Answer] = []
    for question in questionnaire.questions:
        given_answer = seen.get(question.id)
        answer, error = _answer(question, given_answer) if given_answer else (None, None)
        if error:
            errors[field_name(question)] = error
        elif answer is None and question.required:
            errors[field_name(question)] = _("Answer this question; it is required.")
        elif answer is not None:
            answers.append(answer)
    if errors:
        raise FormError(errors)
    return answers


def _answer(question: Question, item: AnswerInput) -> tuple[Answer | None, str | None]:
    """The answer to store (None: left blank), or a message saying what is wrong."""
    answer = Answer(question_id=question.id, scale_value=None, choices=[], text="")
    if question.kind is QuestionKind.scale:
        if item.value is None:
            return None, None
        if not 1 <= item.value <= question.scale_max:
            return None, _("Choose a value from 1 to %(max)s.") % {"max": question.scale_max}
        answer.scale_value = item.value
    elif question.kind is QuestionKind.text:
        if not item.text:
            return None, None
        answer.text = item.text
    else:
        choices = list(dict.fromkeys(item.choices))
        if not choices:
            return None, None
        if any(not 0 <= c < len(question.options) for c in choices):
            return None, _("Choose among the options given.")
        if question.kind is QuestionKind.single and len(choices) > 1:
            return None, _("Choose only one option.")
        answer.choices = sorted(choices)
    return answer, None
