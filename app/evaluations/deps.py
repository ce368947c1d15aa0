"""Loader dependencies: the meeting or questionnaire of the request, and what the user may do
with it. The user comes first (anonymous: 401), then unknown objects (and drafts, for anyone
but organisers) are 404, then a missing role is 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.accounts.deps import ApiUser, CurrentUser
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting
from app.deps import SessionDep
from app.errors import NotFound
from app.evaluations import repository, service
from app.evaluations.models import Questionnaire
from app.i18n import gettext as _
from app.security import SAFE_METHODS


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    user: User
    can_manage: bool


@dataclass(frozen=True)
class QuestionnaireAccess:
    questionnaire: Questionnaire
    user: User
    can_manage: bool

    @property
    def meeting(self) -> Meeting:
        return self.questionnaire.meeting


def _meeting_access(
    session: Session, user: User, meeting: Meeting, *, manage: bool
) -> MeetingAccess:
    if manage:
        service.require_manager(session, user, meeting.process_id)
        return MeetingAccess(meeting, user, True)
    return MeetingAccess(meeting, user, service.may_manage(session, user, meeting.process_id))


def _meeting_by_id(session: Session, meeting_id: int) -> Meeting:
    meeting = repository.get_meeting(session, meeting_id)
    if meeting is None:
        raise NotFound(_("There is no such meeting."))
    return meeting


def _visible(session: Session, user: User, questionnaire_id: int) -> QuestionnaireAccess:
    questionnaire = service.get_visible(session, user, questionnaire_id)
    process_id = questionnaire.meeting.process_id
    return QuestionnaireAccess(questionnaire, user, service.may_manage(session, user, process_id))


def _managed(
    request: Request, session: Session, user: User, questionnaire_id: int
) -> QuestionnaireAccess:
    """Changes lock the row (PostgreSQL), so that an edit and opening it cannot cross."""
    lock = request.method not in SAFE_METHODS
    questionnaire = service.get_managed(session, user, questionnaire_id, lock=lock)
    return QuestionnaireAccess(questionnaire, user, True)


# --- pages ---------------------------------------------------------------------------------------


def load_meeting(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> MeetingAccess:
    meeting = consultations.get_meeting_page(session, slug, meeting_slug)
    return _meeting_access(session, user, meeting, manage=False)


def load_managed_meeting(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> MeetingAccess:
    meeting = consultations.get_meeting_page(session, slug, meeting_slug)
    return _meeting_access(session, user, meeting, manage=True)


def load_visible(
    session: SessionDep, user: CurrentUser, questionnaire_id: int
) -> QuestionnaireAccess:
    return _visible(session, user, questionnaire_id)


def load_managed(
    request: Request, session: SessionDep, user: CurrentUser, questionnaire_id: int
) -> QuestionnaireAccess:
    return _managed(request, session, user, questionnaire_id)


MeetingQuestionnaires = Annotated[MeetingAccess, Depends(load_meeting)]
ManagedMeeting = Annotated[MeetingAccess, Depends(load_managed_meeting)]
VisibleQuestionnaire = Annotated[QuestionnaireAccess, Depends(load_visible)]
ManagedQuestionnaire = Annotated[QuestionnaireAccess, Depends(load_managed)]


# --- API -----------------------------------------------------------------------------------------


def api_load_meeting(session: SessionDep, user: ApiUser, meeting_id: int) -> MeetingAccess:
    return _meeting_access(session, user, _meeting_by_id(session, meeting_id), manage=False)


def api_load_managed_meeting(session: SessionDep, user: ApiUser, meeting_id: int) -> MeetingAccess:
    return _meeting_access(session, user, _meeting_by_id(session, meeting_id), manage=True)


def api_load_visible(
    session: SessionDep, user: ApiUser, questionnaire_id: int
) -> QuestionnaireAccess:
    return _visible(session, user, questionnaire_id)


def api_load_managed(
    request: Request, session: SessionDep, user: ApiUser, questionnaire_id: int
) -> QuestionnaireAccess:
    return _managed(request, session, user, questionnaire_id)


ApiMeetingQuestionnaires = Annotated[MeetingAccess, Depends(api_load_meeting)]
ApiManagedMeeting = Annotated[MeetingAccess, Depends(api_load_managed_meeting)]
ApiVisibleQuestionnaire = Annotated[QuestionnaireAccess, Depends(api_load_visible)]
ApiManagedQuestionnaire = Annotated[QuestionnaireAccess, Depends(api_load_managed)]
