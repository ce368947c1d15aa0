"""Reading comment threads: what a viewer sees of an agenda item's comments, page by page.

Top-level comments come newest first, 20 to a page, paged by a keyset cursor (the id of the
last top-level comment shown); each carries its replies, oldest first. Every comment comes as a
CommentView with what this viewer may do with it. Authors are named by their name only — never
their e-mail address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.comments import markup, policies, repository
from app.comments.models import Comment
from app.comments.service import Viewer
from app.consultations.models import AgendaItem
from app.db import utcnow
from app.errors import NotFound
from app.i18n import N_
from app.i18n import gettext as _

PAGE_SIZE = 20
PAGE_MAX = 100
FORMER_PARTICIPANT = N_("Former participant")


def public_name(user: User | None) -> str:
    """The name shown next to a comment: the user's name, never their e-mail address."""
    if user is None:
        return _(FORMER_PARTICIPANT)
    return user.name.strip() or _("Participant %(number)s") % {"number": user.id}


@dataclass
class CommentView:
    comment: Comment
    author_name: str
    organisation_name: str | None
    body_html: str | None  # None: hidden by a moderator, show the marker only
    can_edit: bool
    can_reply: bool
    can_report: bool
    can_moderate: bool
    reported: bool  # by this viewer
    report_count: int  # open reports; moderators only, 0 for others
    edit_text: str  # the markup, for the author's edit form
    replies: list[CommentView] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.comment.id


@dataclass
class ThreadPage:
    threads: list[CommentView]
    next_cursor: int | None


def _view(
    comment: Comment,
    viewer: Viewer,
    item: AgendaItem,
    now: datetime,
    report_counts: dict[int, int],
    reported: set[int],
) -> CommentView:
    user = viewer.user
    can_edit = policies.can_edit(comment, user, now)
    return CommentView(
        comment=comment,
        author_name=public_name(comment.author),
        organisation_name=comment.organisation.name if comment.organisation else None,
        body_html=comment.body
        if policies.can_read_body(comment, moderator=viewer.moderator)
        else None,
        can_edit=can_edit,
        can_reply=policies.can_reply(comment, user, comments_open=item.comments_open),
        can_report=policies.can_report(comment, user),
        can_moderate=viewer.moderator,
        reported=comment.id in reported,
        report_count=report_counts.get(comment.id, 0),
        edit_text=markup.to_source(comment.body) if can_edit else "",
    )


def _threads(
    session: Session,
    viewer: Viewer,
    item: AgendaItem,
    tops: Sequence[Comment],
    now: datetime,
) -> list[CommentView]:
    visible = repository.visible_to(viewer.user_id, viewer.moderator)
    replies = repository.list_replies(session, [top.id for top in tops], visible)
    ids = [c.id for c in tops] + [c.id for c in replies]
    counts = repository.open_report_counts(session, ids) if viewer.moderator else {}
    user_id = viewer.user_id
    reported = repository.reported_by(session, user_id, ids) if user_id is not None else set()
    views = {top.id: _view(top, viewer, item, now, counts, reported) for top in tops}
    for reply in replies:
        if reply.parent_id in views:
            views[reply.parent_id].replies.append(_view(reply, viewer, item, now, counts, reported))
    return [views[top.id] for top in tops]


def list_threads(
    session: Session,
    viewer: Viewer,
    item: AgendaItem,
    *,
    cursor: int | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> ThreadPage:
    limit = max(1, min(limit, PAGE_MAX))
    visible = repository.visible_to(viewer.user_id, viewer.moderator)
    tops = repository.list_top_level(session, item.id, visible, before=cursor, limit=limit + 1)
    next_cursor = tops[limit - 1].id if len(tops) > limit else None
    tops = tops[:limit]
    return ThreadPage(_threads(session, viewer, item, tops, now or utcnow()), next_cursor)


def thread_of(
    session: Session, viewer: Viewer, comment: Comment, *, now: datetime | None = None
) -> CommentView:
    """The whole thread a comment belongs to (its top-level comment with the replies)."""
    top = comment
    if comment.parent_id is not None:
        parent = repository.get_comment(session, comment.parent_id)
        if parent is None:  # pragma: no cover - replies are deleted with their parent
            raise NotFound(_("There is no such comment."))
        top = parent
    return _threads(session, viewer, top.agenda_item, [top], now or utcnow())[0]


def comment_view(
    session: Session, viewer: Viewer, comment: Comment, *, now: datetime | None = None
) -> CommentView:
    """One comment as this viewer sees it, with its replies if it is a top-level comment."""
    return _threads(session, viewer, comment.agenda_item, [comment], now or utcnow())[0]


def count_published(session: Session, item: AgendaItem) -> int:
    return repository.count_published(session, item.id)
