"""The comment moderation queue of a meeting: what waits for a moderator, and acting on it.

The queue spans the meeting's agenda items. "To review" (the default) is what needs a decision:
pending comments and comments with open reports (a report brings a published comment back).
Pages are keyed by comment id (oldest first by default, so nobody waits longest), 50 a page.
Decisions go through app.comments.service, which checks the moderator, resolves reports and
writes the audit log: publishing (a pending or hidden comment; on a published one it keeps it
and resolves its reports), hiding with a reason, and dismissing reports (the comment stays).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.accounts.models import User
from app.comments import service as comments
from app.comments.models import Comment, CommentReport, CommentStatus
from app.comments.schemas import ModerationAction, ModerationRequest, Reason
from app.comments.threads import public_name
from app.consultations.models import AgendaItem, Meeting
from app.errors import NotFound
from app.i18n import gettext as _
from app.organisations.models import Organisation

PAGE_SIZE = 50
MAX_SELECTION = 100
MAX_ID = 2**31 - 1


class QueueStatus(enum.StrEnum):
    review = "review"
    pending = "pending"
    reported = "reported"
    published = "published"
    hidden = "hidden"
    all = "all"


class QueueOrder(enum.StrEnum):
    oldest = "oldest"
    newest = "newest"


class QueueAction(enum.StrEnum):
    publish = "publish"
    hide = "hide"
    dismiss = "dismiss"


@dataclass(frozen=True)
class QueueFilters:
    """The queue's view, all of it in the URL so it can be bookmarked and shared."""

    status: QueueStatus = QueueStatus.review
    item_id: int | None = None
    order: QueueOrder = QueueOrder.oldest
    cursor: int | None = None

    def params(self, **changes: Any) -> dict[str, str]:
        """The view as query parameters, defaults left out."""
        view = replace(self, **changes)
        values = {
            "status": "" if view.status is QueueStatus.review else view.status.value,
            "item": str(view.item_id or ""),
            "order": "" if view.order is QueueOrder.oldest else view.order.value,
            "cursor": str(view.cursor or ""),
        }
        return {key: value for key, value in values.items() if value}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))


@dataclass
class QueueRow:
    comment: Comment
    author_name: str
    organisation_name: str | None
    reasons: list[str] = field(default_factory=list)  # of the open reports, oldest first

    @property
    def id(self) -> int:
        return self.comment.id

    @property
    def item(self) -> AgendaItem:
        return self.comment.agenda_item

    @property
    def report_count(self) -> int:
        return len(self.reasons)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: int | None
    counts: dict[str, int]  # pending, reported: how much waits in the whole meeting


class QueueActionForm(BaseModel):
    """A decision on one comment or a selection (ids first: the reason's check needs action)."""

    ids: list[int]
    action: QueueAction
    reason: Reason = Field(default="", validate_default=True)

    @field_validator("ids")
    @classmethod
    def _some_ids(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError(_("Select at least one comment."))
        if len(value) > MAX_SELECTION:
            raise ValueError(
                _("Select at most %(maximum)s comments at once.") % {"maximum": MAX_SELECTION}
            )
        return value

    @field_validator("reason")
    @classmethod
    def _hiding_needs_reason(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("action") is QueueAction.hide and not value:
            raise ValueError(_("Give the reason for hiding (moderators see it)."))
        return value


@dataclass
class ActionResult:
    action: QueueAction
    changed: int
    unchanged: int


def valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


# --- queries -------------------------------------------------------------------------------------


def _has_open_report() -> ColumnElement[bool]:
    return exists().where(
        CommentReport.comment_id == Comment.id, CommentReport.resolved_at.is_(None)
    )


def _status_condition(status: QueueStatus) -> ColumnElement[bool] | None:
    if status is QueueStatus.review:
        return (Comment.status == CommentStatus.pending) | _has_open_report()
    if status is QueueStatus.reported:
        return _has_open_report()
    if status is QueueStatus.all:
        return None
    return Comment.status == CommentStatus(status.value)


def _filtered(meeting_id: int, filters: QueueFilters) -> Select[Comment]:
    stmt = (
        select(Comment)
        .join(AgendaItem, AgendaItem.id == Comment.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting_id)
    )
    condition = _status_condition(filters.status)
    if condition is not None:
        stmt = stmt.where(condition)
    if filters.item_id is not None:
        stmt = stmt.where(Comment.agenda_item_id == filters.item_id)
    return stmt


def queue_statement(meeting_id: int, filters: QueueFilters) -> Select[Comment]:
    """The filtered queue in page order, from the cursor on, with authors and items loaded."""
    newest = filters.order is QueueOrder.newest
    stmt = _filtered(meeting_id, filters).options(
        joinedload(Comment.author),
        joinedload(Comment.organisation),
        contains_eager(Comment.agenda_item),
    )
    if filters.cursor is not None:
        stmt = stmt.where(Comment.id < filters.cursor if newest else Comment.id > filters.cursor)
    return stmt.order_by(Comment.id.desc() if newest else Comment.id)


def _open_reasons(session: Session, comment_ids: Sequence[int]) -> dict[int, list[str]]:
    if not comment_ids:
        return {}
    stmt = (
        select(CommentReport.comment_id, CommentReport.reason)
        .where(CommentReport.comment_id.in_(comment_ids), CommentReport.resolved_at.is_(None))
        .order_by(CommentReport.id)
    )
    reasons: dict[int, list[str]] = {}
    for comment_id, reason in session.execute(stmt):
        reasons.setdefault(comment_id, []).append(reason)
    return reasons


def _count(session: Session, meeting_id: int, status: QueueStatus) -> int:
    filtered = _filtered(meeting_id, QueueFilters(status=status)).subquery()
    return session.scalar(select(func.count()).select_from(filtered)) or 0


def queue_page(
    session: Session, meeting: Meeting, filters: QueueFilters, *, limit: int = PAGE_SIZE
) -> QueuePage:
    comments_ = list(session.scalars(queue_statement(meeting.id, filters).limit(limit + 1)))
    next_cursor = comments_[limit - 1].id if len(comments_) > limit else None
    comments_ = comments_[:limit]
    reasons = _open_reasons(session, [c.id for c in comments_])
    rows = [
        QueueRow(
            comment=c,
            author_name=public_name(c.author),
            organisation_name=c.organisation.name if c.organisation else None,
            reasons=reasons.get(c.id, []),
        )
        for c in comments_
    ]
    counts = {
        status.value: _count(session, meeting.id, status)
        for status in (QueueStatus.pending, QueueStatus.reported)
    }
    return QueuePage(rows, next_cursor, counts)


# --- export --------------------------------------------------------------------------------------

EXPORT_HEADER = (
    "comment_id",
    "created_at_utc",
    "agenda_item",
    "status",
    "author",
    "organisation",
    "open_reports",
    "hidden_reason",
    "body_html",
)


def export_statement(meeting_id: int, filters: QueueFilters) -> Select[Any]:
    """Every comment of the filtered queue (no cursor), as flat columns for a streamed export."""
    open_reports = (
        select(func.count(CommentReport.id))
        .where(CommentReport.comment_id == Comment.id, CommentReport.resolved_at.is_(None))
        .scalar_subquery()
    )
    return (
        _filtered(meeting_id, replace(filters, cursor=None))
        .outerjoin(User, User.id == Comment.author_id)
        .outerjoin(Organisation, Organisation.id == Comment.organisation_id)
        .with_only_columns(
            Comment.id,
            Comment.created_at,
            AgendaItem.number,
            Comment.status,
            User.id.label("author_id"),
            User.name.label("author_name"),
            Organisation.name.label("organisation"),
            open_reports.label("open_reports"),
            Comment.hidden_reason,
            Comment.body,
        )
        .order_by(Comment.id)
    )


def export_row(row: Any) -> tuple[object, ...]:
    author = (row.author_name or "").strip() or (
        f"Participant {row.author_id}" if row.author_id else "Former participant"
    )
    return (
        row.id,
        row.created_at,
        row.number,
        row.status.value,
        author,
        row.organisation or "",
        row.open_reports,
        row.hidden_reason,
        row.body,
    )


# --- actions -------------------------------------------------------------------------------------


def comments_of_meeting(session: Session, meeting: Meeting, ids: Sequence[int]) -> list[Comment]:
    """The comments, loaded as the comments service needs them; any id not of this meeting
    (or forged) is a 404, so nothing happens to part of a selection."""
    wanted = sorted(set(ids))
    if not wanted or not all(valid_id(i) for i in wanted):
        raise NotFound(_("There is no such comment in this meeting."))
    stmt = (
        select(Comment)
        .join(Comment.agenda_item)
        .options(
            contains_eager(Comment.agenda_item)
            .joinedload(AgendaItem.meeting)
            .joinedload(Meeting.process)
        )
        .where(Comment.id.in_(wanted), AgendaItem.meeting_id == meeting.id)
        .order_by(Comment.id)
    )
    found = list(session.scalars(stmt))
    if len(found) != len(wanted):
        raise NotFound(_("There is no such comment in this meeting."))
    return found


def _has_open_reports(session: Session, comment: Comment) -> bool:
    return bool(_open_reasons(session, [comment.id]))


def _apply(
    session: Session, actor: User, comment: Comment, action: QueueAction, reason: str
) -> bool:
    """One decision; False when it would change nothing (then nothing is written)."""
    if action is QueueAction.dismiss:
        return comments.dismiss_reports(session, actor, comment) > 0
    if action is QueueAction.publish:
        if comment.status is CommentStatus.published and not _has_open_reports(session, comment):
            return False
        request = ModerationRequest(action=ModerationAction.publish)
    else:
        if comment.status is CommentStatus.hidden and comment.hidden_reason == reason:
            return False
        request = ModerationRequest(action=ModerationAction.hide, reason=reason)
    comments.moderate_comment(session, actor, comment, request)
    return True


def apply_action(
    session: Session,
    actor: User,
    meeting: Meeting,
    ids: Sequence[int],
    action: QueueAction,
    reason: str = "",
) -> ActionResult:
    """Apply one action to the selected comments of this meeting (all or none of them exist).
    The reason is checked by the caller (ModerationRequest) before anything changes."""
    changed = 0
    selected = comments_of_meeting(session, meeting, ids)
    for comment in selected:
        changed += _apply(session, actor, comment, action, reason)
    return ActionResult(action, changed, len(selected) - changed)


def iter_ids(values: Sequence[str]) -> Iterator[int]:
    """Comment ids from form values; junk is a 404 like a forged path."""
    for value in values:
        if not value.isdigit():
            raise NotFound(_("There is no such comment in this meeting."))
        yield int(value)
