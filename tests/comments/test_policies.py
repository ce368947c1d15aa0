from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import User
from app.comments import policies
from app.comments.models import Comment, CommentStatus
from app.consultations.models import CommentMode

POSTED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AUTHOR = User(id=1, name="Author")
OTHER = User(id=2, name="Other")


def comment(status: CommentStatus = CommentStatus.published, **kw: object) -> Comment:
    return Comment(id=10, author_id=AUTHOR.id, status=status, created_at=POSTED, **kw)


def test_pending_comments_are_seen_by_their_author_and_moderators_only() -> None:
    pending = comment(CommentStatus.pending)
    assert policies.can_view(pending, AUTHOR, moderator=False)
    assert policies.can_view(pending, OTHER, moderator=True)
    assert not policies.can_view(pending, OTHER, moderator=False)
    assert not policies.can_view(pending, None, moderator=False)
    assert policies.can_view(comment(), None, moderator=False)
    assert policies.can_view(comment(CommentStatus.hidden), None, moderator=False)


def test_a_hidden_body_is_for_moderators_only() -> None:
    hidden = comment(CommentStatus.hidden)
    assert not policies.can_read_body(hidden, moderator=False)
    assert policies.can_read_body(hidden, moderator=True)
    assert policies.can_read_body(comment(), moderator=False)


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (timedelta(0), True),
        (timedelta(minutes=14, seconds=59), True),
        (timedelta(minutes=15), True),
        (timedelta(minutes=15, seconds=1), False),
        (timedelta(days=1), False),
    ],
)
def test_the_author_edits_for_fifteen_minutes(after: timedelta, allowed: bool) -> None:
    assert policies.can_edit(comment(), AUTHOR, POSTED + after) is allowed


def test_nobody_else_edits_and_nobody_edits_a_hidden_comment() -> None:
    assert not policies.can_edit(comment(), OTHER, POSTED)
    assert not policies.can_edit(comment(), None, POSTED)
    assert not policies.can_edit(comment(CommentStatus.hidden), AUTHOR, POSTED)
    assert policies.can_edit(comment(CommentStatus.pending), AUTHOR, POSTED)


def test_replies_go_to_published_top_level_comments_of_open_items() -> None:
    assert policies.can_reply(comment(), OTHER, comments_open=True)
    assert not policies.can_reply(comment(), None, comments_open=True)
    assert not policies.can_reply(comment(), OTHER, comments_open=False)
    assert not policies.can_reply(comment(parent_id=3), OTHER, comments_open=True)
    assert not policies.can_reply(comment(CommentStatus.pending), OTHER, comments_open=True)
    assert not policies.can_reply(comment(CommentStatus.hidden), OTHER, comments_open=True)


def test_others_report_published_comments() -> None:
    assert policies.can_report(comment(), OTHER)
    assert not policies.can_report(comment(), AUTHOR)
    assert not policies.can_report(comment(), None)
    assert not policies.can_report(comment(CommentStatus.hidden), OTHER)
    assert not policies.can_report(comment(CommentStatus.pending), OTHER)


def test_premoderation_holds_comments_and_edits_except_a_moderators() -> None:
    pre, open_ = CommentMode.premoderated, CommentMode.open
    assert policies.status_for_new_comment(pre, moderator=False) is CommentStatus.pending
    assert policies.status_for_new_comment(pre, moderator=True) is CommentStatus.published
    assert policies.status_for_new_comment(open_, moderator=False) is CommentStatus.published
    assert policies.status_after_edit(comment(), pre, moderator=False) is CommentStatus.pending
    assert policies.status_after_edit(comment(), open_, moderator=False) is CommentStatus.published
    pending = comment(CommentStatus.pending)
    assert policies.status_after_edit(pending, open_, moderator=False) is CommentStatus.pending
