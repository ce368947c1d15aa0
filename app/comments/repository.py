"""Every query of the comments domain, with its eager loads."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.comments.models import Comment, CommentReport, CommentStatus
from app.consultations.models import AgendaItem, Meeting

MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer are forged; don't send them to the database


def valid_id(object_id: int) -> bool:
    return 0 < object_id <= MAX_ID


_PEOPLE = (joinedload(Comment.author), joinedload(Comment.organisation))


def get_agenda_item(session: Session, item_id: int) -> AgendaItem | None:
    if not valid_id(item_id):
        return None
    stmt = (
        select(AgendaItem)
        .options(joinedload(AgendaItem.meeting).joinedload(Meeting.process))
        .where(AgendaItem.id == item_id)
    )
    return session.scalar(stmt)


def get_comment(session: Session, comment_id: int) -> Comment | None:
    """A comment with its people and its agenda item, meeting and process."""
    if not valid_id(comment_id):
        return None
    stmt = (
        select(Comment)
        .options(
            *_PEOPLE,
            joinedload(Comment.agenda_item)
            .joinedload(AgendaItem.meeting)
            .joinedload(Meeting.process),
        )
        .where(Comment.id == comment_id)
    )
    return session.scalar(stmt)


def visible_to(user_id: int | None, moderator: bool) -> ColumnElement[bool]:
    """Moderators see everything; others see published and hidden comments (hidden ones as a
    marker) and their own pending ones."""
    if moderator:
        return Comment.id.is_not(None)
    shown = Comment.status.in_((CommentStatus.published, CommentStatus.hidden))
    if user_id is None:
        return shown
    return or_(shown, and_(Comment.status == CommentStatus.pending, Comment.author_id == user_id))


def list_top_level(
    session: Session,
    item_id: int,
    visible: ColumnElement[bool],
    *,
    before: int | None,
    limit: int,
) -> list[Comment]:
    """Newest first; `before` is the keyset cursor (the id of the last comment already shown)."""
    stmt = (
        select(Comment)
        .options(*_PEOPLE)
        .where(Comment.agenda_item_id == item_id, Comment.parent_id.is_(None), visible)
        .order_by(Comment.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(Comment.id < before)
    return list(session.scalars(stmt))


def list_replies(
    session: Session, parent_ids: Collection[int], visible: ColumnElement[bool]
) -> list[Comment]:
    """Replies to the given comments, oldest first."""
    if not parent_ids:
        return []
    stmt = (
        select(Comment)
        .options(*_PEOPLE)
        .where(Comment.parent_id.in_(parent_ids), visible)
        .order_by(Comment.id)
    )
    return list(session.scalars(stmt))


def count_published(session: Session, item_id: int) -> int:
    stmt = select(func.count(Comment.id)).where(
        Comment.agenda_item_id == item_id, Comment.status == CommentStatus.published
    )
    return session.scalar(stmt) or 0


def count_recent_by_author(session: Session, author_id: int, since: datetime) -> int:
    stmt = select(func.count(Comment.id)).where(
        Comment.author_id == author_id, Comment.created_at > since
    )
    return session.scalar(stmt) or 0


def open_report_counts(session: Session, comment_ids: Collection[int]) -> dict[int, int]:
    if not comment_ids:
        return {}
    stmt = (
        select(CommentReport.comment_id, func.count(CommentReport.id))
        .where(CommentReport.comment_id.in_(comment_ids), CommentReport.resolved_at.is_(None))
        .group_by(CommentReport.comment_id)
    )
    return dict(session.execute(stmt).all())


def reported_by(session: Session, user_id: int, comment_ids: Collection[int]) -> set[int]:
    """Which of the comments this user has reported."""
    if not comment_ids:
        return set()
    stmt = select(CommentReport.comment_id).where(
        CommentReport.reporter_id == user_id, CommentReport.comment_id.in_(comment_ids)
    )
    return set(session.scalars(stmt))


def list_open_reports(session: Session, comment_id: int) -> list[CommentReport]:
    stmt = select(CommentReport).where(
        CommentReport.comment_id == comment_id, CommentReport.resolved_at.is_(None)
    )
    return list(session.scalars(stmt))
