"""JSON API of evaluation questionnaires, under /api/v1.

Organisers of the meeting's process (and admins) create questionnaires, edit their questions
while drafts, open and close them and read the aggregated results; any signed-in user lists
and reads the open and closed questionnaires of a meeting and answers an open one once
(a second answer: 409). Drafts are 404 to everyone but organisers, like the pages.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from app.db import utcnow
from app.deps import SessionDep
from app.evaluations import answering, policies, results, service
from app.evaluations.deps import (
    ApiManagedMeeting,
    ApiManagedQuestionnaire,
    ApiMeetingQuestionnaires,
    ApiVisibleQuestionnaire,
    QuestionnaireAccess,
)
from app.evaluations.models import Question, QuestionKind, Questionnaire
from app.evaluations.schemas import (
    QuestionCreate,
    QuestionnaireCreate,
    QuestionnaireDetail,
    QuestionnaireRead,
    QuestionnaireUpdate,
    QuestionRead,
    QuestionUpdate,
    ResponseCreate,
    ResponseRead,
    ResultsRead,
)

router = APIRouter(prefix="/api/v1", tags=["evaluations"])


def question_read(question: Question) -> QuestionRead:
    scale = question.kind is QuestionKind.scale
    return QuestionRead(
        id=question.id,
        position=question.position,
        kind=question.kind,
        text=question.text,
        help_text=question.help_text,
        required=question.required,
        options=list(question.options),
        scale_max=question.scale_max if scale else None,
        scale_low_label=question.scale_low_label,
        scale_high_label=question.scale_high_label,
    )


def questionnaire_read(questionnaire: Questionnaire) -> QuestionnaireRead:
    return QuestionnaireRead(
        id=questionnaire.id,
        meeting_id=questionnaire.meeting_id,
        title=questionnaire.title,
        intro=questionnaire.intro,
        state=questionnaire.state,
        opens_at=questionnaire.opens_at,
        closes_at=questionnaire.closes_at,
        accepting_responses=policies.is_accepting(questionnaire, utcnow()),
        question_count=len(questionnaire.questions),
    )


def _detail(session: Session, access: QuestionnaireAccess) -> QuestionnaireDetail:
    questionnaire = access.questionnaire
    answered = service.answered_ids(session, access.user, [questionnaire])
    return QuestionnaireDetail(
        **questionnaire_read(questionnaire).model_dump(),
        questions=[question_read(q) for q in questionnaire.questions],
        answered_by_you=questionnaire.id in answered,
    )


@router.get("/meetings/{meeting_id}/questionnaires", response_model=list[QuestionnaireRead])
def list_questionnaires(
    session: SessionDep, access: ApiMeetingQuestionnaires
) -> list[QuestionnaireRead]:
    found = service.list_for_meeting(session, access.user, access.meeting)
    return [questionnaire_read(q) for q in found]


@router.post(
    "/meetings/{meeting_id}/questionnaires", status_code=201, response_model=QuestionnaireDetail
)
def create_questionnaire(
    session: SessionDep, access: ApiManagedMeeting, data: QuestionnaireCreate
) -> QuestionnaireDetail:
    questionnaire = service.create_questionnaire(session, access.user, access.meeting, data)
    return _detail(session, QuestionnaireAccess(questionnaire, access.user, True))


@router.get("/questionnaires/{questionnaire_id}", response_model=QuestionnaireDetail)
def get_questionnaire(session: SessionDep, access: ApiVisibleQuestionnaire) -> QuestionnaireDetail:
    return _detail(session, access)


@router.patch("/questionnaires/{questionnaire_id}", response_model=QuestionnaireDetail)
def update_questionnaire(
    session: SessionDep, access: ApiManagedQuestionnaire, data: QuestionnaireUpdate
) -> QuestionnaireDetail:
    service.update_questionnaire(session, access.user, access.questionnaire, data)
    return _detail(session, access)


@router.get("/questionnaires/{questionnaire_id}/questions", response_model=list[QuestionRead])
def list_questions(access: ApiVisibleQuestionnaire) -> list[QuestionRead]:
    return [question_read(q) for q in access.questionnaire.questions]


@router.post(
    "/questionnaires/{questionnaire_id}/questions", status_code=201, response_model=QuestionRead
)
def add_question(
    session: SessionDep, access: ApiManagedQuestionnaire, data: QuestionCreate
) -> QuestionRead:
    question = service.add_question(session, access.user, access.questionnaire, data)
    return question_read(question)


@router.patch(
    "/questionnaires/{questionnaire_id}/questions/{question_id}", response_model=QuestionRead
)
def update_question(
    session: SessionDep, access: ApiManagedQuestionnaire, question_id: int, data: QuestionUpdate
) -> QuestionRead:
    question = service.get_question(access.questionnaire, question_id)
    service.update_question(session, access.user, access.questionnaire, question, data)
    return question_read(question)


@router.delete("/questionnaires/{questionnaire_id}/questions/{question_id}", status_code=204)
def delete_question(
    session: SessionDep, access: ApiManagedQuestionnaire, question_id: int
) -> Response:
    question = service.get_question(access.questionnaire, question_id)
    service.delete_question(session, access.user, access.questionnaire, question)
    return Response(status_code=204)


@router.post("/questionnaires/{questionnaire_id}/open", response_model=QuestionnaireDetail)
def open_questionnaire(session: SessionDep, access: ApiManagedQuestionnaire) -> QuestionnaireDetail:
    service.open_questionnaire(session, access.user, access.questionnaire)
    return _detail(session, access)


@router.post("/questionnaires/{questionnaire_id}/close", response_model=QuestionnaireDetail)
def close_questionnaire(
    session: SessionDep, access: ApiManagedQuestionnaire
) -> QuestionnaireDetail:
    service.close_questionnaire(session, access.user, access.questionnaire)
    return _detail(session, access)


@router.post(
    "/questionnaires/{questionnaire_id}/responses", status_code=201, response_model=ResponseRead
)
def submit_response(
    session: SessionDep, access: ApiVisibleQuestionnaire, data: ResponseCreate
) -> ResponseRead:
    response = answering.submit_response(session, access.user, access.questionnaire, data, utcnow())
    session.flush()
    return ResponseRead(
        id=response.id,
        questionnaire_id=response.questionnaire_id,
        organisation_id=response.organisation_id,
        country=response.country,
        submitted_at=response.submitted_at,
    )


@router.get("/questionnaires/{questionnaire_id}/results", response_model=ResultsRead)
def get_results(session: SessionDep, access: ApiManagedQuestionnaire) -> ResultsRead:
    return results.results(session, access.questionnaire)
