"""The rules: building while a draft, opening and closing, answering once, aggregation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, FormError, NotFound
from app.evaluations import answering, repository, results, service
from app.evaluations.models import QuestionKind, QuestionnaireState, Response
from app.evaluations.schemas import (
    AnswerInput,
    QuestionCreate,
    QuestionnaireCreate,
    QuestionnaireUpdate,
    QuestionUpdate,
    ResponseCreate,
)
from tests.evaluations.world import (
    NOW,
    EvaluationWorld,
    add_question,
    make_questionnaire,
    make_response,
)
from tests.factories import make_meeting, make_organisation, make_process, make_user


def _full_answer(ew: EvaluationWorld, **kw: object) -> ResponseCreate:
    answers = [
        AnswerInput(question_id=ew.scale.id, value=4),
        AnswerInput(question_id=ew.single.id, choices=[1]),
        AnswerInput(question_id=ew.multiple.id, choices=[0, 2]),
        AnswerInput(question_id=ew.text.id, text="More time for questions."),
    ]
    return ResponseCreate(answers=answers, **kw)  # type: ignore[arg-type]


def _count(db: Session) -> int:
    return db.scalar(select(func.count(Response.id))) or 0


# --- answering ---------------------------------------------------------------------------------


def test_an_individual_answers_once(db: Session, ew: EvaluationWorld) -> None:
    questionnaire = ew.reload()
    response = answering.submit_response(
        db, ew.stranger, questionnaire, _full_answer(ew, country="am"), NOW
    )
    db.flush()
    assert (response.country, response.organisation_id) == ("AM", None)
    assert len(response.answers) == 4
    with pytest.raises(Conflict) as exc:
        answering.submit_response(
            db, ew.stranger, questionnaire, _full_answer(ew, country="AM"), NOW
        )
    assert exc.value.status == 409
    assert "already answered" in exc.value.message
    assert _count(db) == 1


def test_an_organisation_answers_once_whoever_of_its_members(
    db: Session, ew: EvaluationWorld
) -> None:
    questionnaire = ew.reload()
    data = _full_answer(ew, organisation_id=ew.org.id, country="FR")
    response = answering.submit_response(db, ew.owner, questionnaire, data, NOW)
    assert response.country == "KG"  # the organisation's country, not the one typed
    with pytest.raises(Conflict) as exc:
        answering.submit_response(db, ew.member, questionnaire, data, NOW)
    assert "Migrant Workers Support Centre has already answered" in exc.value.message
    # the member may still answer in their own name
    answering.submit_response(db, ew.member, questionnaire, _full_answer(ew, country="KZ"), NOW)
    assert _count(db) == 2


def test_the_database_refuses_a_second_response_that_slips_past_the_checks(
    db: Session, ew: EvaluationWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests that both pass the checks before either writes: the unique keys decide."""
    questionnaire = ew.reload()
    make_response(db, questionnaire, ew.member, {ew.scale: 3}, organisation=ew.org)
    monkeypatch.setattr(repository, "response_of_user", lambda *_args: None)
    monkeypatch.setattr(repository, "response_of_organisation", lambda *_args: None)
    for user, data in [
        (ew.member, _full_answer(ew, country="KG")),  # same person
        (ew.owner, _full_answer(ew, organisation_id=ew.org.id)),  # same organisation
    ]:
        with pytest.raises(Conflict) as exc:
            answering.submit_response(db, user, questionnaire, data, NOW)
        assert exc.value.status == 409
    assert _count(db) == 1
    answering.submit_response(db, ew.owner, questionnaire, _full_answer(ew, country="KG"), NOW)
    assert _count(db) == 2  # the session is still usable after the refused inserts


@pytest.mark.parametrize("org_attr", ["other_org", "rejected_org"])
def test_not_on_behalf_of_someone_elses_or_a_rejected_organisation(
    db: Session, ew: EvaluationWorld, org_attr: str
) -> None:
    org = getattr(ew, org_attr)
    with pytest.raises(FormError) as exc:
        answering.submit_response(
            db, ew.owner, ew.reload(), _full_answer(ew, organisation_id=org.id), NOW
        )
    assert "organisation_id" in exc.value.fields
    assert _count(db) == 0


def test_an_individual_names_a_real_country(db: Session, ew: EvaluationWorld) -> None:
    for country in ("", "XX"):
        with pytest.raises(FormError) as exc:
            answering.submit_response(
                db, ew.stranger, ew.reload(), _full_answer(ew, country=country), NOW
            )
        assert "country" in exc.value.fields


def test_required_and_invalid_answers_are_named_per_question(
    db: Session, ew: EvaluationWorld
) -> None:
    data = ResponseCreate(
        country="KG",
        answers=[
            AnswerInput(question_id=ew.single.id, choices=[0, 1]),  # two on a single choice
            AnswerInput(question_id=ew.multiple.id, choices=[7]),  # no such option
        ],
    )
    with pytest.raises(FormError) as exc:
        answering.submit_response(db, ew.stranger, ew.reload(), data, NOW)
    assert exc.value.fields == {
        f"q-{ew.scale.id}": "Answer this question; it is required.",
        f"q-{ew.single.id}": "Choose only one option.",
        f"q-{ew.multiple.id}": "Choose among the options given.",
    }
    too_high = ResponseCreate(country="KG", answers=[AnswerInput(question_id=ew.scale.id, value=6)])
    with pytest.raises(FormError) as exc:
        answering.submit_response(db, ew.stranger, ew.reload(), too_high, NOW)
    assert exc.value.fields == {f"q-{ew.scale.id}": "Choose a value from 1 to 5."}
    assert _count(db) == 0


def test_answers_to_another_questionnaires_questions_are_refused(
    db: Session, ew: EvaluationWorld
) -> None:
    other = make_questionnaire(db, ew.meeting)
    foreign = add_question(db, other, QuestionKind.text)
    data = ResponseCreate(
        country="KG",
        answers=[AnswerInput(question_id=ew.scale.id, value=3),
                 AnswerInput(question_id=foreign.id, text="x")],
    )  # fmt: skip
    with pytest.raises(FormError) as exc:
        answering.submit_response(db, ew.stranger, ew.reload(), data, NOW)
    assert "answers" in exc.value.fields


def test_optional_questions_may_be_skipped(db: Session, ew: EvaluationWorld) -> None:
    data = ResponseCreate(country="KG", answers=[AnswerInput(question_id=ew.scale.id, value=2)])
    response = answering.submit_response(db, ew.stranger, ew.reload(), data, NOW)
    assert [a.question_id for a in response.answers] == [ew.scale.id]


@pytest.mark.parametrize(
    ("state", "window", "message"),
    [
        (QuestionnaireState.closed, {}, "closed"),
        (QuestionnaireState.draft, {}, "not open"),
        (QuestionnaireState.open, {"closes_at": NOW - timedelta(minutes=1)}, "closed"),
        (QuestionnaireState.open, {"opens_at": NOW + timedelta(days=1)}, "not open"),
    ],
)
def test_no_answers_outside_the_open_window(
    db: Session, ew: EvaluationWorld, state: QuestionnaireState, window: dict, message: str
) -> None:
    ew.questionnaire.state = state
    for field, value in window.items():
        setattr(ew.questionnaire, field, value)
    db.flush()
    with pytest.raises(Conflict) as exc:
        answering.submit_response(db, ew.stranger, ew.reload(), _full_answer(ew, country="KG"), NOW)
    assert message in exc.value.message
    assert _count(db) == 0


# --- building ----------------------------------------------------------------------------------


def test_organisers_build_a_draft_and_open_it(db: Session, ew: EvaluationWorld) -> None:
    created = service.create_questionnaire(
        db, ew.organiser, ew.meeting, QuestionnaireCreate(title="Feedback", intro="Why we ask")
    )
    questionnaire = service.get_managed(db, ew.organiser, created.id)
    assert questionnaire.state is QuestionnaireState.draft
    with pytest.raises(Conflict, match="at least one question"):
        service.open_questionnaire(db, ew.organiser, questionnaire)
    first = service.add_question(
        db, ew.organiser, questionnaire,
        QuestionCreate(kind=QuestionKind.scale, text="Useful?", scale_max=7, options=["ignored"]),
    )  # fmt: skip
    second = service.add_question(
        db, ew.organiser, questionnaire,
        QuestionCreate(kind=QuestionKind.single, text="Format?", options=["Online", "In person"]),
    )  # fmt: skip
    assert first.options == []  # options belong to choice questions only
    service.move_question(db, ew.organiser, questionnaire, second, -1)
    assert [q.id for q in questionnaire.questions] == [second.id, first.id]
    assert [q.position for q in questionnaire.questions] == [0, 1]
    service.update_question(
        db, ew.organiser, questionnaire, first, QuestionUpdate(text="How useful?", position=0)
    )
    assert [q.text for q in questionnaire.questions] == ["How useful?", "Format?"]
    service.delete_question(db, ew.organiser, questionnaire, second)
    assert [q.id for q in questionnaire.questions] == [first.id]
    service.open_questionnaire(db, ew.organiser, questionnaire)
    assert questionnaire.state is QuestionnaireState.open


def test_choice_questions_need_two_different_options(db: Session, ew: EvaluationWorld) -> None:
    draft = make_questionnaire(db, ew.meeting, QuestionnaireState.draft)
    questionnaire = service.get_managed(db, ew.organiser, draft.id)
    with pytest.raises(FormError) as exc:
        service.add_question(
            db, ew.organiser, questionnaire,
            QuestionCreate(kind=QuestionKind.multiple, text="Which?", options=["Only one"]),
        )  # fmt: skip
    assert "options" in exc.value.fields
    with pytest.raises(ValueError, match="different"):
        QuestionCreate(kind=QuestionKind.single, text="Which?", options=["A", "a"])


def test_questions_are_frozen_once_open(db: Session, ew: EvaluationWorld) -> None:
    questionnaire = service.get_managed(db, ew.organiser, ew.questionnaire.id)
    scale = service.get_question(questionnaire, ew.scale.id)
    attempts = [
        lambda: service.add_question(
            db, ew.organiser, questionnaire, QuestionCreate(kind=QuestionKind.text, text="New?")
        ),
        lambda: service.update_question(
            db, ew.organiser, questionnaire, scale, QuestionUpdate(text="Changed")
        ),
        lambda: service.move_question(db, ew.organiser, questionnaire, scale, 1),
        lambda: service.delete_question(db, ew.organiser, questionnaire, scale),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="draft"):
            attempt()
    assert [q.text for q in ew.reload().questions] == [
        "How useful was the meeting?",
        "Best part?",
        "What to improve?",
        "Anything else?",
    ]


def test_closing_and_reopening(db: Session, ew: EvaluationWorld) -> None:
    questionnaire = service.get_managed(db, ew.organiser, ew.questionnaire.id)
    with pytest.raises(Conflict):
        service.open_questionnaire(db, ew.organiser, questionnaire)
    service.close_questionnaire(db, ew.organiser, questionnaire)
    with pytest.raises(Conflict):
        service.close_questionnaire(db, ew.organiser, questionnaire)
    with pytest.raises(Conflict, match="closed"):
        service.update_questionnaire(
            db, ew.organiser, questionnaire, QuestionnaireUpdate(title="x")
        )
    service.open_questionnaire(db, ew.organiser, questionnaire)
    assert questionnaire.state is QuestionnaireState.open


def test_dates_are_the_meetings_local_time_and_must_be_in_order(
    db: Session, ew: EvaluationWorld
) -> None:
    questionnaire = service.get_managed(db, ew.organiser, ew.questionnaire.id)
    data = QuestionnaireUpdate.model_validate({"closes_at": "2026-12-01T18:00"})
    service.update_questionnaire(db, ew.organiser, questionnaire, data)
    assert questionnaire.closes_at is not None
    assert questionnaire.closes_at.isoformat() == "2026-12-01T12:00:00+00:00"  # Bishkek is UTC+6
    late_open = QuestionnaireUpdate.model_validate({"opens_at": "2026-12-02T09:00"})
    with pytest.raises(FormError) as exc:
        service.update_questionnaire(db, ew.organiser, questionnaire, late_open)
    assert "closes_at" in exc.value.fields


def test_every_change_is_audited(db: Session, ew: EvaluationWorld) -> None:
    from app.audit.models import AuditEvent

    questionnaire = service.get_managed(db, ew.organiser, ew.questionnaire.id)
    service.close_questionnaire(db, ew.organiser, questionnaire)
    event = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "questionnaire")).one()
    assert (event.action, event.actor_id) == ("questionnaire.closed", ew.organiser.id)
    assert (event.before, event.after) == ({"state": "open"}, {"state": "closed"})


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["moderator", "other_organiser", "stranger", "owner"])
def test_only_organisers_manage(db: Session, ew: EvaluationWorld, who: str) -> None:
    user = getattr(ew, who)
    with pytest.raises(Forbidden):
        service.get_managed(db, user, ew.questionnaire.id)
    with pytest.raises(Forbidden):
        service.require_manager(db, user, ew.process.id)


def test_drafts_are_invisible_to_everyone_but_organisers(db: Session, ew: EvaluationWorld) -> None:
    draft = make_questionnaire(db, ew.meeting, QuestionnaireState.draft, title="Secret draft")
    for user in (ew.stranger, ew.moderator, ew.other_organiser):
        with pytest.raises(NotFound):
            service.get_visible(db, user, draft.id)
        titles = [q.title for q in service.list_for_meeting(db, user, ew.meeting)]
        assert titles == ["How was the meeting?"]
    for user in (ew.organiser, ew.admin):
        assert service.get_visible(db, user, draft.id).id == draft.id
        assert len(service.list_for_meeting(db, user, ew.meeting)) == 2


# --- results and public figures ----------------------------------------------------------------


def test_aggregation_with_known_answers(db: Session, ew: EvaluationWorld) -> None:
    questionnaire = ew.reload()
    users = [make_user(db) for _ in range(5)]
    given = [  # scale, single, multiple, text
        (5, [0], [0, 1], "Great"),
        (4, [0], [1], ""),
        (4, [2], [], "Too long"),
        (1, None, [1, 2], None),
        (2, [0], None, None),
    ]
    for user, (scale, single, multiple, text) in zip(users, given, strict=True):
        answers: dict = {ew.scale: scale}
        if single is not None:
            answers[ew.single] = single
        if multiple:
            answers[ew.multiple] = multiple
        if text:
            answers[ew.text] = text
        make_response(db, questionnaire, user, answers, country="KG" if scale > 3 else "AM")
    outcome = results.results(db, questionnaire)
    assert outcome.responses == 5
    assert outcome.by_country == {"AM": 2, "KG": 3}
    scale, single, multiple, text = outcome.questions
    assert [c.count for c in scale.counts] == [1, 1, 0, 2, 1]
    assert scale.mean == pytest.approx(3.2)
    assert scale.median == 4.0
    assert (scale.answered, scale.skipped) == (5, 0)
    assert [(c.label, c.count) for c in single.counts] == [
        ("Agenda", 3), ("Speakers", 0), ("Interpretation", 1)
    ]  # fmt: skip
    assert single.counts[0].share == pytest.approx(0.75)
    assert (single.answered, single.skipped) == (4, 1)
    assert [c.count for c in multiple.counts] == [1, 3, 1]
    assert (multiple.answered, multiple.skipped) == (3, 2)
    assert [c.share for c in multiple.counts] == pytest.approx([1 / 3, 1.0, 1 / 3])
    assert text.texts == ["Great", "Too long"]
    assert (text.answered, text.skipped) == (2, 3)


def test_aggregation_without_answers(db: Session, ew: EvaluationWorld) -> None:
    outcome = results.results(db, ew.reload())
    assert outcome.responses == 0
    scale = outcome.questions[0]
    assert scale.mean is None and scale.median is None
    assert [c.share for c in scale.counts] == [0.0] * 5


def test_median_of_an_even_number_of_answers(db: Session, ew: EvaluationWorld) -> None:
    questionnaire = ew.reload()
    for value in (1, 2, 4, 5):
        make_response(db, questionnaire, make_user(db), {ew.scale: value})
    scale = results.results(db, questionnaire).questions[0]
    assert (scale.mean, scale.median) == (3.0, 3.0)


def test_responses_by_country_across_the_process(db: Session, ew: EvaluationWorld) -> None:
    later = make_meeting(db, ew.process)
    second = make_questionnaire(db, later)
    for country in ("KG", "KG", "AM"):
        make_response(db, ew.questionnaire, make_user(db), {}, country=country)
    make_response(db, second, make_user(db), {}, country="KG")
    unrelated = make_questionnaire(db, make_meeting(db, make_process(db)))
    make_response(db, unrelated, make_user(db), {}, country="ES")
    assert service.responses_by_country(db, ew.process.id) == {"KG": 3, "AM": 1}
    assert service.responses_by_meeting(db, ew.process.id) == {ew.meeting.id: 3, later.id: 1}
    assert service.responses_by_meeting_and_country(db, ew.process.id) == {
        (ew.meeting.id, "KG"): 2, (ew.meeting.id, "AM"): 1, (later.id, "KG"): 1,
    }  # fmt: skip
    assert service.responses_by_country(db, make_process(db).id) == {}


def test_responses_survive_an_erased_account(db: Session, ew: EvaluationWorld) -> None:
    user = make_user(db)
    org = make_organisation(db, owner=user, country="TJ")
    make_response(db, ew.questionnaire, user, {ew.scale: 3}, organisation=org, country="TJ")
    db.delete(user)
    db.flush()
    db.expire_all()
    assert service.responses_by_country(db, ew.process.id) == {"TJ": 1}
