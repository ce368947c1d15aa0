"""HTML pages of the comment moderation queue of a meeting, its actions and its export.

Filters live in the URL. Every action is a plain form (one per row, one for a selection), so it
works without JavaScript: a POST answers 303 back to the same view with what was done. With
htmx the answer is the queue fragment, and the status line is updated out of band. Invalid
input (hiding without a reason, an empty selection) re-renders the form with its message (422).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import exports
from app.accounts.deps import CurrentUser
from app.consultations import service as consultations
from app.consultations.models import Meeting
from app.deps import Htmx, SessionDep
from app.errors import Forbidden, FormError, field_errors
from app.i18n import gettext
from app.moderation import comment_queue as queue
from app.moderation.comment_queue import QueueAction, QueueFilters, QueueOrder, QueueStatus
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["moderation"], dependencies=[Depends(verify_csrf)])
QUEUE_PATH = "/processes/{slug}/meetings/{meeting_slug}/comments/queue"
PAGE = "moderation/comments_queue.html"
DONE = frozenset(a.value for a in QueueAction)


def load_moderated_meeting(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> Meeting:
    """The meeting, if the user moderates its process (its moderators, organisers, admins)."""
    meeting = consultations.get_meeting_page(session, slug, meeting_slug)
    if not consultations.permissions_for(session, user, meeting.process).moderate:
        raise Forbidden(
            gettext("Only the moderators and organisers of this process can moderate comments.")
        )
    return meeting


ModeratedMeeting = Annotated[Meeting, Depends(load_moderated_meeting)]


def _item_id(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not queue.valid_id(int(raw)):
        raise FormError({"item": gettext("Choose an agenda item from the list.")})
    return int(raw)


def read_filters(
    status: QueueStatus = QueueStatus.review,
    item: str = "",
    order: QueueOrder = QueueOrder.oldest,
    cursor: Annotated[int | None, Query(gt=0, lt=2**31)] = None,
) -> QueueFilters:
    return QueueFilters(status=status, item_id=_item_id(item), order=order, cursor=cursor)


Filters = Annotated[QueueFilters, Depends(read_filters)]


def status_labels() -> dict[str, str]:
    return {
        "review": gettext("To review (pending or reported)"),
        "pending": gettext("Pending"),
        "reported": gettext("Reported"),
        "published": gettext("Published"),
        "hidden": gettext("Hidden"),
        "all": gettext("All comments"),
    }


def queue_url(meeting: Meeting, filters: QueueFilters | None = None, **extra: Any) -> str:
    base = f"/processes/{meeting.process.slug}/meetings/{meeting.slug}/comments/queue"
    params = (filters or QueueFilters()).params()
    params.update({key: str(value) for key, value in extra.items()})
    return base + (f"?{urlencode(params)}" if params else "")


def _context(
    session: Session, meeting: Meeting, filters: QueueFilters, **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "process": meeting.process,
        "meeting": meeting,
        "items": meeting.agenda_items,
        "filters": filters,
        "page": queue.queue_page(session, meeting, filters),
        "base_url": queue_url(meeting),
        "status_labels": status_labels(),
        "done": "",
        "changed": 0,
        "unchanged": 0,
        "form_key": "",
        "errors": {},
        "values": {},
        "htmx": False,
    }
    context.update(extra)
    return context


@router.get(QUEUE_PATH)
def comment_queue(
    request: Request,
    session: SessionDep,
    meeting: ModeratedMeeting,
    filters: Filters,
    done: str = "",
    changed: Annotated[int, Query(ge=0, lt=2**31)] = 0,
    unchanged: Annotated[int, Query(ge=0, lt=2**31)] = 0,
) -> Response:
    context = _context(
        session,
        meeting,
        filters,
        done=done if done in DONE else "",
        changed=changed,
        unchanged=unchanged,
    )
    return render(request, PAGE, context)


def _export_rows(request: Request, meeting: Meeting, filters: QueueFilters) -> Any:
    stmt = queue.export_statement(meeting.id, filters)
    return exports.stream_rows(request.app.state.session_factory, stmt, queue.export_row)


def _export_name(meeting: Meeting, filters: QueueFilters, extension: str) -> str:
    return f"comments-{meeting.slug}-{filters.status.value}.{extension}"


@router.get(QUEUE_PATH + ".csv")
def comment_queue_csv(request: Request, meeting: ModeratedMeeting, filters: Filters) -> Response:
    """The filtered queue (every page, from the first), streamed as CSV."""
    rows = _export_rows(request, meeting, filters)
    return exports.csv_response(_export_name(meeting, filters, "csv"), queue.EXPORT_HEADER, rows)


@router.get(QUEUE_PATH + ".xlsx")
def comment_queue_xlsx(request: Request, meeting: ModeratedMeeting, filters: Filters) -> Response:
    rows = _export_rows(request, meeting, filters)
    return exports.xlsx_response(_export_name(meeting, filters, "xlsx"), queue.EXPORT_HEADER, rows)


async def read_form(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(read_form)]


def _form_filters(form: FormData) -> QueueFilters:
    """The view the form was sent from (hidden fields), to return to it; junk falls back."""

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    try:
        status = QueueStatus(text("status") or QueueStatus.review.value)
        order = QueueOrder(text("order") or QueueOrder.oldest.value)
        item = _item_id(text("item"))
        cursor = int(text("cursor")) if text("cursor").isdigit() else None
    except (ValueError, FormError):
        return QueueFilters()
    if cursor is not None and not queue.valid_id(cursor):
        cursor = None
    return QueueFilters(status=status, item_id=item, order=order, cursor=cursor)


@router.post(QUEUE_PATH)
def act_on_comments(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting: ModeratedMeeting,
    form: Form,
    htmx: Htmx,
) -> Response:
    """Publish, hide (with a reason) or dismiss the reports of one comment or a selection."""
    filters = _form_filters(form)
    form_key = str(form.get("form") or "bulk")[:40]
    field = "page_ids" if form.get("scope") == "page" else "ids"
    raw_ids = [value for value in form.getlist(field) if isinstance(value, str)]
    values = {"action": str(form.get("action") or ""), "reason": str(form.get("reason") or "")}
    try:
        ids = list(queue.iter_ids(raw_ids))
        data = queue.QueueActionForm.model_validate({"ids": ids, **values})
    except ValidationError as exc:
        errors = field_errors(exc)
        context = _context(
            session, meeting, filters, form_key=form_key, errors=errors, values=values
        )
        if htmx:
            context["htmx"] = True
            return render(request, PAGE, context, block="queue", status_code=422)
        return render(request, PAGE, context, status_code=422)
    result = queue.apply_action(session, user, meeting, data.ids, data.action, data.reason)
    outcome = {
        "done": result.action.value,
        "changed": result.changed,
        "unchanged": result.unchanged,
    }
    if not htmx:
        return RedirectResponse(queue_url(meeting, filters, **outcome), status_code=303)
    context = _context(session, meeting, filters, htmx=True, **outcome)
    return render(request, PAGE, context, block="queue")
