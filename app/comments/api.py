"""JSON API of comments on agenda items, under /api/v1.

Reading is public (published comments, hidden ones as markers; pending ones only to their author
and the process's moderators). Writing needs a user (bearer token, or session + X-CSRF-Token).
Errors: {"error": {"code", "message", "fields"?}}; invalid input is 422 with a message per field.

Comment text is plain text with a little markup: a blank line for a new paragraph, "- " or
"1. " lines for lists, **strong**, *emphasis*, [text](https://…) links. HTML is not interpreted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import ApiUser, OptionalApiUser
from app.comments import service, threads
from app.comments.deps import (
    ApiEditableComment,
    ApiModeratableComment,
    ApiVisibleComment,
    CommentItem,
)
from app.comments.models import Comment, CommentStatus
from app.comments.schemas import (
    CommentCreate,
    CommentPage,
    CommentRead,
    CommentUpdate,
    ModerationRequest,
    ReportCreate,
    ReportRead,
)
from app.comments.threads import CommentView
from app.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["comments"])
Cursor = Annotated[int | None, Query(gt=0, lt=2**31, description="next_cursor of a page")]
Limit = Annotated[int, Query(ge=1, le=threads.PAGE_MAX)]


def comment_read(view: CommentView) -> CommentRead:
    comment = view.comment
    hidden = comment.status is CommentStatus.hidden
    return CommentRead(
        id=comment.id,
        agenda_item_id=comment.agenda_item_id,
        parent_id=comment.parent_id,
        status=comment.status,
        author_name=view.author_name,
        organisation_id=comment.organisation_id,
        organisation_name=view.organisation_name,
        body_html=view.body_html,
        text=view.edit_text or None,
        hidden_reason=comment.hidden_reason if hidden and view.can_moderate else None,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        can_edit=view.can_edit,
        report_count=view.report_count if view.can_moderate else None,
        replies=[comment_read(reply) for reply in view.replies],
    )


def _read_one(session: SessionDep, user: ApiUser, comment: Comment) -> CommentRead:
    viewer = service.viewer_for(session, user, comment.agenda_item)
    return comment_read(threads.comment_view(session, viewer, comment))


@router.get("/agenda-items/{item_id:int}/comments", response_model=CommentPage)
def list_comments(
    session: SessionDep,
    user: OptionalApiUser,
    item: CommentItem,
    cursor: Cursor = None,
    limit: Limit = threads.PAGE_SIZE,
) -> CommentPage:
    """Top-level comments newest first, each with its replies (oldest first)."""
    viewer = service.viewer_for(session, user, item)
    page = threads.list_threads(session, viewer, item, cursor=cursor, limit=limit)
    return CommentPage(
        items=[comment_read(view) for view in page.threads], next_cursor=page.next_cursor
    )


@router.post("/agenda-items/{item_id:int}/comments", response_model=CommentRead, status_code=201)
def post_comment(
    session: SessionDep, user: ApiUser, item: CommentItem, data: CommentCreate
) -> CommentRead:
    """Comment, or reply with parent_id (a reply to a reply joins the top-level thread).
    At most 10 comments a minute (429)."""
    comment = service.post_comment(session, user, item, data)
    return _read_one(session, user, comment)


@router.patch("/comments/{comment_id:int}", response_model=CommentRead)
def edit_comment(
    session: SessionDep, user: ApiUser, comment: ApiEditableComment, data: CommentUpdate
) -> CommentRead:
    """The author, within 15 minutes of posting."""
    service.edit_comment(session, user, comment, data)
    return _read_one(session, user, comment)


@router.post("/comments/{comment_id:int}/reports", response_model=ReportRead, status_code=201)
def report_comment(
    session: SessionDep, user: ApiUser, comment: ApiVisibleComment, data: ReportCreate
) -> ReportRead:
    """Once per user and comment (409 the second time)."""
    report = service.report_comment(session, user, comment, data)
    return ReportRead(
        id=report.id, comment_id=comment.id, reason=report.reason, created_at=report.created_at
    )


@router.post("/comments/{comment_id:int}/moderation", response_model=CommentRead)
def moderate_comment(
    session: SessionDep, user: ApiUser, comment: ApiModeratableComment, data: ModerationRequest
) -> CommentRead:
    """Moderators and organisers of the process, and administrators: publish, or hide with a
    reason."""
    service.moderate_comment(session, user, comment, data)
    return _read_one(session, user, comment)
