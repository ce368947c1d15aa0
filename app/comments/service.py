"""Posting, editing, reporting and moderating comments. Services flush; the request commits.

Rules (each function takes `now` so tests can move the clock):
- Only items with `comments_open` take comments (409 otherwise).
- On behalf of an organisation only for its members (403 otherwise).
- Replies are one level deep: a reply to a reply is attached to the top-level comment of its
  thread. Only published comments can be answered.
- At most RATE_LIMIT comments per user per RATE_WINDOW (429).
- Pre-moderated meetings hold comments (and edits of published ones) as pending, unless the
  writer moderates the process.
- Authors may edit for 15 minutes (policies.EDIT_WINDOW); edits set `edited_at`.
- One report per user per comment; moderation (publish / hide with a reason) resolves the open
  reports, and so does dismissing them (the comment stays as it is). Creating, editing,
  reporting and moderating are all audited.
Reading threads lives in app.comments.threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.comments import markup, policies, repository
from app.comments.models import Comment, CommentReport, CommentStatus
from app.comments.schemas import (
    CommentCreate,
    CommentUpdate,
    ModerationAction,
    ModerationRequest,
    ReportCreate,
)
from app.consultations import service as consultations
from app.consultations.models import AgendaItem
from app.db import utcnow
from app.errors import AppError, Conflict, Forbidden, NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.organisations import service as organisations
from app.organisations.models import Organisation

RATE_LIMIT = 10
RATE_WINDOW = timedelta(minutes=1)
NO_ITEM = N_("There is no such agenda item.")
NO_COMMENT = N_("There is no such comment.")


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


class CommentsClosed(AppError):
    status = 409
    code = "comments_closed"


@dataclass(frozen=True)
class Viewer:
    """Who looks at an agenda item's comments, and whether they moderate its process."""

    user: User | None
    moderator: bool

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


def viewer_for(session: Session, user: User | None, item: AgendaItem) -> Viewer:
    process = item.meeting.process
    return Viewer(user, consultations.permissions_for(session, user, process).moderate)


def get_agenda_item(session: Session, item_id: int) -> AgendaItem:
    item = repository.get_agenda_item(session, item_id)
    if item is None:
        raise NotFound(NO_ITEM)
    return item


def get_visible_comment(session: Session, user: User | None, comment_id: int) -> Comment:
    """The comment, if it exists and this user may see it (pending ones are 404 to others)."""
    comment = repository.get_comment(session, comment_id)
    if comment is None:
        raise NotFound(NO_COMMENT)
    viewer = viewer_for(session, user, comment.agenda_item)
    if not policies.can_view(comment, user, moderator=viewer.moderator):
        raise NotFound(NO_COMMENT)
    return comment


def require_moderator(session: Session, user: User, comment: Comment) -> None:
    if not viewer_for(session, user, comment.agenda_item).moderator:
        raise Forbidden(
            _("Only the moderators and organisers of this process can moderate comments.")
        )


def _check_rate(session: Session, user: User, now: datetime) -> None:
    recent = repository.count_recent_by_author(session, user.id, now - RATE_WINDOW)
    if recent >= RATE_LIMIT:
        raise RateLimited(
            _(
                "You have posted %(count)s comments in the last minute. "
                "Please wait a minute before posting again."
            )
            % {"count": RATE_LIMIT}
        )


def _organisation_for(
    session: Session, user: User, organisation_id: int | None
) -> Organisation | None:
    if organisation_id is None:
        return None
    for membership in organisations.memberships_of(session, user):
        if membership.organisation_id == organisation_id:
            return membership.organisation
    raise Forbidden(_("You can only comment on behalf of an organisation you belong to."))


def _parent_for(
    session: Session, viewer: Viewer, item: AgendaItem, parent_id: int | None
) -> Comment | None:
    if parent_id is None:
        return None
    parent = repository.get_comment(session, parent_id)
    if (
        parent is None
        or parent.agenda_item_id != item.id
        or not policies.can_view(parent, viewer.user, moderator=viewer.moderator)
    ):
        raise NotFound(_("There is no such comment to reply to."))
    if parent.parent_id is not None:  # one level deep: answer the thread instead
        parent = repository.get_comment(session, parent.parent_id)
        if parent is None:  # pragma: no cover - a reply's parent is deleted with it
            raise NotFound(_("There is no such comment to reply to."))
    if parent.status is not CommentStatus.published:
        raise Conflict(_("Only published comments can be answered."), code="not_published")
    return parent


def post_comment(
    session: Session,
    user: User,
    item: AgendaItem,
    data: CommentCreate,
    *,
    now: datetime | None = None,
) -> Comment:
    now = now or utcnow()
    if not item.comments_open:
        raise CommentsClosed(_("Comments on this agenda item are closed."))
    viewer = viewer_for(session, user, item)
    _check_rate(session, user, now)
    organisation = _organisation_for(session, user, data.organisation_id)
    parent = _parent_for(session, viewer, item, data.parent_id)
    status = policies.status_for_new_comment(item.meeting.comment_mode, moderator=viewer.moderator)
    comment = Comment(
        agenda_item=item,
        author=user,
        organisation=organisation,
        parent_id=parent.id if parent else None,
        body=markup.render_markup(data.text),
        status=status,
        created_at=now,
    )
    session.add(comment)
    session.flush()
    after = {
        "agenda_item_id": item.id,
        "parent_id": comment.parent_id,
        "organisation_id": comment.organisation_id,
        "status": status.value,
    }
    audit.record(session, user, "comment.create", "comment", comment.id, None, after)
    return comment


def edit_comment(
    session: Session,
    user: User,
    comment: Comment,
    data: CommentUpdate,
    *,
    now: datetime | None = None,
) -> Comment:
    now = now or utcnow()
    if not policies.is_author(comment, user):
        raise Forbidden(_("Only its author can edit a comment."))
    if comment.status is CommentStatus.hidden:
        raise Conflict(
            _("A moderator hid this comment; it can no longer be edited."), code="hidden"
        )
    if not policies.can_edit(comment, user, now):
        raise Forbidden(
            _(
                "Comments can be edited for 15 minutes after posting; this one can no longer be "
                "changed. Post a reply instead."
            )
        )
    body = markup.render_markup(data.text)
    if body == comment.body:
        return comment
    viewer = viewer_for(session, user, comment.agenda_item)
    mode = comment.agenda_item.meeting.comment_mode
    before = {"body": comment.body, "status": comment.status.value}
    comment.body = body
    comment.edited_at = now
    comment.status = policies.status_after_edit(comment, mode, moderator=viewer.moderator)
    session.flush()
    after = {"body": comment.body, "status": comment.status.value}
    audit.record(session, user, "comment.edit", "comment", comment.id, before, after)
    return comment


def report_comment(
    session: Session,
    user: User,
    comment: Comment,
    data: ReportCreate,
    *,
    now: datetime | None = None,
) -> CommentReport:
    now = now or utcnow()
    if policies.is_author(comment, user):
        raise Conflict(_("You cannot report your own comment."), code="own_comment")
    if comment.status is not CommentStatus.published:
        raise Conflict(_("Only published comments can be reported."), code="not_published")
    already = Conflict(_("You have already reported this comment."), code="already_reported")
    if repository.reported_by(session, user.id, [comment.id]):
        raise already
    report = CommentReport(
        comment_id=comment.id, reporter_id=user.id, reason=data.reason, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError as exc:  # a concurrent double submission
        raise already from exc
    after = {"report_id": report.id, "reason": report.reason}
    audit.record(session, user, "comment.report", "comment", comment.id, None, after)
    return report


def moderate_comment(
    session: Session,
    actor: User,
    comment: Comment,
    data: ModerationRequest,
    *,
    now: datetime | None = None,
) -> Comment:
    """Publish (a pending comment, or a hidden one again, or keep a reported one) or hide."""
    now = now or utcnow()
    require_moderator(session, actor, comment)
    before = {"status": comment.status.value, "hidden_reason": comment.hidden_reason}
    if data.action is ModerationAction.publish:
        comment.status, comment.hidden_reason = CommentStatus.published, ""
    else:
        comment.status, comment.hidden_reason = CommentStatus.hidden, data.reason
    comment.moderated_by_id = actor.id
    comment.moderated_at = now
    reports = repository.list_open_reports(session, comment.id)
    for report in reports:
        report.resolved_at = now
    session.flush()
    after = {
        "status": comment.status.value,
        "hidden_reason": comment.hidden_reason,
        "resolved_reports": len(reports),
    }
    action = f"comment.{data.action.value}"
    audit.record(session, actor, action, "comment", comment.id, before, after)
    return comment


def dismiss_reports(
    session: Session, actor: User, comment: Comment, *, now: datetime | None = None
) -> int:
    """Resolve the open reports and leave the comment as it is (a moderator found it fine).
    Returns how many reports were resolved; none open is a no-op, not audited."""
    now = now or utcnow()
    require_moderator(session, actor, comment)
    reports = repository.list_open_reports(session, comment.id)
    if not reports:
        return 0
    for report in reports:
        report.resolved_at = now
    session.flush()
    after = {"status": comment.status.value, "resolved_reports": len(reports)}
    audit.record(session, actor, "comment.dismiss_reports", "comment", comment.id, None, after)
    return len(reports)
