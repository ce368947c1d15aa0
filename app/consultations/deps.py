"""Loader dependencies: load a process, meeting or agenda item and check the user may act on it.

Unknown objects are 404 (before any permission check, so the 404 does not depend on the role);
objects of a process in which the user lacks the role are 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import ApiUser, CurrentUser
from app.accounts.models import User
from app.consultations import policies, repository, service
from app.consultations.models import AgendaItem, Meeting, Process
from app.deps import SessionDep
from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.i18n import gettext as _

NO_PROCESS = N_("There is no such consultation process.")
NO_MEETING = N_("There is no such meeting.")
NO_ITEM = N_("There is no such agenda item.")


def _require_organiser(session: Session, user: User, process_id: int) -> None:
    if not policies.can_organise(user, service.roles_in(session, user, process_id)):
        raise Forbidden(_("Only the organisers of this process can do this."))


def _require_role_manager(session: Session, user: User, process_id: int) -> None:
    if not policies.can_manage_roles(user, service.roles_in(session, user, process_id)):
        raise Forbidden(_("Only the organisers of this process can manage its roles."))


def _process(session: Session, slug: str) -> Process:
    process = repository.get_process_by_slug(session, slug)
    if process is None:
        raise NotFound(NO_PROCESS)
    return process


def _meeting_by_slug(session: Session, slug: str, meeting_slug: str) -> Meeting:
    meeting = repository.get_meeting_by_slug(session, slug, meeting_slug)
    if meeting is None:
        raise NotFound(NO_MEETING)
    return meeting


def _meeting_by_id(session: Session, meeting_id: int) -> Meeting:
    meeting = repository.get_meeting(session, meeting_id)
    if meeting is None:
        raise NotFound(NO_MEETING)
    return meeting


def _item_by_id(session: Session, item_id: int) -> AgendaItem:
    item = repository.get_agenda_item(session, item_id)
    if item is None:
        raise NotFound(NO_ITEM)
    return item


# --- HTML (session user) -------------------------------------------------------------------------


def load_organised_process(session: SessionDep, user: CurrentUser, slug: str) -> Process:
    process = _process(session, slug)
    _require_organiser(session, user, process.id)
    return process


def load_role_managed_process(session: SessionDep, user: CurrentUser, slug: str) -> Process:
    process = _process(session, slug)
    _require_role_manager(session, user, process.id)
    return process


def load_organised_meeting(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> Meeting:
    meeting = _meeting_by_slug(session, slug, meeting_slug)
    _require_organiser(session, user, meeting.process_id)
    return meeting


def load_organised_agenda_item(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str, item_id: int
) -> AgendaItem:
    meeting = _meeting_by_slug(session, slug, meeting_slug)
    item = _item_by_id(session, item_id)
    if item.meeting_id != meeting.id:
        raise NotFound(NO_ITEM)
    _require_organiser(session, user, meeting.process_id)
    return item


OrganisedProcess = Annotated[Process, Depends(load_organised_process)]
RoleManagedProcess = Annotated[Process, Depends(load_role_managed_process)]
OrganisedMeeting = Annotated[Meeting, Depends(load_organised_meeting)]
OrganisedAgendaItem = Annotated[AgendaItem, Depends(load_organised_agenda_item)]


# --- JSON API (token or session user; objects by slug or id) -------------------------------------


def load_api_process(session: SessionDep, slug: str) -> Process:
    return _process(session, slug)


def load_api_organised_process(session: SessionDep, user: ApiUser, slug: str) -> Process:
    process = _process(session, slug)
    _require_organiser(session, user, process.id)
    return process


def load_api_role_managed_process(session: SessionDep, user: ApiUser, slug: str) -> Process:
    process = _process(session, slug)
    _require_role_manager(session, user, process.id)
    return process


def load_api_meeting(session: SessionDep, meeting_id: int) -> Meeting:
    return _meeting_by_id(session, meeting_id)


def load_api_organised_meeting(session: SessionDep, user: ApiUser, meeting_id: int) -> Meeting:
    meeting = _meeting_by_id(session, meeting_id)
    _require_organiser(session, user, meeting.process_id)
    return meeting


def load_api_organised_agenda_item(session: SessionDep, user: ApiUser, item_id: int) -> AgendaItem:
    item = _item_by_id(session, item_id)
    _require_organiser(session, user, item.meeting.process_id)
    return item


ApiProcess = Annotated[Process, Depends(load_api_process)]
ApiOrganisedProcess = Annotated[Process, Depends(load_api_organised_process)]
ApiRoleManagedProcess = Annotated[Process, Depends(load_api_role_managed_process)]
ApiMeeting = Annotated[Meeting, Depends(load_api_meeting)]
ApiOrganisedMeeting = Annotated[Meeting, Depends(load_api_organised_meeting)]
ApiOrganisedAgendaItem = Annotated[AgendaItem, Depends(load_api_organised_agenda_item)]
