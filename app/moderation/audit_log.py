"""Reading the audit log: one object's history, and the filterable log of a process or of all.

Who sees what:
- one object's history: the moderators and organisers of the process the object belongs to
  (papers, comments, meetings, agenda items, processes, role grants, reason codes) and
  administrators; an organisation's history: verifiers (moderators of any process) and
  administrators; anything else (users, tokens): administrators.
- the log of a process, filtered and exported: its organisers and administrators; the whole
  log: administrators.
An event belongs to a process when its object does now (looked up through the object's table)
or, for role grants, when the event names the process (a revoked grant's row is gone). Events
of objects deleted since (agenda items) are then visible to administrators only.

Pages are keyed by event id, newest first, 50 a page. Dates in filters are UTC days.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.comments.models import Comment
from app.consultations import service as consultations
from app.consultations.models import AgendaItem, Meeting, Process
from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.moderation.models import ReasonCode
from app.organisations import service as organisations
from app.submissions.models import Paper

PAGE_SIZE = 50
MAX_ID = 2**31 - 1
NO_OBJECT = N_("There is no history for this object.")

# object type -> a SELECT of (object id, process id), for the types that belong to a process
_PROCESS_OF: dict[str, Callable[[], Select[int, int]]] = {
    "process": lambda: select(Process.id, Process.id),
    "meeting": lambda: select(Meeting.id, Meeting.process_id),
    "agenda_item": lambda: select(AgendaItem.id, Meeting.process_id).join(
        Meeting, Meeting.id == AgendaItem.meeting_id
    ),
    "paper": lambda: select(Paper.id, Meeting.process_id).join(
        Meeting, Meeting.id == Paper.meeting_id
    ),
    "comment": lambda: (
        select(Comment.id, Meeting.process_id)
        .join(AgendaItem, AgendaItem.id == Comment.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
    ),
    "reason_code": lambda: select(ReasonCode.id, ReasonCode.process_id),
}
NAMES_PROCESS = ("role_grant",)  # their events carry "process_id" in before or after
PROCESS_TYPES = frozenset(_PROCESS_OF) | frozenset(NAMES_PROCESS)


def valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


# --- scope and permissions -----------------------------------------------------------------------


def _names_process(process_id: int) -> ColumnElement[bool]:
    return or_(
        AuditEvent.before["process_id"].as_integer() == process_id,
        AuditEvent.after["process_id"].as_integer() == process_id,
    )


def in_process(process_id: int) -> ColumnElement[bool]:
    """Events whose object belongs to the process."""
    conditions = []
    for object_type, build in _PROCESS_OF.items():
        lookup = build()
        object_ids = lookup.with_only_columns(lookup.selected_columns[0]).where(
            lookup.selected_columns[1] == process_id
        )
        conditions.append(
            and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(object_ids))
        )
    conditions.append(and_(AuditEvent.object_type.in_(NAMES_PROCESS), _names_process(process_id)))
    return or_(*conditions)


def process_of_object(session: Session, object_type: str, object_id: int) -> Process | None:
    """The process an object belongs to, if its type has one and it can be found."""
    process_id: int | None = None
    if object_type in _PROCESS_OF:
        lookup = _PROCESS_OF[object_type]()
        process_id = session.scalar(
            lookup.with_only_columns(lookup.selected_columns[1]).where(
                lookup.selected_columns[0] == object_id
            )
        )
    elif object_type in NAMES_PROCESS:
        stmt = select(AuditEvent.before, AuditEvent.after).where(
            AuditEvent.object_type == object_type, AuditEvent.object_id == object_id
        )
        for before, after in session.execute(stmt.order_by(AuditEvent.id).limit(1)):
            named = (after or {}).get("process_id") or (before or {}).get("process_id")
            process_id = named if isinstance(named, int) else None
    if process_id is None:
        return None
    return session.get(Process, process_id)


def can_view_history(
    session: Session, user: User, object_type: str, process: Process | None
) -> bool:
    """`process`: the one the object belongs to (process_of_object), None if none was found."""
    if user.is_admin:
        return True
    if object_type == "organisation":
        return organisations.is_verifier(session, user)
    if object_type not in PROCESS_TYPES or process is None:
        return False
    return consultations.permissions_for(session, user, process).moderate


def can_read_log(session: Session, user: User, process: Process | None) -> bool:
    """The filterable log: a process's organisers for that process, administrators for all."""
    if process is None:
        return user.is_admin
    return consultations.permissions_for(session, user, process).organise


# --- filters and queries -------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    """The log's view, all in the URL. `actor`: a user id, or part of a name or e-mail address;
    `action`: an action, or a family ending with a dot ("comment."); dates are UTC days."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    since: date | None = None
    until: date | None = None
    cursor: int | None = None

    def params(self, **changes: Any) -> dict[str, str]:
        view = replace(self, **changes)
        values = {
            "actor": view.actor,
            "action": view.action,
            "object_type": view.object_type,
            "since": view.since.isoformat() if view.since else "",
            "until": view.until.isoformat() if view.until else "",
            "cursor": str(view.cursor or ""),
        }
        return {key: value for key, value in values.items() if value}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filter_conditions(filters: LogFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    actor = filters.actor.strip()
    if actor.isdigit():
        conditions.append(AuditEvent.actor_id == int(actor) if valid_id(int(actor)) else false())
    elif actor:
        people = select(User.id).where(
            or_(
                User.name.icontains(actor, autoescape=True),
                User.email.icontains(actor, autoescape=True),
            )
        )
        conditions.append(AuditEvent.actor_id.in_(people))
    if filters.action.endswith("."):
        conditions.append(AuditEvent.action.startswith(filters.action, autoescape=True))
    elif filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.object_type:
        conditions.append(AuditEvent.object_type == filters.object_type)
    if filters.since:
        conditions.append(AuditEvent.created_at >= _day_start(filters.since))
    if filters.until:
        conditions.append(AuditEvent.created_at < _day_start(filters.until + timedelta(days=1)))
    return conditions


def log_statement(process_id: int | None, filters: LogFilters) -> Select[AuditEvent, User]:
    """(event, actor) rows of the log, newest first, from the cursor on."""
    stmt = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    if process_id is not None:
        stmt = stmt.where(in_process(process_id))
    stmt = stmt.where(*_filter_conditions(filters))
    if filters.cursor is not None:
        stmt = stmt.where(AuditEvent.id < filters.cursor)
    return stmt.order_by(AuditEvent.id.desc())


def object_statement(
    object_type: str, object_id: int, cursor: int | None
) -> Select[AuditEvent, User]:
    stmt = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
    )
    if cursor is not None:
        stmt = stmt.where(AuditEvent.id < cursor)
    return stmt.order_by(AuditEvent.id.desc())


@dataclass
class DiffLine:
    field: str
    before: str | None  # None: the field was not there
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class EventView:
    event: AuditEvent
    actor_name: str
    diff: list[DiffLine]


@dataclass
class EventPage:
    events: list[EventView]
    next_cursor: int | None


def show_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[DiffLine]:
    """Field by field, in the order the event names them."""
    old, new = before or {}, after or {}
    fields = list(old) + [key for key in new if key not in old]
    return [
        DiffLine(
            key,
            show_value(old[key]) if key in old else None,
            show_value(new[key]) if key in new else None,
        )
        for key in fields
    ]


def actor_name(user: User | None, actor_id: int | None) -> str:
    if user is not None:
        return user.display_name
    return "" if actor_id is None else f"#{actor_id}"


def event_page(
    session: Session, stmt: Select[AuditEvent, User], limit: int = PAGE_SIZE
) -> EventPage:
    rows = session.execute(stmt.limit(limit + 1)).all()
    next_cursor = rows[limit - 1][0].id if len(rows) > limit else None
    events = [
        EventView(event, actor_name(user, event.actor_id), diff(event.before, event.after))
        for event, user in rows[:limit]
    ]
    return EventPage(events, next_cursor)


def distinct_values(session: Session, column: Any) -> list[str]:
    """The distinct values of an indexed column, one index probe each (a loose index scan)."""
    found = select(func.min(column).label("value")).cte("found", recursive=True)
    following = select(func.min(column)).where(column > found.c.value).scalar_subquery()
    found = found.union_all(select(following).where(found.c.value.is_not(None)))
    return list(session.scalars(select(found.c.value).where(found.c.value.is_not(None))))


def filter_choices(session: Session) -> dict[str, list[str]]:
    """What the log's filters offer: actions, their families ("comment."), object types."""
    actions = distinct_values(session, AuditEvent.action)
    return {
        "actions": actions,
        "families": sorted({action.split(".")[0] for action in actions if "." in action}),
        "object_types": distinct_values(session, AuditEvent.object_type),
    }


# --- export --------------------------------------------------------------------------------------

EXPORT_HEADER = (
    "event_id",
    "time_utc",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "request_id",
)


def export_statement(process_id: int | None, filters: LogFilters) -> Select[Any]:
    """Every event of the filtered log (no cursor), as flat columns, oldest first."""
    stmt = (
        select(
            AuditEvent.id,
            AuditEvent.created_at,
            AuditEvent.actor_id,
            User.name.label("actor_name"),
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.before,
            AuditEvent.after,
            AuditEvent.request_id,
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*_filter_conditions(filters))
    )
    if process_id is not None:
        stmt = stmt.where(in_process(process_id))
    return stmt.order_by(AuditEvent.id)


def export_row(row: Any) -> tuple[object, ...]:
    def as_json(value: Any) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    return (
        row.id,
        row.created_at,
        row.actor_id,
        row.actor_name or "",
        row.action,
        row.object_type,
        row.object_id,
        as_json(row.before),
        as_json(row.after),
        row.request_id,
    )


# --- one object's history --------------------------------------------------------------------


def history_process(
    session: Session, user: User, object_type: str, object_id: int
) -> Process | None:
    """The process the object belongs to (None for types without one), if the user may read
    the object's history: NotFound when the object cannot be placed, Forbidden otherwise."""
    if not valid_id(object_id) or len(object_type) > 40:
        raise NotFound(NO_OBJECT)
    process = None
    if object_type in PROCESS_TYPES:
        process = process_of_object(session, object_type, object_id)
        if process is None and not user.is_admin:
            raise NotFound(NO_OBJECT)
    if not can_view_history(session, user, object_type, process):
        raise Forbidden(_("Only the moderators of this object's process can read its history."))
    return process


def object_url(
    session: Session, object_type: str, object_id: int, process: Process | None
) -> str | None:
    """Where the object itself is shown, when it has a page."""
    if object_type == "paper":
        return f"/papers/{object_id}"
    if object_type == "organisation":
        return f"/organisations/{object_id}"
    if object_type == "agenda_item" and process is not None:
        return f"/agenda-items/{object_id}"
    if object_type == "process" and process is not None:
        return f"/processes/{process.slug}"
    if object_type == "meeting" and process is not None:
        slug = session.scalar(select(Meeting.slug).where(Meeting.id == object_id))
        return f"/processes/{process.slug}/meetings/{slug}" if slug else None
    if object_type == "comment":
        item_id = session.scalar(select(Comment.agenda_item_id).where(Comment.id == object_id))
        return f"/agenda-items/{item_id}#comment-{object_id}" if item_id else None
    return None
