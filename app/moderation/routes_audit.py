"""HTML pages of the audit log: one object's history, the filterable log of a process (its
organisers) or of everything (administrators), and the CSV export of a filtered log.

Who may read what is decided in app.moderation.audit_log. Filters live in the URL; the export
takes the same ones and streams every matching event (all pages) with flat memory.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app import exports
from app.accounts.deps import AdminUser, CurrentUser
from app.consultations import service as consultations
from app.consultations.models import Process
from app.deps import SessionDep
from app.errors import Forbidden, FormError
from app.i18n import gettext
from app.moderation import audit_log
from app.moderation.audit_log import LogFilters
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["audit"], dependencies=[Depends(verify_csrf)])
PAGE = "moderation/audit_log.html"
Cursor = Annotated[int | None, Query(gt=0, lt=2**31)]
LIMITS = {"actor": 200, "action": 60, "object_type": 40}


def type_label(object_type: str) -> str:
    labels = {
        "paper": gettext("paper"),
        "comment": gettext("comment"),
        "meeting": gettext("meeting"),
        "agenda_item": gettext("agenda item"),
        "process": gettext("process"),
        "role_grant": gettext("role grant"),
        "reason_code": gettext("reason code"),
        "organisation": gettext("organisation"),
        "user": gettext("user"),
        "api_token": gettext("access token"),
    }
    return labels.get(object_type, object_type.replace("_", " "))


def _day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = gettext("Enter a date as YYYY-MM-DD.")
        return None


def read_filters(
    actor: str = "",
    action: str = "",
    object_type: str = "",
    since: str = "",
    until: str = "",
    cursor: Cursor = None,
) -> tuple[LogFilters, dict[str, str]]:
    """The filters from the URL, and a message per field that could not be used."""
    errors: dict[str, str] = {}
    texts = {"actor": actor.strip(), "action": action.strip(), "object_type": object_type.strip()}
    for field, limit in LIMITS.items():
        if len(texts[field]) > limit:
            errors[field] = gettext("Use at most %(max_length)s characters.") % {
                "max_length": limit
            }
            texts[field] = ""
    first, last = _day(since, "since", errors), _day(until, "until", errors)
    if first and last and last < first:
        errors["until"] = gettext("The end date is before the start date.")
    filters = LogFilters(**texts, since=first, until=last, cursor=cursor)
    return filters, errors


Filters = Annotated[tuple[LogFilters, dict[str, str]], Depends(read_filters)]


def load_log_process(session: SessionDep, user: CurrentUser, slug: str) -> Process:
    process = consultations.get_process_page(session, slug)
    if not audit_log.can_read_log(session, user, process):
        raise Forbidden(gettext("Only the organisers of this process can read its audit log."))
    return process


LogProcess = Annotated[Process, Depends(load_log_process)]


def _log_page(
    request: Request, session: Session, process: Process | None, filters: Filters
) -> Response:
    view, errors = filters
    base_url = f"/processes/{process.slug}/audit" if process else "/audit"
    context: dict[str, Any] = {
        "mode": "log",
        "process": process,
        "filters": view,
        "errors": errors,
        "choices": audit_log.filter_choices(session),
        "base_url": base_url,
        "export_url": f"{base_url}.csv?{view.query(cursor=None)}",
        "page": None,
    }
    if errors:
        return render(request, PAGE, context, status_code=422)
    stmt = audit_log.log_statement(process.id if process else None, view)
    context["page"] = audit_log.event_page(session, stmt)
    return render(request, PAGE, context)


def _export(request: Request, process: Process | None, filters: Filters) -> Response:
    view, errors = filters
    if errors:
        raise FormError(errors)
    stmt = audit_log.export_statement(process.id if process else None, view)
    rows = exports.stream_rows(request.app.state.session_factory, stmt, audit_log.export_row)
    name = f"audit-{process.slug}.csv" if process else "audit.csv"
    return exports.csv_response(name, audit_log.EXPORT_HEADER, rows)


@router.get("/audit")
def full_log(
    request: Request, session: SessionDep, _admin: AdminUser, filters: Filters
) -> Response:
    return _log_page(request, session, None, filters)


@router.get("/audit.csv")
def export_full_log(request: Request, _admin: AdminUser, filters: Filters) -> Response:
    return _export(request, None, filters)


@router.get("/processes/{slug}/audit")
def process_log(
    request: Request, session: SessionDep, process: LogProcess, filters: Filters
) -> Response:
    return _log_page(request, session, process, filters)


@router.get("/processes/{slug}/audit.csv")
def export_process_log(request: Request, process: LogProcess, filters: Filters) -> Response:
    return _export(request, process, filters)


@router.get("/audit/{object_type}/{object_id}")
def object_history(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    object_type: str,
    object_id: int,
    cursor: Cursor = None,
) -> Response:
    """Who did what to one object, newest first: actor, time, action, changes, request id."""
    process = audit_log.history_process(session, user, object_type, object_id)
    stmt = audit_log.object_statement(object_type, object_id, cursor)
    context = {
        "mode": "object",
        "process": process,
        "object_type": object_type,
        "type_label": type_label(object_type),
        "object_id": object_id,
        "object_url": audit_log.object_url(session, object_type, object_id, process),
        "base_url": f"/audit/{object_type}/{object_id}",
        "filters": LogFilters(cursor=cursor),
        "page": audit_log.event_page(session, stmt),
    }
    return render(request, PAGE, context)
