"""Every query of moderation (papers' side), with its eager loads."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.consultations.models import AgendaItem, Meeting, ProcessRole, RoleGrant
from app.jobs.models import Job, JobState
from app.moderation.models import Decision, ReasonCode
from app.organisations.models import Organisation
from app.submissions.models import Paper, PaperAgendaItem, PaperCosigner, PaperVersion

MAX_ID = 2**31 - 1


def _valid_id(object_id: int) -> bool:
    return 0 < object_id <= MAX_ID


def _version_states() -> Any:
    """A paper's versions without their text and signature (large, and not needed for lists)."""
    return selectinload(Paper.versions).load_only(
        PaperVersion.number,
        PaperVersion.kind,
        PaperVersion.conversion_state,
        PaperVersion.scan_state,
        PaperVersion.pdf_key,
        PaperVersion.original_name,
    )


# --- meetings and papers -----------------------------------------------------------------------


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    if not _valid_id(meeting_id):
        return None
    stmt = (
        select(Meeting)
        .options(joinedload(Meeting.process), selectinload(Meeting.agenda_items))
        .where(Meeting.id == meeting_id)
    )
    meeting: Meeting | None = session.scalar(stmt)
    return meeting


def get_paper(session: Session, paper_id: int, *, fresh: bool = False) -> Paper | None:
    """A paper with everything its moderation page shows (not the versions' text)."""
    if not _valid_id(paper_id):
        return None
    stmt = (
        select(Paper)
        .options(
            joinedload(Paper.meeting).joinedload(Meeting.process),
            joinedload(Paper.meeting).selectinload(Meeting.agenda_items),
            joinedload(Paper.organisation),
            joinedload(Paper.submitter),
            joinedload(Paper.assignee),
            joinedload(Paper.routed_item),
            selectinload(Paper.agenda_links).joinedload(PaperAgendaItem.agenda_item),
            selectinload(Paper.versions).defer(PaperVersion.text).defer(PaperVersion.signature),
            selectinload(Paper.cosigners).joinedload(PaperCosigner.organisation),
        )
        .where(Paper.id == paper_id)
    )
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    paper: Paper | None = session.scalar(stmt)
    return paper


def _in_queue_order(
    columns: Sequence[Any],
    where: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    limit: int,
) -> Select[Any]:
    """`columns` of the queue's next `limit` papers (the queue joins Organisation to filter)."""
    return (
        select(*columns)
        .join(Organisation, Organisation.id == Paper.organisation_id)
        .where(*where)
        .order_by(*order)
        .limit(limit)
    )


def queue_papers(
    session: Session, where: Sequence[ColumnElement[bool]], order: Sequence[Any], limit: int
) -> list[Paper]:
    # The page's ids first, then its rows: ordering only (sort key, id) pairs keeps a search
    # that matches half the meeting from sorting tens of thousands of wide joined rows.
    page_ids = _in_queue_order([Paper.id], where, order, limit)
    stmt = (
        select(Paper)
        .options(
            joinedload(Paper.organisation),
            joinedload(Paper.assignee),
            joinedload(Paper.routed_item),
            selectinload(Paper.agenda_links).joinedload(PaperAgendaItem.agenda_item),
            _version_states(),
        )
        .where(Paper.id.in_(page_ids.scalar_subquery()))
        .order_by(*order)
    )
    return list(session.scalars(stmt).unique())


def queue_keys(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    sort_column: Any,
    limit: int,
) -> list[tuple[int, Any]]:
    """(id, sort value) of the queue's next `limit` papers: candidates, cheap to fetch."""
    stmt = _in_queue_order([Paper.id, sort_column], where, order, limit)
    return [(paper_id, value) for paper_id, value in session.execute(stmt)]


def queue_ids(
    session: Session, where: Sequence[ColumnElement[bool]], order: Sequence[Any], limit: int
) -> list[int]:
    return list(session.scalars(_in_queue_order([Paper.id], where, order, limit)))


def cluster_sizes(session: Session, groups: Collection[int]) -> dict[int, int]:
    stmt = (
        select(Paper.duplicate_group, func.count(Paper.id))
        .where(Paper.duplicate_group.in_(list(groups)))
        .group_by(Paper.duplicate_group)
    )
    return {int(group): int(count) for group, count in session.execute(stmt) if group is not None}


def cluster_members(session: Session, meeting_id: int, group: int) -> list[Paper]:
    stmt = (
        select(Paper)
        .options(joinedload(Paper.organisation))
        .where(Paper.meeting_id == meeting_id, Paper.duplicate_group == group)
        .order_by(Paper.id)
        .limit(200)
    )
    return list(session.scalars(stmt))


def papers_of_organisation_in_process(
    session: Session, organisation_id: int, process_id: int, limit: int = 50
) -> list[Paper]:
    """The organisation's papers to this process's meetings, newest first."""
    stmt = (
        select(Paper)
        .join(Meeting, Meeting.id == Paper.meeting_id)
        .options(joinedload(Paper.meeting))
        .where(Paper.organisation_id == organisation_id, Meeting.process_id == process_id)
        .order_by(Paper.submitted_at.desc(), Paper.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def get_papers(session: Session, paper_ids: Collection[int]) -> dict[int, Paper]:
    """Papers for a bulk action, keyed by id (unknown ids are absent)."""
    ids = [i for i in paper_ids if _valid_id(i)]
    if not ids:
        return {}
    stmt = (
        select(Paper)
        .options(
            joinedload(Paper.meeting).joinedload(Meeting.process),
            joinedload(Paper.meeting).selectinload(Meeting.agenda_items),
            joinedload(Paper.organisation),
            joinedload(Paper.submitter),
            selectinload(Paper.agenda_links).joinedload(PaperAgendaItem.agenda_item),
        )
        .where(Paper.id.in_(ids))
    )
    return {paper.id: paper for paper in session.scalars(stmt).unique()}


def export_select(where: Sequence[ColumnElement[bool]], order: Sequence[Any]) -> Select[Any]:
    """Flat rows of the filtered queue for CSV/XLSX (see queue.EXPORT_HEADER)."""
    assignee = aliased(User)
    routed = aliased(AgendaItem)
    items = (
        select(func.aggregate_strings(AgendaItem.number, ","))
        .join(PaperAgendaItem, PaperAgendaItem.agenda_item_id == AgendaItem.id)
        .where(PaperAgendaItem.paper_id == Paper.id)
        .correlate(Paper)
        .scalar_subquery()
    )
    return (
        select(
            Paper.tracking_number,
            Paper.title,
            Organisation.name.label("organisation"),
            Organisation.type.label("organisation_type"),
            Organisation.country,
            Organisation.verification,
            Paper.language,
            items.label("agenda_items"),
            Paper.status,
            Paper.announced_status,
            func.coalesce(assignee.name, assignee.email).label("assignee"),
            routed.number.label("routed_to"),
            Paper.duplicate_group,
            Paper.submitted_at,
            Paper.id.label("paper_id"),
        )
        .join(Organisation, Organisation.id == Paper.organisation_id)
        .outerjoin(assignee, assignee.id == Paper.assignee_id)
        .outerjoin(routed, routed.id == Paper.routed_item_id)
        .where(*where)
        .order_by(*order)
    )


# --- decisions ---------------------------------------------------------------------------------


def decisions_of(session: Session, paper_id: int) -> list[Decision]:
    """Oldest first, each with its moderator."""
    stmt = (
        select(Decision)
        .options(joinedload(Decision.moderator))
        .where(Decision.paper_id == paper_id)
        .order_by(Decision.id)
    )
    return list(session.scalars(stmt))


def latest_decision(session: Session, paper_id: int) -> Decision | None:
    """The paper's newest decision that was not reverted."""
    stmt = (
        select(Decision)
        .where(Decision.paper_id == paper_id, Decision.reverted_at.is_(None))
        .order_by(Decision.id.desc())
        .limit(1)
    )
    decision: Decision | None = session.scalar(stmt)
    return decision


def get_decision(session: Session, decision_id: int) -> Decision | None:
    if not _valid_id(decision_id):
        return None
    return session.get(Decision, decision_id)


def _pending_staged(meeting_id: int) -> Select[Any]:
    # EXISTS, not a join: the planner then reads the few unreleased decisions, not every paper
    # of the meeting (30 ms instead of 6 ms at 50,000 papers and 30,000 decisions on SQLite).
    return select(Decision).where(
        Decision.staged.is_(True),
        Decision.released_at.is_(None),
        Decision.reverted_at.is_(None),
        exists(
            select(Paper.id).where(Paper.id == Decision.paper_id, Paper.meeting_id == meeting_id)
        ),
    )


def pending_staged(session: Session, meeting_id: int) -> list[Decision]:
    """Staged decisions not yet released nor reverted, oldest first, with their papers."""
    stmt = (
        _pending_staged(meeting_id)
        .options(
            joinedload(Decision.paper).joinedload(Paper.organisation),
            joinedload(Decision.paper).joinedload(Paper.submitter),
            joinedload(Decision.paper).joinedload(Paper.meeting).joinedload(Meeting.process),
        )
        .order_by(Decision.id)
    )
    return list(session.scalars(stmt).unique())


def count_pending_staged(session: Session, meeting_id: int) -> int:
    stmt = _pending_staged(meeting_id).with_only_columns(func.count(Decision.id))
    return int(session.scalar(stmt) or 0)


# --- reason codes ------------------------------------------------------------------------------


def reason_codes(session: Session, process_id: int, *, active_only: bool) -> list[ReasonCode]:
    stmt = select(ReasonCode).where(ReasonCode.process_id == process_id)
    if active_only:
        stmt = stmt.where(ReasonCode.active.is_(True))
    return list(session.scalars(stmt.order_by(ReasonCode.label, ReasonCode.id)))


def find_reason_code(session: Session, process_id: int, code: str) -> ReasonCode | None:
    stmt = select(ReasonCode).where(ReasonCode.process_id == process_id, ReasonCode.code == code)
    found: ReasonCode | None = session.scalar(stmt)
    return found


def get_reason_code(session: Session, code_id: int) -> ReasonCode | None:
    if not _valid_id(code_id):
        return None
    return session.get(ReasonCode, code_id)


# --- people and history ------------------------------------------------------------------------


def moderators_of(session: Session, process_id: int) -> list[User]:
    """Users who may triage the process by a grant (organisers and moderators), by name."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.process_id == process_id,
            RoleGrant.role.in_([ProcessRole.moderator, ProcessRole.organiser]),
        )
        .distinct()
        .order_by(User.name, User.id)
    )
    return list(session.scalars(stmt))


def get_user(session: Session, user_id: int) -> User | None:
    if not _valid_id(user_id):
        return None
    return session.get(User, user_id)


def users_by_id(session: Session, user_ids: Collection[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    stmt = select(User).where(User.id.in_(list(user_ids)))
    return {user.id: user for user in session.scalars(stmt)}


def paper_audit_events(session: Session, paper_id: int, limit: int = 500) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == "paper", AuditEvent.object_id == paper_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


# --- near-duplicates (tasks.py) ----------------------------------------------------------------


def queued_jobs(session: Session, kind: str, after_id: int) -> list[Job]:
    stmt = select(Job).where(Job.kind == kind, Job.state == JobState.queued, Job.id > after_id)
    return list(session.scalars(stmt))


def version_text(session: Session, version_id: int) -> tuple[str, bytes | None] | None:
    """(text, signature) of a version, or None when it is gone."""
    row = session.execute(
        select(PaperVersion.text, PaperVersion.signature).where(PaperVersion.id == version_id)
    ).first()
    return (str(row[0]), row[1]) if row is not None else None


def versions_without_signature(
    session: Session, meeting_id: int, after_id: int, limit: int
) -> list[tuple[int, str]]:
    """(version id, text) of the meeting's versions with text but no signature yet."""
    stmt = (
        select(PaperVersion.id, PaperVersion.text)
        .join(Paper, Paper.id == PaperVersion.paper_id)
        .where(
            Paper.meeting_id == meeting_id,
            PaperVersion.signature.is_(None),
            PaperVersion.text != "",
            PaperVersion.id > after_id,
        )
        .order_by(PaperVersion.id)
        .limit(limit)
    )
    return [(int(vid), str(text)) for vid, text in session.execute(stmt)]


def current_signatures(session: Session, meeting_id: int) -> list[tuple[int, bytes | None]]:
    """(paper id, signature of its newest version) of the meeting's papers still in play."""
    newest = (
        select(PaperVersion.paper_id, func.max(PaperVersion.number).label("number"))
        .join(Paper, Paper.id == PaperVersion.paper_id)
        .where(Paper.meeting_id == meeting_id)
        .group_by(PaperVersion.paper_id)
        .subquery()
    )
    stmt = (
        select(PaperVersion.paper_id, PaperVersion.signature)
        .join(
            newest,
            (newest.c.paper_id == PaperVersion.paper_id) & (newest.c.number == PaperVersion.number),
        )
        .join(Paper, Paper.id == PaperVersion.paper_id)
        .where(Paper.status.not_in(["withdrawn", "draft"]))
    )
    return [(int(pid), sig) for pid, sig in session.execute(stmt)]


def duplicate_groups(session: Session, meeting_id: int) -> dict[int, int | None]:
    stmt = select(Paper.id, Paper.duplicate_group).where(Paper.meeting_id == meeting_id)
    return {int(pid): group for pid, group in session.execute(stmt)}
