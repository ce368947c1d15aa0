"""HTML pages of comments: an agenda item's page with its thread, and the forms that change it.

Every form works twice. With htmx, the answer is a fragment: the thread that changed (posting,
replying, editing, reporting, moderating), or the next page of threads ("show older"); a status
line goes to the page's live region. Without JavaScript, a plain POST answers 303 back to the
thread's anchor. Invalid input re-renders the form in place with its messages (422); for
replies and actions on older threads the page starts at that thread (?cursor), so the form
with its messages is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.accounts.deps import CurrentUser, OptionalUser
from app.accounts.models import User
from app.comments import service, threads
from app.comments.deps import CommentItem, EditableComment, ModeratableComment, VisibleComment
from app.comments.models import Comment, CommentStatus
from app.comments.schemas import CommentCreate, CommentUpdate, ModerationRequest, ReportCreate
from app.consultations.models import AgendaItem, CommentMode
from app.deps import Htmx, SessionDep
from app.errors import FormError, NotFound, field_errors
from app.i18n import gettext as _
from app.organisations import service as organisations
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["comments"], dependencies=[Depends(verify_csrf)])
PAGE = "comments/agenda_item.html"
DONE = frozenset(
    {"posted", "pending", "replied", "edited", "reported", "published", "hidden", "more"}
)
Cursor = Annotated[int | None, Query(gt=0, lt=2**31)]
SchemaT = TypeVar("SchemaT", bound=BaseModel)


@dataclass(frozen=True)
class FormState:
    """The one form on the page that was sent back with errors: its key, values and messages."""

    key: str = ""
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


async def read_form(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(read_form)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _parse(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise FormError(field_errors(exc)) from exc


def item_url(item_id: int, *, cursor: int | None = None, done: str = "") -> str:
    query = urlencode({key: value for key, value in (("cursor", cursor), ("done", done)) if value})
    return f"/agenda-items/{item_id}" + (f"?{query}" if query else "")


def _thread_cursor(comment: Comment) -> int:
    """A page cursor that starts at the comment's thread (the cursor is exclusive)."""
    return (comment.parent_id or comment.id) + 1


def _context(
    session: SessionDep,
    user: User | None,
    item: AgendaItem,
    *,
    cursor: int | None = None,
    form: FormState | None = None,
    done: str = "",
    htmx: bool = False,
) -> dict[str, Any]:
    viewer = service.viewer_for(session, user, item)
    return {
        "item": item,
        "meeting": item.meeting,
        "process": item.meeting.process,
        "viewer": viewer,
        "premoderated": item.meeting.comment_mode is CommentMode.premoderated,
        "organisations": organisations.organisations_of(session, user) if user else [],
        "cursor": cursor,
        "form": form or FormState(),
        "done": done if done in DONE else "",
        "htmx": htmx,  # a fragment for htmx: it updates the live region out of band
        "thread_oob": False,  # the same, when the fragment is one thread
        "posted": False,  # a new top-level comment: reset the form out of band too
    }


def _page(session: SessionDep, user: User | None, item: AgendaItem, **kw: Any) -> dict[str, Any]:
    context = _context(session, user, item, **kw)
    context["page"] = threads.list_threads(
        session, context["viewer"], item, cursor=context["cursor"]
    )
    return context


@router.get("/agenda-items/{item_id:int}")
def agenda_item_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    item: CommentItem,
    htmx: Htmx,
    cursor: Cursor = None,
    done: str = "",
) -> Response:
    """The agenda item with its comments; with htmx and a cursor, just the next page."""
    if htmx and cursor is not None:
        context = _page(session, user, item, cursor=cursor, done="more", htmx=True)
        return render(request, PAGE, context, block="comment_page")
    return render(request, PAGE, _page(session, user, item, cursor=cursor, done=done))


@router.get("/agenda-items/{item_id:int}/comment-link")
def comment_link(request: Request, session: SessionDep, item: CommentItem) -> Response:
    """The "Comments (N)" link that the meeting page loads for each agenda item."""
    count = threads.count_published(session, item)
    return render(request, "comments/comment_link.html", {"item": item, "count": count})


def _thread_response(
    request: Request,
    session: SessionDep,
    user: User,
    comment: Comment,
    done: str,
    *,
    posted: bool = False,
) -> Response:
    item = comment.agenda_item
    context = _context(session, user, item, done=done, htmx=True)
    context["t"] = threads.thread_of(session, context["viewer"], comment)
    context["posted"] = posted
    context["thread_oob"] = True
    return render(request, PAGE, context, block="thread")


def _invalid(
    request: Request,
    session: SessionDep,
    user: User,
    item: AgendaItem,
    state: FormState,
    htmx: bool,
    thread_comment: Comment | None,
) -> Response:
    """The form again with its messages: in place for htmx, else the page (at the thread)."""
    if not htmx:
        cursor = _thread_cursor(thread_comment) if thread_comment is not None else None
        context = _page(session, user, item, cursor=cursor, form=state)
        return render(request, PAGE, context, status_code=422)
    context = _context(session, user, item, form=state, htmx=True)
    if thread_comment is None:
        response = render(request, PAGE, context, block="new_comment", status_code=422)
        response.headers["HX-Retarget"] = "#new-comment"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    context["t"] = threads.thread_of(session, context["viewer"], thread_comment)
    context["thread_oob"] = True  # clears the live region; the form's alert says what is wrong
    return render(request, PAGE, context, block="thread", status_code=422)


def _done(
    request: Request, session: SessionDep, user: User, comment: Comment, done: str, htmx: bool
) -> Response:
    if htmx:
        return _thread_response(request, session, user, comment, done)
    url = item_url(comment.agenda_item_id, cursor=_thread_cursor(comment), done=done)
    return RedirectResponse(f"{url}#comment-{comment.id}", status_code=303)


def _reply_target(session: SessionDep, user: User, raw: str) -> Comment | None:
    """The comment a reply form answers; junk or unknown ids are 404, like a forged path."""
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFound(_("There is no such comment to reply to."))
    return service.get_visible_comment(session, user, int(raw))


@router.post("/agenda-items/{item_id:int}/comments")
def post_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: CommentItem,
    form: Form,
    htmx: Htmx,
) -> Response:
    parent = _reply_target(session, user, _text(form, "parent_id"))
    values = {"text": _text(form, "text"), "organisation_id": _text(form, "organisation_id")}
    key = f"reply-{parent.parent_id or parent.id}" if parent else "new"
    try:
        data = _parse(
            CommentCreate,
            {
                "text": values["text"],
                "organisation_id": values["organisation_id"] or None,
                "parent_id": parent.id if parent else None,
            },
        )
        comment = service.post_comment(session, user, item, data)
    except FormError as exc:
        state = FormState(key, values, exc.fields)
        return _invalid(request, session, user, item, state, htmx, parent)
    if comment.status is CommentStatus.pending:
        done = "pending"
    else:
        done = "replied" if comment.parent_id else "posted"
    if not htmx:
        cursor = _thread_cursor(comment) if comment.parent_id else None
        url = item_url(item.id, cursor=cursor, done=done)
        return RedirectResponse(f"{url}#comment-{comment.id}", status_code=303)
    return _thread_response(request, session, user, comment, done, posted=comment.parent_id is None)


@router.post("/comments/{comment_id:int}/edit")
def edit_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment: EditableComment,
    form: Form,
    htmx: Htmx,
) -> Response:
    values = {"text": _text(form, "text")}
    try:
        service.edit_comment(session, user, comment, _parse(CommentUpdate, values))
    except FormError as exc:
        state = FormState(f"edit-{comment.id}", values, exc.fields)
        return _invalid(request, session, user, comment.agenda_item, state, htmx, comment)
    return _done(request, session, user, comment, "edited", htmx)


@router.post("/comments/{comment_id:int}/reports")
def report_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment: VisibleComment,
    form: Form,
    htmx: Htmx,
) -> Response:
    values = {"reason": _text(form, "reason")}
    try:
        service.report_comment(session, user, comment, _parse(ReportCreate, values))
    except FormError as exc:
        state = FormState(f"report-{comment.id}", values, exc.fields)
        return _invalid(request, session, user, comment.agenda_item, state, htmx, comment)
    return _done(request, session, user, comment, "reported", htmx)


@router.post("/comments/{comment_id:int}/moderation")
def moderate_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment: ModeratableComment,
    form: Form,
    htmx: Htmx,
) -> Response:
    values = {"action": _text(form, "action"), "reason": _text(form, "reason")}
    try:
        data = _parse(ModerationRequest, values)
        service.moderate_comment(session, user, comment, data)
    except FormError as exc:
        state = FormState(f"moderate-{comment.id}", values, exc.fields)
        return _invalid(request, session, user, comment.agenda_item, state, htmx, comment)
    done = "hidden" if comment.status is CommentStatus.hidden else "published"
    return _done(request, session, user, comment, done, htmx)
