"""Evaluation questionnaires: organisers build them for a meeting (questions change only while
a draft), open and close them; participants answer once (app.evaluations.answering); organisers
read the results per question (app.evaluations.results). Services flush; the request commits.

Public functions for other domains (the impact dashboard calls these; each is one grouped
query, cheap enough for a page view):

- `responses_by_country(session, process_id) -> dict[str, int]`: ISO 3166-1 alpha-2 code ->
  number of questionnaire responses, across every questionnaire of the process's meetings.
  Countries without responses are absent (read missing keys as 0).
- `responses_by_meeting(session, process_id) -> dict[int, int]`: meeting id -> responses.
- `responses_by_meeting_and_country(session, process_id) -> dict[tuple[int, str], int]`:
  (meeting id, country) -> responses, e.g. for participation over time per country.

A response's country is fixed when it is given (the organisation's country, or the one an
individual named), so these figures do not move when a profile changes later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting, Process
from app.errors import Conflict, Forbidden, FormError, NotFound
from app.evaluations import policies, repository
from app.evaluations.models import Question, QuestionKind, Questionnaire, QuestionnaireState
from app.evaluations.schemas import (
    QUESTIONS_MAX,
    QuestionCreate,
    QuestionnaireCreate,
    QuestionnaireUpdate,
    QuestionUpdate,
)
from app.i18n import gettext as _

QUESTION_FIELDS = (
    "kind", "text", "help_text", "required", "options",
    "scale_max", "scale_low_label", "scale_high_label",
)  # fmt: skip
SETTINGS_FIELDS = ("title", "intro", "opens_at", "closes_at")


# --- public figures for other domains -------------------------------------------------------


def responses_by_country(session: Session, process_id: int) -> dict[str, int]:
    return repository.responses_by_country(session, process_id)


def responses_by_meeting(session: Session, process_id: int) -> dict[int, int]:
    return repository.responses_by_meeting(session, process_id)


def responses_by_meeting_and_country(
    session: Session, process_id: int
) -> dict[tuple[int, str], int]:
    return repository.responses_by_meeting_and_country(session, process_id)


# --- access -----------------------------------------------------------------------------------


def not_found() -> NotFound:
    return NotFound(_("There is no such questionnaire."))


def may_manage(session: Session, user: User | None, process_id: int) -> bool:
    return policies.can_manage(user, consultations.roles_in(session, user, process_id))


def require_manager(session: Session, user: User, process_id: int) -> None:
    if not may_manage(session, user, process_id):
        raise Forbidden(_("Only the organisers of this process can manage its questionnaires."))


def get_visible(
    session: Session, user: User, questionnaire_id: int, *, lock: bool = False
) -> Questionnaire:
    """The questionnaire if the user may see it; drafts are 404 to everyone but organisers."""
    questionnaire = repository.get_questionnaire(session, questionnaire_id, lock=lock)
    if questionnaire is None:
        raise not_found()
    roles = consultations.roles_in(session, user, questionnaire.meeting.process_id)
    if not policies.can_see(user, roles, questionnaire.state):
        raise not_found()
    return questionnaire


def get_managed(
    session: Session, user: User, questionnaire_id: int, *, lock: bool = False
) -> Questionnaire:
    questionnaire = repository.get_questionnaire(session, questionnaire_id, lock=lock)
    if questionnaire is None:
        raise not_found()
    require_manager(session, user, questionnaire.meeting.process_id)
    return questionnaire


def list_for_meeting(session: Session, user: User, meeting: Meeting) -> list[Questionnaire]:
    """Drafts too for organisers; open and closed ones for everyone else."""
    states = list(QuestionnaireState)
    if not may_manage(session, user, meeting.process_id):
        states = [QuestionnaireState.open, QuestionnaireState.closed]
    return repository.list_questionnaires(session, meeting.id, states)


def open_questionnaires(session: Session, now: datetime) -> list[Questionnaire]:
    """Every questionnaire taking answers now, soonest closing first."""
    return [
        q for q in repository.list_open_questionnaires(session) if policies.is_accepting(q, now)
    ]


def managed_meetings(session: Session, user: User) -> list[tuple[Process, Meeting]]:
    """The meetings of the processes the user organises, for the way to their questionnaires."""
    return [
        (process, meeting)
        for process in consultations.processes_of(session, user)
        if may_manage(session, user, process.id)
        for meeting in consultations.list_meetings(session, process)
    ]


def answered_ids(session: Session, user: User, questionnaires: list[Questionnaire]) -> set[int]:
    return repository.answered_ids(session, user.id, [q.id for q in questionnaires])


def response_counts(session: Session, questionnaires: list[Questionnaire]) -> dict[int, int]:
    return repository.response_counts(session, [q.id for q in questionnaires])


# --- the questionnaire ------------------------------------------------------------------------


def _dates(meeting: Meeting, values: dict[str, Any]) -> dict[str, Any]:
    """Naive times are the meeting's wall-clock time; the window must not end before it opens."""
    errors: dict[str, str] = {}
    for field in ("opens_at", "closes_at"):
        if field in values:
            values[field] = consultations.local_to_utc(
                values[field], meeting.timezone, field, errors
            )
    if errors:
        raise FormError({k: _(v) for k, v in errors.items()})
    return values


def _only(values: dict[str, Any], keys: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in keys}


def _check_window(questionnaire: Questionnaire) -> None:
    opens, closes = questionnaire.opens_at, questionnaire.closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise FormError({"closes_at": _("The closing time must come after the opening time.")})


def _snapshot(questionnaire: Questionnaire) -> dict[str, Any]:
    return consultations.snapshot(questionnaire, (*SETTINGS_FIELDS, "state"))


def create_questionnaire(
    session: Session, actor: User, meeting: Meeting, data: QuestionnaireCreate
) -> Questionnaire:
    values = _dates(meeting, data.model_dump())
    questionnaire = Questionnaire(meeting_id=meeting.id, state=QuestionnaireState.draft, **values)
    questionnaire.meeting = meeting
    questionnaire.questions = []
    _check_window(questionnaire)
    session.add(questionnaire)
    session.flush()
    audit.record(
        session, actor, "questionnaire.create", "questionnaire", questionnaire.id,
        None, _snapshot(questionnaire),
    )  # fmt: skip
    return questionnaire


def update_questionnaire(
    session: Session, actor: User, questionnaire: Questionnaire, data: QuestionnaireUpdate
) -> Questionnaire:
    if not policies.settings_editable(questionnaire.state):
        raise Conflict(_("A closed questionnaire cannot be changed; open it again first."))
    changes = _dates(questionnaire.meeting, data.changes())
    for field in ("title", "intro"):
        if changes.get(field, "") is None:
            raise FormError({field: _("This field cannot be empty.")})
    before = _snapshot(questionnaire)
    merged = {field: getattr(questionnaire, field) for field in ("opens_at", "closes_at")}
    _check_window(Questionnaire(**{**merged, **_only(changes, merged)}))  # before any change
    for field, value in changes.items():
        setattr(questionnaire, field, value)
    session.flush()
    after = _snapshot(questionnaire)
    if after != before:
        audit.record(
            session, actor, "questionnaire.update", "questionnaire", questionnaire.id,
            before, after,
        )  # fmt: skip
    return questionnaire


def open_questionnaire(
    session: Session, actor: User, questionnaire: Questionnaire
) -> Questionnaire:
    if not policies.can_open(questionnaire.state):
        raise Conflict(_("This questionnaire is already open."))
    if not questionnaire.questions:
        raise Conflict(_("Add at least one question before opening the questionnaire."))
    return _set_state(session, actor, questionnaire, QuestionnaireState.open)


def close_questionnaire(
    session: Session, actor: User, questionnaire: Questionnaire
) -> Questionnaire:
    if not policies.can_close(questionnaire.state):
        raise Conflict(_("Only an open questionnaire can be closed."))
    return _set_state(session, actor, questionnaire, QuestionnaireState.closed)


def _set_state(
    session: Session, actor: User, questionnaire: Questionnaire, state: QuestionnaireState
) -> Questionnaire:
    before = str(questionnaire.state)
    questionnaire.state = state
    session.flush()
    audit.record(
        session, actor, f"questionnaire.{state}", "questionnaire", questionnaire.id,
        {"state": before}, {"state": str(state)},
    )  # fmt: skip
    return questionnaire


# --- questions --------------------------------------------------------------------------------


def _require_draft(questionnaire: Questionnaire) -> None:
    if not policies.questions_editable(questionnaire.state):
        raise Conflict(
            _("Questions can only be changed while the questionnaire is a draft: people may "
              "already have answered them.")
        )  # fmt: skip


def _check_question(question: Question) -> None:
    if question.kind in (QuestionKind.single, QuestionKind.multiple):
        if len(question.options) < 2:
            raise FormError({"options": _("Give at least two options, one per line.")})
    else:
        question.options = []
    if question.kind is not QuestionKind.scale:
        question.scale_low_label = question.scale_high_label = ""


def _question_snapshot(question: Question) -> dict[str, Any]:
    return {**consultations.snapshot(question, QUESTION_FIELDS), "kind": str(question.kind)}


def get_question(questionnaire: Questionnaire, question_id: int) -> Question:
    for question in questionnaire.questions:
        if question.id == question_id:
            return question
    raise NotFound(_("There is no such question in this questionnaire."))


def _renumber(questionnaire: Questionnaire) -> None:
    for position, question in enumerate(questionnaire.questions):
        question.position = position


def add_question(
    session: Session, actor: User, questionnaire: Questionnaire, data: QuestionCreate
) -> Question:
    _require_draft(questionnaire)
    if len(questionnaire.questions) >= QUESTIONS_MAX:
        raise Conflict(_("A questionnaire holds at most %(n)s questions.") % {"n": QUESTIONS_MAX})
    question = Question(position=len(questionnaire.questions), **data.model_dump())
    _check_question(question)
    questionnaire.questions.append(question)
    session.flush()
    audit.record(
        session, actor, "questionnaire.question_add", "questionnaire", questionnaire.id,
        None, {"question_id": question.id, **_question_snapshot(question)},
    )  # fmt: skip
    return question


def update_question(
    session: Session,
    actor: User,
    questionnaire: Questionnaire,
    question: Question,
    data: QuestionUpdate,
) -> Question:
    _require_draft(questionnaire)
    changes = data.changes()
    position = changes.pop("position", None)
    before = _question_snapshot(question)
    candidate = Question(**{**{f: getattr(question, f) for f in QUESTION_FIELDS}, **changes})
    _check_question(candidate)  # on a copy: a refused edit leaves the question as it was
    for field in QUESTION_FIELDS:
        setattr(question, field, getattr(candidate, field))
    if position is not None:
        _place(questionnaire, question, position)
    session.flush()
    after = _question_snapshot(question)
    if after != before:
        audit.record(
            session, actor, "questionnaire.question_edit", "questionnaire", questionnaire.id,
            {"question_id": question.id, **before}, {"question_id": question.id, **after},
        )  # fmt: skip
    return question


def _place(questionnaire: Questionnaire, question: Question, position: int) -> None:
    order = [q for q in questionnaire.questions if q.id != question.id]
    order.insert(min(position, len(order)), question)
    questionnaire.questions[:] = order
    _renumber(questionnaire)


def move_question(
    session: Session, actor: User, questionnaire: Questionnaire, question: Question, step: int
) -> None:
    """Move one place up (step -1) or down (+1); at either end nothing moves."""
    _require_draft(questionnaire)
    ids = [q.id for q in questionnaire.questions]
    index = ids.index(question.id)
    target = index + step
    if not 0 <= target < len(ids):
        return
    _place(questionnaire, question, target)
    session.flush()
    audit.record(
        session, actor, "questionnaire.reorder", "questionnaire", questionnaire.id,
        {"question_ids": ids}, {"question_ids": [q.id for q in questionnaire.questions]},
    )  # fmt: skip


def delete_question(
    session: Session, actor: User, questionnaire: Questionnaire, question: Question
) -> None:
    _require_draft(questionnaire)
    before = {"question_id": question.id, **_question_snapshot(question)}
    questionnaire.questions.remove(question)  # delete-orphan
    _renumber(questionnaire)
    session.flush()
    audit.record(
        session, actor, "questionnaire.question_delete", "questionnaire", questionnaire.id,
        before, None,
    )  # fmt: skip
