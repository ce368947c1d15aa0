from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole, RoleGrant

MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer cannot exist; don't send them to the database


def _valid_id(object_id: int) -> bool:
    return 0 < object_id <= MAX_ID


def get_process(session: Session, process_id: int) -> Process | None:
    return session.get(Process, process_id) if _valid_id(process_id) else None


def get_process_by_slug(session: Session, slug: str) -> Process | None:
    return session.scalar(select(Process).where(Process.slug == slug))


def get_process_with_meetings(session: Session, slug: str) -> Process | None:
    stmt = select(Process).options(selectinload(Process.meetings)).where(Process.slug == slug)
    return session.scalar(stmt)


def list_processes(session: Session) -> list[Process]:
    return list(session.scalars(select(Process).order_by(Process.title, Process.id)))


def list_processes_by_ids(session: Session, ids: Collection[int]) -> list[Process]:
    if not ids:
        return []
    stmt = select(Process).where(Process.id.in_(ids)).order_by(Process.title, Process.id)
    return list(session.scalars(stmt))


def process_slug_taken(session: Session, slug: str, except_id: int | None = None) -> bool:
    stmt = select(Process.id).where(Process.slug == slug)
    if except_id is not None:
        stmt = stmt.where(Process.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def list_grants(session: Session, process_id: int) -> list[RoleGrant]:
    stmt = (
        select(RoleGrant)
        .options(joinedload(RoleGrant.user))
        .where(RoleGrant.process_id == process_id)
        .order_by(RoleGrant.role, RoleGrant.id)
    )
    return list(session.scalars(stmt))


def get_grant(session: Session, grant_id: int) -> RoleGrant | None:
    if not _valid_id(grant_id):
        return None
    stmt = select(RoleGrant).options(joinedload(RoleGrant.user)).where(RoleGrant.id == grant_id)
    return session.scalar(stmt)


def find_grant(
    session: Session, user_id: int, process_id: int, role: ProcessRole
) -> RoleGrant | None:
    stmt = select(RoleGrant).where(
        RoleGrant.user_id == user_id, RoleGrant.process_id == process_id, RoleGrant.role == role
    )
    return session.scalar(stmt)


def roles_of_user(session: Session, user_id: int) -> list[tuple[int, ProcessRole]]:
    stmt = select(RoleGrant.process_id, RoleGrant.role).where(RoleGrant.user_id == user_id)
    return [(process_id, role) for process_id, role in session.execute(stmt)]


def roles_in_process(session: Session, user_id: int, process_id: int) -> set[ProcessRole]:
    stmt = select(RoleGrant.role).where(
        RoleGrant.user_id == user_id, RoleGrant.process_id == process_id
    )
    return set(session.scalars(stmt))


def has_any_role(session: Session, user_id: int, roles: Collection[ProcessRole]) -> bool:
    stmt = select(RoleGrant.id).where(RoleGrant.user_id == user_id, RoleGrant.role.in_(roles))
    return session.scalar(stmt.limit(1)) is not None


def _meeting_query() -> Select[Meeting]:
    return select(Meeting).options(joinedload(Meeting.process), selectinload(Meeting.agenda_items))


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    if not _valid_id(meeting_id):
        return None
    return session.scalar(_meeting_query().where(Meeting.id == meeting_id))


def get_meeting_by_slug(session: Session, process_slug: str, meeting_slug: str) -> Meeting | None:
    stmt = (
        _meeting_query()
        .join(Meeting.process)
        .where(Process.slug == process_slug, Meeting.slug == meeting_slug)
    )
    return session.scalar(stmt)


def list_meetings(session: Session, process_id: int) -> list[Meeting]:
    stmt = (
        select(Meeting)
        .where(Meeting.process_id == process_id)
        .order_by(Meeting.starts_on, Meeting.id)
    )
    return list(session.scalars(stmt))


def meeting_slug_taken(
    session: Session, process_id: int, slug: str, except_id: int | None = None
) -> bool:
    stmt = select(Meeting.id).where(Meeting.process_id == process_id, Meeting.slug == slug)
    if except_id is not None:
        stmt = stmt.where(Meeting.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def list_current_meetings(
    session: Session, ending_on_or_after: date, now: datetime
) -> list[Meeting]:
    """Meetings that end on or after the given day, or whose submission window is open now."""
    window_open = and_(Meeting.submissions_open_at <= now, Meeting.submissions_close_at > now)
    stmt = (
        select(Meeting)
        .options(joinedload(Meeting.process))
        .where(or_(Meeting.ends_on >= ending_on_or_after, window_open))
        .order_by(Meeting.starts_on, Meeting.id)
    )
    return list(session.scalars(stmt))


def get_agenda_item(session: Session, item_id: int) -> AgendaItem | None:
    if not _valid_id(item_id):
        return None
    stmt = (
        select(AgendaItem)
        .options(joinedload(AgendaItem.meeting).joinedload(Meeting.process))
        .where(AgendaItem.id == item_id)
    )
    return session.scalar(stmt)


def list_agenda_items(session: Session, meeting_id: int) -> list[AgendaItem]:
    stmt = (
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    return list(session.scalars(stmt))


def agenda_number_taken(
    session: Session, meeting_id: int, number: str, except_id: int | None = None
) -> bool:
    stmt = select(AgendaItem.id).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.number == number
    )
    if except_id is not None:
        stmt = stmt.where(AgendaItem.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def last_agenda_position(session: Session, meeting_id: int) -> int:
    stmt = select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)
    return session.scalar(stmt) or 0
