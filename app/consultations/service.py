"""Processes, role grants and meetings: the rules. Services flush; the request or command commits.

Other domains use this module (`from app.consultations import service as consultations`) for
roles (roles_of, is_moderator_anywhere, permissions_for) and submission windows
(is_open_for_papers, papers_close_at, submission_status). Agenda items live in agenda.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app import audit
from app.accounts import service as accounts
from app.accounts.models import User
from app.consultations import policies, repository
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole, RoleGrant
from app.consultations.schemas import (
    RESERVED_SLUGS,
    GrantCreate,
    MeetingCreate,
    MeetingUpdate,
    ProcessCreate,
    ProcessUpdate,
    SubmissionStatus,
)
from app.errors import AppError, Forbidden, FormError, NotFound
from app.i18n import gettext as _

MEETING_FIELDS = (
    "title",
    "slug",
    "starts_on",
    "ends_on",
    "venue",
    "online",
    "timezone",
    "languages",
    "submissions_open_at",
    "submissions_close_at",
    "max_file_mb",
    "summary_word_limit",
    "papers_per_organisation",
    "comment_mode",
)
PROCESS_FIELDS = ("title", "slug", "regions", "description")


# --- helpers shared with agenda.py -------------------------------------------------------------


def slugify(text: str, fallback: str) -> str:
    """'Asia-Pacific Dialogue 2026' -> 'asia-pacific-dialogue-2026'; `fallback` if nothing left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:70].strip("-")
    return slug if slug and slug not in RESERVED_SLUGS else fallback


def _unique_slug(base: str, taken: Any) -> str:
    slug, n = base, 2
    while taken(slug):
        slug = f"{base}-{n}"
        n += 1
    return slug


def local_to_utc(
    value: datetime | None, timezone: str, field: str, errors: dict[str, str]
) -> datetime | None:
    """A naive value is a wall-clock time in `timezone`; one that the clocks skip is an error."""
    if value is None:
        return None
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    zone = ZoneInfo(timezone)
    aware = value.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        errors[field] = _(
            "This local time does not exist in the meeting's time zone (clock change)."
        )
        return None
    return aware.astimezone(UTC)


def utc_to_local_input(value: datetime | None, timezone: str) -> str:
    """The value for a datetime-local input, in `timezone`."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes, made JSON-friendly, for the audit log."""
    values: dict[str, Any] = {}
    for field in fields:
        value = getattr(obj, field)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        values[field] = value
    return values


# --- roles ---------------------------------------------------------------------------------------


def roles_of(session: Session, user_id: int) -> dict[int, set[ProcessRole]]:
    """Every process the user holds a role in: {process_id: {roles}}."""
    roles: dict[int, set[ProcessRole]] = {}
    for process_id, role in repository.roles_of_user(session, user_id):
        roles.setdefault(process_id, set()).add(role)
    return roles


def roles_in(session: Session, user: User | None, process_id: int) -> set[ProcessRole]:
    if user is None:
        return set()
    return repository.roles_in_process(session, user.id, process_id)


def is_moderator_anywhere(session: Session, user_id: int) -> bool:
    """Whether the user may moderate some process by a grant (organisers may moderate too).

    Platform administrators moderate everywhere without grants; callers check `is_admin` too.
    """
    return repository.has_any_role(session, user_id, (ProcessRole.moderator, ProcessRole.organiser))


@dataclass(frozen=True)
class ProcessPermissions:
    organise: bool = False
    moderate: bool = False
    manage_roles: bool = False


def permissions_for(session: Session, user: User | None, process: Process) -> ProcessPermissions:
    roles = roles_in(session, user, process.id)
    return ProcessPermissions(
        organise=policies.can_organise(user, roles),
        moderate=policies.can_moderate(user, roles),
        manage_roles=policies.can_manage_roles(user, roles),
    )


def processes_of(session: Session, user: User) -> list[Process]:
    """The processes in which the user holds a role."""
    return repository.list_processes_by_ids(session, roles_of(session, user.id).keys())


def list_grants(session: Session, process: Process) -> list[RoleGrant]:
    return repository.list_grants(session, process.id)


def grantable_roles(session: Session, user: User, process: Process) -> list[ProcessRole]:
    roles = roles_in(session, user, process.id)
    return [role for role in ProcessRole if policies.can_grant(user, roles, role)]


def grant_role(
    session: Session, actor: User | None, process: Process, data: GrantCreate
) -> RoleGrant:
    """Grant a role; `actor=None` is the server operator (the `plenary grant` command)."""
    if actor is not None and not policies.can_grant(
        actor, roles_in(session, actor, process.id), data.role
    ):
        raise Forbidden(_("Only platform administrators can grant the organiser role."))
    try:
        user = accounts.user_by_email(session, data.email)
    except AppError as exc:  # unknown, or shared by several accounts
        raise FormError({"email": exc.message}) from exc
    if repository.find_grant(session, user.id, process.id, data.role) is not None:
        raise FormError(
            {
                "email": _("%(name)s already has the role “%(role)s” here.")
                % {
                    "name": user.display_name,
                    "role": _("Organiser") if data.role.value == "organiser" else _("Moderator"),
                }
            }
        )
    role_grant = RoleGrant(user_id=user.id, process_id=process.id, role=data.role, user=user)
    session.add(role_grant)
    session.flush()
    after = {"user_id": user.id, "process_id": process.id, "role": data.role.value}
    audit.record(session, actor, "role.grant", "role_grant", role_grant.id, None, after)
    return role_grant


def revoke_grant(session: Session, actor: User, process: Process, grant_id: int) -> None:
    role_grant = repository.get_grant(session, grant_id)
    if role_grant is None or role_grant.process_id != process.id:
        raise NotFound(_("There is no such role grant in this process."))
    if not policies.can_grant(actor, roles_in(session, actor, process.id), role_grant.role):
        raise Forbidden(_("Only platform administrators can revoke the organiser role."))
    before = {
        "user_id": role_grant.user_id,
        "process_id": process.id,
        "role": role_grant.role.value,
    }
    session.delete(role_grant)
    session.flush()
    audit.record(session, actor, "role.revoke", "role_grant", grant_id, before, None)


# --- processes -----------------------------------------------------------------------------------


def list_processes(session: Session) -> list[Process]:
    return repository.list_processes(session)


def get_process_page(session: Session, slug: str) -> Process:
    process = repository.get_process_with_meetings(session, slug)
    if process is None:
        raise NotFound(_("There is no such consultation process."))
    return process


def _process_slug(session: Session, wanted: str, title: str, except_id: int | None) -> str:
    if not wanted:
        return _unique_slug(
            slugify(title, "process"),
            lambda s: repository.process_slug_taken(session, s, except_id),
        )
    if repository.process_slug_taken(session, wanted, except_id):
        raise FormError({"slug": _("Another process already uses this address.")})
    return wanted


def create_process(session: Session, actor: User, data: ProcessCreate) -> Process:
    if not policies.can_create_process(actor):
        raise Forbidden(_("Only platform administrators can create processes."))
    slug = _process_slug(session, data.slug, data.title, None)
    process = Process(
        slug=slug, title=data.title, regions=data.regions, description=data.description
    )
    session.add(process)
    session.flush()
    after = snapshot(process, PROCESS_FIELDS)
    audit.record(session, actor, "process.create", "process", process.id, None, after)
    return process


def update_process(session: Session, actor: User, process: Process, data: ProcessUpdate) -> Process:
    changes = data.changes()
    if "slug" in changes:
        title = changes.get("title", process.title)
        changes["slug"] = _process_slug(session, changes["slug"], title, process.id)
    before = snapshot(process, PROCESS_FIELDS)
    for field, value in changes.items():
        setattr(process, field, value)
    session.flush()
    after = snapshot(process, PROCESS_FIELDS)
    if after != before:
        audit.record(session, actor, "process.update", "process", process.id, before, after)
    return process


# --- meetings ------------------------------------------------------------------------------------


def _checked_meeting_values(
    session: Session,
    process_id: int,
    current: Mapping[str, Any],
    changes: Mapping[str, Any],
    except_id: int | None,
) -> dict[str, Any]:
    """Merge `changes` into `current`, convert local times to UTC, check the rules across fields."""
    values = {**current, **changes}
    errors: dict[str, str] = {}
    for field in ("submissions_open_at", "submissions_close_at"):
        if field in changes:
            values[field] = local_to_utc(changes[field], values["timezone"], field, errors)
    if values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = _("The meeting cannot end before it starts.")
    venue_changed = changes.keys() & {"venue", "online"}  # older meetings may lack both
    if venue_changed and not values["venue"] and not values["online"]:
        errors["venue"] = _("Give a venue, or mark the meeting as online.")
    opens, closes = values["submissions_open_at"], values["submissions_close_at"]
    if (opens is None) != (closes is None) and not errors.keys() & {
        "submissions_open_at",
        "submissions_close_at",
    }:
        missing = "submissions_open_at" if opens is None else "submissions_close_at"
        errors[missing] = _("Give both the opening and the closing time, or neither.")
    elif opens is not None and closes is not None and closes <= opens:
        errors["submissions_close_at"] = _("Submissions must close after they open.")
    if "slug" in changes:
        if not values["slug"]:
            values["slug"] = _unique_slug(
                slugify(values["title"], "meeting"),
                lambda s: repository.meeting_slug_taken(session, process_id, s, except_id),
            )
        elif repository.meeting_slug_taken(session, process_id, values["slug"], except_id):
            errors["slug"] = _("Another meeting of this process already uses this address.")
    if errors:
        raise FormError(errors)
    return values


def create_meeting(session: Session, actor: User, process: Process, data: MeetingCreate) -> Meeting:
    values = _checked_meeting_values(session, process.id, {}, data.model_dump(), None)
    meeting = Meeting(process_id=process.id, **values)
    session.add(meeting)
    session.flush()
    after = snapshot(meeting, MEETING_FIELDS)
    audit.record(session, actor, "meeting.create", "meeting", meeting.id, None, after)
    return meeting


def update_meeting(session: Session, actor: User, meeting: Meeting, data: MeetingUpdate) -> Meeting:
    before = snapshot(meeting, MEETING_FIELDS)
    current = {field: getattr(meeting, field) for field in MEETING_FIELDS}
    values = _checked_meeting_values(
        session, meeting.process_id, current, data.changes(), meeting.id
    )
    for field in MEETING_FIELDS:
        setattr(meeting, field, values[field])
    session.flush()
    after = snapshot(meeting, MEETING_FIELDS)
    if after != before:
        audit.record(session, actor, "meeting.update", "meeting", meeting.id, before, after)
    return meeting


def get_meeting_page(session: Session, process_slug: str, meeting_slug: str) -> Meeting:
    meeting = repository.get_meeting_by_slug(session, process_slug, meeting_slug)
    if meeting is None:
        raise NotFound(_("There is no such meeting."))
    return meeting


def list_meetings(session: Session, process: Process) -> list[Meeting]:
    return repository.list_meetings(session, process.id)


# --- submission windows --------------------------------------------------------------------------


def submission_status(meeting: Meeting, now: datetime) -> SubmissionStatus:
    opens, closes = meeting.submissions_open_at, meeting.submissions_close_at
    if opens is None or closes is None:
        return SubmissionStatus.unscheduled
    if now < opens:
        return SubmissionStatus.upcoming
    if now < closes:
        return SubmissionStatus.open
    return SubmissionStatus.closed


def papers_close_at(item: AgendaItem, meeting: Meeting) -> datetime | None:
    """When papers on this item stop being accepted: the earlier of the item's and the meeting's."""
    closes = meeting.submissions_close_at
    if closes is None or item.closes_at is None:
        return closes
    return min(closes, item.closes_at)


def is_open_for_papers(item: AgendaItem, meeting: Meeting, now: datetime) -> bool:
    """Open when the item takes papers, the meeting's window is open, and the item's own closing
    time (if any) has not passed. Opening instants count as open, closing instants as closed."""
    if now.tzinfo is None:
        raise ValueError("is_open_for_papers needs an aware datetime")
    if not item.papers_open or submission_status(meeting, now) is not SubmissionStatus.open:
        return False
    return item.closes_at is None or now < item.closes_at


@dataclass(frozen=True)
class MeetingSummary:
    meeting: Meeting
    status: SubmissionStatus


@dataclass(frozen=True)
class ProcessSummary:
    process: Process
    meetings: list[MeetingSummary]


def _local_today(meeting: Meeting, now: datetime) -> date:
    return now.astimezone(ZoneInfo(meeting.timezone)).date()


def open_consultations(session: Session, now: datetime) -> list[ProcessSummary]:
    """Processes with a meeting still to come (by its own calendar) or open for submissions."""
    by_process: dict[int, ProcessSummary] = {}
    for meeting in repository.list_current_meetings(session, now.date() - timedelta(days=1), now):
        status = submission_status(meeting, now)
        if meeting.ends_on < _local_today(meeting, now) and status is not SubmissionStatus.open:
            continue
        summary = by_process.setdefault(
            meeting.process_id, ProcessSummary(process=meeting.process, meetings=[])
        )
        summary.meetings.append(MeetingSummary(meeting=meeting, status=status))
    return list(by_process.values())


def meeting_summaries(meetings: list[Meeting], now: datetime) -> list[MeetingSummary]:
    return [MeetingSummary(meeting=m, status=submission_status(m, now)) for m in meetings]
