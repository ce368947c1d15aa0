"""A meeting with a questionnaire and everyone who may (or may not) build, answer or read it.
Test modules import the `ew` fixture (`from tests.evaluations.world import ew`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting, Process, ProcessRole
from app.evaluations.models import (
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireState,
    Response,
)
from app.organisations.models import Organisation, Verification
from tests.factories import (
    add_member,
    grant,
    make_meeting,
    make_organisation,
    make_process,
    make_user,
)

NOW = datetime.now(UTC)


def make_questionnaire(
    db: Session, meeting: Meeting, state: QuestionnaireState = QuestionnaireState.open, **kw: Any
) -> Questionnaire:
    values: dict[str, Any] = {"meeting_id": meeting.id, "title": "How was the meeting?"}
    values.update(kw)
    questionnaire = Questionnaire(state=state, **values)
    db.add(questionnaire)
    db.flush()
    return questionnaire


def add_question(
    db: Session, questionnaire: Questionnaire, kind: QuestionKind, **kw: Any
) -> Question:
    position = kw.pop("position", None)
    if position is None:
        stmt = select(func.count(Question.id)).where(Question.questionnaire_id == questionnaire.id)
        position = db.scalar(stmt) or 0
    values: dict[str, Any] = {"text": f"Question about {kind}", "required": False}
    if kind in (QuestionKind.single, QuestionKind.multiple):
        values["options"] = ["Agenda", "Speakers", "Interpretation"]
    values.update(kw)
    question = Question(questionnaire_id=questionnaire.id, kind=kind, position=position, **values)
    db.add(question)
    db.flush()
    return question


def make_response(
    db: Session,
    questionnaire: Questionnaire,
    respondent: User | None,
    answers: dict[Question, Any],
    *,
    country: str = "KG",
    organisation: Organisation | None = None,
) -> Response:
    """A response with answers given as {question: value} (int, list of option indexes, str)."""
    response = Response(
        questionnaire_id=questionnaire.id,
        respondent_id=respondent.id if respondent else None,
        organisation_id=organisation.id if organisation else None,
        country=country,
    )
    db.add(response)
    db.flush()
    for question, value in answers.items():
        answer = Answer(response_id=response.id, question_id=question.id, choices=[], text="")
        if isinstance(value, int):
            answer.scale_value = value
        elif isinstance(value, list):
            answer.choices = value
        else:
            answer.text = value
        db.add(answer)
    db.flush()
    return response


@dataclass
class EvaluationWorld:
    db: Session
    process: Process
    meeting: Meeting
    questionnaire: Questionnaire
    scale: Question
    single: Question
    multiple: Question
    text: Question
    org: Organisation
    other_org: Organisation
    rejected_org: Organisation
    owner: User
    member: User
    organiser: User
    moderator: User
    admin: User
    other_organiser: User
    stranger: User

    @property
    def url(self) -> str:
        return f"/questionnaires/{self.questionnaire.id}"

    @property
    def meeting_url(self) -> str:
        return f"/processes/{self.process.slug}/meetings/{self.meeting.slug}/questionnaires"

    @property
    def api_url(self) -> str:
        return f"/api/v1/questionnaires/{self.questionnaire.id}"

    def reload(self) -> Questionnaire:
        """The questionnaire with its meeting and questions loaded, as the routes see it."""
        from app.evaluations import repository

        self.db.expire_all()
        questionnaire = repository.get_questionnaire(self.db, self.questionnaire.id)
        assert questionnaire is not None
        return questionnaire


@pytest.fixture
def ew(db: Session) -> EvaluationWorld:
    process = make_process(db, title="Issyk-Kul Dialogue")
    other_process = make_process(db)
    meeting = make_meeting(db, process, title="Fourth Ministerial Meeting", timezone="Asia/Bishkek")
    owner, member = make_user(db), make_user(db)
    org = make_organisation(db, owner=owner, name="Migrant Workers Support Centre", country="KG")
    add_member(db, org, member)
    other_org = make_organisation(
        db, owner=make_user(db), name="Asociación de Migrantes", country="ES"
    )
    rejected_org = make_organisation(
        db, owner=owner, name="Rejected Org", country="FR", verification=Verification.rejected
    )
    organiser, moderator, admin = make_user(db), make_user(db), make_user(db, is_admin=True)
    other_organiser = make_user(db)
    grant(db, organiser, process, ProcessRole.organiser)
    grant(db, moderator, process, ProcessRole.moderator)
    grant(db, other_organiser, other_process, ProcessRole.organiser)
    consultations.get_meeting_page(db, process.slug, meeting.slug)
    questionnaire = make_questionnaire(db, meeting)
    scale = add_question(
        db, questionnaire, QuestionKind.scale, text="How useful was the meeting?", required=True,
        scale_max=5, scale_low_label="Not useful", scale_high_label="Very useful",
    )  # fmt: skip
    single = add_question(db, questionnaire, QuestionKind.single, text="Best part?")
    multiple = add_question(db, questionnaire, QuestionKind.multiple, text="What to improve?")
    text = add_question(db, questionnaire, QuestionKind.text, text="Anything else?")
    return EvaluationWorld(
        db=db, process=process, meeting=meeting, questionnaire=questionnaire, scale=scale,
        single=single, multiple=multiple, text=text, org=org, other_org=other_org,
        rejected_org=rejected_org, owner=owner, member=member, organiser=organiser,
        moderator=moderator, admin=admin, other_organiser=other_organiser,
        stranger=make_user(db),
    )  # fmt: skip


__all__ = ["NOW", "EvaluationWorld", "add_question", "ew", "make_questionnaire", "make_response"]
