"""JSON API of processes, role grants, meetings and agenda items. Reads are public.

Errors: {"error": {"code", "message", "fields"?}}; invalid input is 422 with a message per field.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response

from app.accounts.deps import ApiAdmin, ApiUser, OptionalApiUser
from app.consultations import agenda, service
from app.consultations.deps import (
    ApiMeeting,
    ApiOrganisedAgendaItem,
    ApiOrganisedMeeting,
    ApiOrganisedProcess,
    ApiProcess,
    ApiRoleManagedProcess,
)
from app.consultations.models import Meeting, RoleGrant
from app.consultations.schemas import (
    AgendaItemCreate,
    AgendaItemRead,
    AgendaItemUpdate,
    GrantCreate,
    GrantRead,
    MeetingCreate,
    MeetingDetail,
    MeetingRead,
    MeetingUpdate,
    ProcessCreate,
    ProcessDetail,
    ProcessRead,
    ProcessUpdate,
)
from app.db import utcnow
from app.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["consultations"])


def _meeting_read(meeting: Meeting, now: datetime) -> MeetingRead:
    read = MeetingRead.model_validate(meeting)
    read.submission_status = service.submission_status(meeting, now)
    return read


def _grant_read(role_grant: RoleGrant) -> GrantRead:
    return GrantRead(
        id=role_grant.id,
        process_id=role_grant.process_id,
        user_id=role_grant.user_id,
        user_name=role_grant.user.display_name,
        user_email=role_grant.user.email,
        role=role_grant.role,
        created_at=role_grant.created_at,
    )


@router.get("/processes", response_model=list[ProcessRead])
def list_processes(session: SessionDep, _user: OptionalApiUser) -> list[ProcessRead]:
    return [ProcessRead.model_validate(p) for p in service.list_processes(session)]


@router.post("/processes", response_model=ProcessRead, status_code=201)
def create_process(session: SessionDep, user: ApiAdmin, data: ProcessCreate) -> ProcessRead:
    """Platform administrators only. An empty slug is derived from the title."""
    return ProcessRead.model_validate(service.create_process(session, user, data))


@router.get("/processes/{slug}", response_model=ProcessDetail)
def get_process(session: SessionDep, _user: OptionalApiUser, slug: str) -> ProcessDetail:
    process = service.get_process_page(session, slug)
    detail = ProcessDetail.model_validate(process, from_attributes=True)
    now = utcnow()
    detail.meetings = [_meeting_read(m, now) for m in process.meetings]
    return detail


@router.patch("/processes/{slug}", response_model=ProcessRead)
def update_process(
    session: SessionDep, user: ApiUser, process: ApiOrganisedProcess, data: ProcessUpdate
) -> ProcessRead:
    return ProcessRead.model_validate(service.update_process(session, user, process, data))


@router.get("/processes/{slug}/grants", response_model=list[GrantRead])
def list_grants(session: SessionDep, process: ApiRoleManagedProcess) -> list[GrantRead]:
    return [_grant_read(g) for g in service.list_grants(session, process)]


@router.post("/processes/{slug}/grants", response_model=GrantRead, status_code=201)
def grant_role(
    session: SessionDep, user: ApiUser, process: ApiRoleManagedProcess, data: GrantCreate
) -> GrantRead:
    """Organisers may grant the moderator role; administrators any role."""
    return _grant_read(service.grant_role(session, user, process, data))


@router.delete("/processes/{slug}/grants/{grant_id}", status_code=204)
def revoke_grant(
    session: SessionDep, user: ApiUser, process: ApiRoleManagedProcess, grant_id: int
) -> Response:
    service.revoke_grant(session, user, process, grant_id)
    return Response(status_code=204)


@router.get("/processes/{slug}/meetings", response_model=list[MeetingRead])
def list_meetings(
    session: SessionDep, _user: OptionalApiUser, process: ApiProcess
) -> list[MeetingRead]:
    now = utcnow()
    return [_meeting_read(m, now) for m in service.list_meetings(session, process)]


@router.post("/processes/{slug}/meetings", response_model=MeetingRead, status_code=201)
def create_meeting(
    session: SessionDep, user: ApiUser, process: ApiOrganisedProcess, data: MeetingCreate
) -> MeetingRead:
    """Times without an offset are local times in the meeting's time zone."""
    return _meeting_read(service.create_meeting(session, user, process, data), utcnow())


@router.get("/meetings/{meeting_id}", response_model=MeetingDetail)
def get_meeting(_user: OptionalApiUser, meeting: ApiMeeting) -> MeetingDetail:
    detail = MeetingDetail.model_validate(meeting, from_attributes=True)
    detail.submission_status = service.submission_status(meeting, utcnow())
    return detail


@router.patch("/meetings/{meeting_id}", response_model=MeetingRead)
def update_meeting(
    session: SessionDep, user: ApiUser, meeting: ApiOrganisedMeeting, data: MeetingUpdate
) -> MeetingRead:
    """Times without an offset are local times in the meeting's (new) time zone; changing only
    the time zone keeps the stored instants."""
    return _meeting_read(service.update_meeting(session, user, meeting, data), utcnow())


@router.get("/meetings/{meeting_id}/agenda-items", response_model=list[AgendaItemRead])
def list_agenda_items(
    session: SessionDep, _user: OptionalApiUser, meeting: ApiMeeting
) -> list[AgendaItemRead]:
    return [AgendaItemRead.model_validate(i) for i in agenda.list_items(session, meeting)]


@router.post("/meetings/{meeting_id}/agenda-items", response_model=AgendaItemRead, status_code=201)
def add_agenda_item(
    session: SessionDep, user: ApiUser, meeting: ApiOrganisedMeeting, data: AgendaItemCreate
) -> AgendaItemRead:
    return AgendaItemRead.model_validate(agenda.add_item(session, user, meeting, data))


@router.patch("/agenda-items/{item_id}", response_model=AgendaItemRead)
def update_agenda_item(
    session: SessionDep, user: ApiUser, item: ApiOrganisedAgendaItem, data: AgendaItemUpdate
) -> AgendaItemRead:
    """`position` moves the item to that 0-based place in the agenda."""
    updated = agenda.update_item(session, user, item.meeting, item, data)
    return AgendaItemRead.model_validate(updated)


@router.delete("/agenda-items/{item_id}", status_code=204)
def delete_agenda_item(
    session: SessionDep, user: ApiUser, item: ApiOrganisedAgendaItem
) -> Response:
    agenda.delete_item(session, user, item)
    return Response(status_code=204)
