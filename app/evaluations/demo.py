"""Demo data for evaluations: one questionnaire after the last past meeting of a demo process
(app/demo.py picks the follow-up process, whose dashboard counts questionnaire responses), with
six questions and 26 responses from organisations in twelve countries.

The questionnaire stays open for two more weeks, and none of the demo sign-in users has
answered it, so a newcomer can try answering too. The respondents are organisations created
here, whose members sign in through no provider (issuer `urn:plenary:demo-respondents`), so they
do not crowd the demo sign-in page. Everything goes through the services, like real use.
Loading twice changes nothing (the questionnaire is found by its title).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting, Process
from app.consultations.schemas import MeetingCreate
from app.evaluations import answering, repository, service
from app.evaluations.models import Question, QuestionKind, Questionnaire
from app.evaluations.schemas import AnswerInput, QuestionCreate, QuestionnaireCreate, ResponseCreate
from app.organisations import service as organisations
from app.organisations.models import OrganisationType, Verification
from app.organisations.schemas import OrganisationCreate, VerificationDecision

TITLE = "How was the {meeting}?"
RESPONDENT_ISSUER = "urn:plenary:demo-respondents"
SEED = 20261129

QUESTIONS = [
    QuestionCreate(
        kind=QuestionKind.scale, text="How useful was the meeting for your organisation?",
        required=True, scale_max=5,
        scale_low_label="Not useful at all", scale_high_label="Very useful",
    ),
    QuestionCreate(
        kind=QuestionKind.scale,
        text="How well were civil-society contributions reflected in the outcome document?",
        required=True, scale_max=5, scale_low_label="Not at all", scale_high_label="Fully",
    ),
    QuestionCreate(
        kind=QuestionKind.single, text="Did you receive the meeting documents in time to prepare?",
        options=["Yes, more than two weeks before", "Yes, but less than two weeks before", "No"],
    ),
    QuestionCreate(
        kind=QuestionKind.multiple, text="Which parts of the meeting were most valuable to you?",
        help_text="Choose as many as apply.",
        options=[
            "Plenary statements", "Thematic round tables", "Side events",
            "Informal contacts with government delegates", "The dossier of position papers",
        ],
    ),
    QuestionCreate(
        kind=QuestionKind.single, text="Would you take part in the next meeting?",
        required=True, options=["Yes", "Maybe", "No"],
    ),
    QuestionCreate(
        kind=QuestionKind.text, text="What should the organisers change for the next meeting?",
    ),
]  # fmt: skip

# country, responses from it
COUNTRIES = [
    ("KG", 4), ("KZ", 3), ("TJ", 3), ("UZ", 3), ("AM", 2), ("AZ", 2),
    ("GE", 2), ("MD", 2), ("UA", 2), ("TM", 1), ("TR", 1), ("RU", 1),
]  # fmt: skip

KINDS = [OrganisationType.ngo, OrganisationType.diaspora, OrganisationType.trade_union,
         OrganisationType.academic, OrganisationType.faith_based]  # fmt: skip

SUGGESTIONS = [
    "Send the draft outcome document at least two weeks before the meeting.",
    "Interpretation into Russian in every round table, not only in the plenary.",
    "More time for questions from civil society after the government statements.",
    "Fund travel for small organisations from outside the capitals.",
    "Publish which recommendations drew on our position papers.",
    "Hold a follow-up session online six months later.",
    "Fewer speeches, more dialogue between delegates and migrant associations.",
    "Share the list of participating delegations earlier.",
]


def load(
    session: Session, process: Process, organiser: User, verifier: User, now: datetime
) -> Questionnaire | None:
    """Create the demo questionnaire and its responses; None when it was already there."""
    meeting = _past_meeting(session, process, organiser, now)
    title = TITLE.format(meeting=meeting.title)
    if repository.find_by_title(session, meeting.id, title) is not None:
        return None
    ended = datetime.combine(meeting.ends_on, time(18, 0), tzinfo=UTC)
    questionnaire = service.create_questionnaire(
        session,
        organiser,
        meeting,
        QuestionnaireCreate(
            title=title,
            intro="Thank you for taking part. Your answers help us prepare the next meeting; "
            "we publish the aggregated results, never who answered what.",
            opens_at=ended,
            closes_at=now + timedelta(days=14),
        ),
    )
    questions = [service.add_question(session, organiser, questionnaire, q) for q in QUESTIONS]
    service.open_questionnaire(session, organiser, questionnaire)
    rng = random.Random(SEED)  # noqa: S311 - made-up answers, not secrets
    step = min(timedelta(hours=3), (now - ended) / (sum(n for _c, n in COUNTRIES) + 1))
    number = 0
    for country, count in COUNTRIES:
        for _ in range(count):
            number += 1
            user, org_id = _respondent(session, verifier, number, country)
            answered_at = ended + step * number
            data = ResponseCreate(organisation_id=org_id, answers=_answers(rng, questions))
            answering.submit_response(session, user, questionnaire, data, answered_at)
    session.flush()
    return questionnaire


def _past_meeting(session: Session, process: Process, organiser: User, now: datetime) -> Meeting:
    """The process's most recent meeting that has ended, or a new one half a year ago."""
    today = now.date()
    past = [m for m in consultations.list_meetings(session, process) if m.ends_on < today]
    if past:
        return max(past, key=lambda m: m.ends_on)
    return consultations.create_meeting(
        session,
        organiser,
        process,
        MeetingCreate(
            title="Third Ministerial Meeting",
            starts_on=today - timedelta(days=180),
            ends_on=today - timedelta(days=178),
            venue="Tbilisi, Georgia",
            timezone="Asia/Tbilisi",
            languages=["en", "ru"],
        ),
    )


def _respondent(session: Session, verifier: User, number: int, country: str) -> tuple[User, int]:
    user = accounts.upsert_user_from_claims(
        session,
        {"iss": RESPONDENT_ISSUER, "sub": f"respondent-{number}",
         "name": f"Respondent {number} ({country})"},
    )  # fmt: skip
    org = organisations.create_organisation(
        session,
        user,
        OrganisationCreate(
            name=f"Civil Society Network {number} ({country})",
            acronym=f"CSN{number}",
            type=KINDS[number % len(KINDS)],
            country=country,
            description="A demo organisation that answered the evaluation questionnaire.",
        ),
    )
    organisations.decide_verification(
        session, verifier, org, VerificationDecision(status=Verification.verified)
    )
    return user, org.id


def _answers(rng: random.Random, questions: list[Question]) -> list[AnswerInput]:
    useful, reflected, documents, parts, again, change = questions
    usefulness = rng.choices([2, 3, 4, 5], weights=[1, 3, 5, 3])[0]
    answers = [
        AnswerInput(question_id=useful.id, value=usefulness),
        AnswerInput(question_id=reflected.id, value=max(1, usefulness - rng.choice([0, 1, 1, 2]))),
        AnswerInput(
            question_id=again.id, choices=[0 if usefulness >= 4 else rng.choice([0, 1, 2])]
        ),
    ]
    if rng.random() < 0.9:
        answers.append(AnswerInput(question_id=documents.id, choices=[rng.choice([0, 1, 1, 2])]))
    if rng.random() < 0.85:
        picked = sorted(rng.sample(range(len(parts.options)), rng.randint(1, 3)))
        answers.append(AnswerInput(question_id=parts.id, choices=picked))
    if rng.random() < 0.5:
        answers.append(AnswerInput(question_id=change.id, text=rng.choice(SUGGESTIONS)))
    return answers
