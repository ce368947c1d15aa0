"""Who may do what with a comment. Pure functions of the comment, the user and their standing.

`moderator` means: may moderate the comment's process (its organisers and moderators, and
platform administrators — see app.consultations.policies.can_moderate).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.accounts.models import User
from app.comments.models import Comment, CommentStatus
from app.consultations.models import CommentMode

EDIT_WINDOW = timedelta(minutes=15)


def is_author(comment: Comment, user: User | None) -> bool:
    return user is not None and comment.author_id == user.id


def can_view(comment: Comment, user: User | None, *, moderator: bool) -> bool:
    """Pending comments only to their author and moderators; hidden ones show as a marker."""
    if comment.status is CommentStatus.pending:
        return moderator or is_author(comment, user)
    return True


def can_read_body(comment: Comment, *, moderator: bool) -> bool:
    """A hidden comment's text is gone for everyone but moderators (who review it)."""
    return comment.status is not CommentStatus.hidden or moderator


def edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + EDIT_WINDOW


def can_edit(comment: Comment, user: User | None, now: datetime) -> bool:
    """Its author, for 15 minutes after posting, unless a moderator hid it."""
    return (
        is_author(comment, user)
        and comment.status is not CommentStatus.hidden
        and now <= edit_deadline(comment)
    )


def can_reply(comment: Comment, user: User | None, *, comments_open: bool) -> bool:
    """Replies go to published top-level comments of an item that takes comments."""
    return (
        user is not None
        and comments_open
        and comment.parent_id is None
        and comment.status is CommentStatus.published
    )


def can_report(comment: Comment, user: User | None) -> bool:
    return (
        user is not None
        and comment.status is CommentStatus.published
        and not is_author(comment, user)
    )


def status_for_new_comment(mode: CommentMode, *, moderator: bool) -> CommentStatus:
    """Pre-moderated meetings hold comments for review; a moderator's own go out at once."""
    if mode is CommentMode.premoderated and not moderator:
        return CommentStatus.pending
    return CommentStatus.published


def status_after_edit(comment: Comment, mode: CommentMode, *, moderator: bool) -> CommentStatus:
    """In a pre-moderated meeting an edited comment is reviewed again (else an edit would slip
    unreviewed text past moderation)."""
    if comment.status is CommentStatus.published:
        return status_for_new_comment(mode, moderator=moderator)
    return comment.status
