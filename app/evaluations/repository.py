"""Every query of the evaluations domain, with its eager loads."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.consultations.models import Meeting
from app.evaluations.models import (
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireState,
    Response,
)
from app.organisations.models import Organisation

MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer are forged; don't send them to the database


def valid_id(object_id: int) -> bool:
    return 0 < object_id <= MAX_ID


def _questionnaire_query() -> Select[Questionnaire]:
    return select(Questionnaire).options(
        joinedload(Questionnaire.meeting).joinedload(Meeting.process),
        selectinload(Questionnaire.questions),
    )


def get_questionnaire(
    session: Session, questionnaire_id: int, *, lock: bool = False
) -> Questionnaire | None:
    """With its meeting, process and questions. `lock`: FOR UPDATE (PostgreSQL) so that
    editing the questions and opening the questionnaire do not cross."""
    if not valid_id(questionnaire_id):
        return None
    stmt = _questionnaire_query().where(Questionnaire.id == questionnaire_id)
    if lock:
        stmt = stmt.with_for_update(of=Questionnaire)
    return session.scalar(stmt)


def list_questionnaires(
    session: Session, meeting_id: int, states: Collection[QuestionnaireState]
) -> list[Questionnaire]:
    stmt = _questionnaire_query().where(
        Questionnaire.meeting_id == meeting_id, Questionnaire.state.in_(list(states))
    )
    return list(session.scalars(stmt.order_by(Questionnaire.created_at, Questionnaire.id)))


def list_open_questionnaires(session: Session) -> list[Questionnaire]:
    stmt = _questionnaire_query().where(Questionnaire.state == QuestionnaireState.open)
    return list(session.scalars(stmt.order_by(Questionnaire.closes_at, Questionnaire.id)))


def find_by_title(session: Session, meeting_id: int, title: str) -> Questionnaire | None:
    stmt = select(Questionnaire).where(
        Questionnaire.meeting_id == meeting_id, Questionnaire.title == title
    )
    return session.scalars(stmt.limit(1)).first()


def answered_ids(session: Session, user_id: int, questionnaire_ids: Collection[int]) -> set[int]:
    """Which of the questionnaires the user has answered."""
    if not questionnaire_ids:
        return set()
    stmt = select(Response.questionnaire_id).where(
        Response.respondent_id == user_id, Response.questionnaire_id.in_(list(questionnaire_ids))
    )
    return set(session.scalars(stmt))


def response_of_user(session: Session, questionnaire_id: int, user_id: int) -> Response | None:
    stmt = select(Response).where(
        Response.questionnaire_id == questionnaire_id, Response.respondent_id == user_id
    )
    return session.scalar(stmt)


def response_of_organisation(
    session: Session, questionnaire_id: int, organisation_id: int
) -> Response | None:
    stmt = select(Response).where(
        Response.questionnaire_id == questionnaire_id,
        Response.organisation_id == organisation_id,
    )
    return session.scalar(stmt)


def count_responses(session: Session, questionnaire_id: int) -> int:
    stmt = select(func.count(Response.id)).where(Response.questionnaire_id == questionnaire_id)
    return session.scalar(stmt) or 0


def response_counts(session: Session, questionnaire_ids: Collection[int]) -> dict[int, int]:
    if not questionnaire_ids:
        return {}
    stmt = (
        select(Response.questionnaire_id, func.count(Response.id))
        .where(Response.questionnaire_id.in_(list(questionnaire_ids)))
        .group_by(Response.questionnaire_id)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


def answers_of(session: Session, questionnaire_id: int) -> list[Answer]:
    """Every answer to the questionnaire, oldest response first."""
    stmt = (
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.questionnaire_id == questionnaire_id)
        .order_by(Response.submitted_at, Response.id, Answer.question_id)
    )
    return list(session.scalars(stmt))


def countries_of(session: Session, questionnaire_id: int) -> dict[str, int]:
    stmt = (
        select(Response.country, func.count(Response.id))
        .where(Response.questionnaire_id == questionnaire_id)
        .group_by(Response.country)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


def export_statement(
    questionnaire_id: int, *, text_only: bool = False
) -> Select[Response, Question, Answer, str]:
    """One row per answer: response, question, answer, the organisation's name (or '')."""
    stmt = (
        select(Response, Question, Answer, func.coalesce(Organisation.name, ""))
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Organisation, Organisation.id == Response.organisation_id)
        .where(Response.questionnaire_id == questionnaire_id)
        .order_by(Response.submitted_at, Response.id, Question.position, Question.id)
    )
    if text_only:
        stmt = stmt.where(Question.kind == QuestionKind.text)
    return stmt


# --- across a process (the impact dashboard reads these through the service) --------------------


def responses_by_country(session: Session, process_id: int) -> dict[str, int]:
    stmt = (
        select(Response.country, func.count(Response.id))
        .join(Questionnaire, Questionnaire.id == Response.questionnaire_id)
        .join(Meeting, Meeting.id == Questionnaire.meeting_id)
        .where(Meeting.process_id == process_id)
        .group_by(Response.country)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


def responses_by_meeting(session: Session, process_id: int) -> dict[int, int]:
    stmt = (
        select(Questionnaire.meeting_id, func.count(Response.id))
        .join(Response, Response.questionnaire_id == Questionnaire.id)
        .join(Meeting, Meeting.id == Questionnaire.meeting_id)
        .where(Meeting.process_id == process_id)
        .group_by(Questionnaire.meeting_id)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


def responses_by_meeting_and_country(
    session: Session, process_id: int
) -> dict[tuple[int, str], int]:
    stmt = (
        select(Questionnaire.meeting_id, Response.country, func.count(Response.id))
        .join(Response, Response.questionnaire_id == Questionnaire.id)
        .join(Meeting, Meeting.id == Questionnaire.meeting_id)
        .where(Meeting.process_id == process_id)
        .group_by(Questionnaire.meeting_id, Response.country)
    )
    return {(m, c): n for m, c, n in session.execute(stmt)}


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    if not valid_id(meeting_id):
        return None
    stmt = select(Meeting).options(joinedload(Meeting.process)).where(Meeting.id == meeting_id)
    return session.scalar(stmt)
