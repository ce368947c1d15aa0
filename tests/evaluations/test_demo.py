"""The demo questionnaire: loaded with the rest of the demo, open, answered from many countries,
loaded once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import demo
from app.accounts import service as accounts
from app.config import Settings
from app.consultations import service as consultations
from app.evaluations import demo as evaluations_demo
from app.evaluations import policies, repository, results, service
from app.evaluations.models import Questionnaire, QuestionnaireState, Response
from app.impact import demo as impact_demo

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_demo_questionnaire(db: Session, settings: Settings) -> None:
    assert demo.load(db, settings, NOW) is True
    # on the follow-up demo's process, so that its dashboard counts the responses
    process = consultations.get_process_page(db, impact_demo.PROCESS_SLUG)
    questionnaire = db.scalars(select(Questionnaire)).one()
    questionnaire = repository.get_questionnaire(db, questionnaire.id)
    assert questionnaire is not None
    assert questionnaire.meeting.process_id == process.id
    assert questionnaire.meeting.ends_on < NOW.date()  # after a past meeting: the last one
    assert questionnaire.title == "How was the Second Ministerial Conference?"
    assert questionnaire.state is QuestionnaireState.open
    assert policies.is_accepting(questionnaire, NOW)
    assert len(questionnaire.questions) == 6
    by_country = service.responses_by_country(db, process.id)
    assert sum(by_country.values()) == 26 and len(by_country) == 12
    outcome = results.results(db, questionnaire)
    assert outcome.questions[0].answered == 26  # required
    assert outcome.questions[0].mean is not None
    assert outcome.questions[5].texts  # some free text to export
    for user in accounts.demo_users(db):  # newcomers can still try answering
        assert service.answered_ids(db, user, [questionnaire]) == set()
    # loading again adds nothing
    assert demo.load(db, settings, NOW) is False
    organiser = next(u for u in accounts.demo_users(db) if u.subject == "organiser")
    moderator = next(u for u in accounts.demo_users(db) if u.subject == "moderator")
    assert evaluations_demo.load(db, process, organiser, moderator, NOW) is None
    assert db.scalar(select(func.count(Response.id))) == 26
