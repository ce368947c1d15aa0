"""HTML pages of the triage queue of a meeting: the filtered list, its exports, bulk actions and
the release of staged decisions. A paper's moderation page is in routes_papers.py, the reason
codes in routes_reasons.py (both included here, which main.py mounts).

The filters are a GET form, so every view has a URL; with htmx the form and the "next page"
link swap only the results and push the URL. Bulk actions answer htmx with the results
(200, or 409 when some papers had changed); without JavaScript they redirect back to the same
view (303) with a summary shown once.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import exports, i18n
from app.deps import Htmx, SessionDep, SettingsDep
from app.errors import FormError
from app.i18n import gettext, ngettext
from app.moderation import (
    assignment,
    bulk,
    policies,
    queue,
    regions,
    routes_papers,
    routes_reasons,
    service,
    tasks,  # noqa: F401 - registers the clustering job
)
from app.moderation.deps import Queue, ReleasingQueue, Triage
from app.moderation.responses import (
    checked,
    parse,
    queue_url,
    redirect,
    row_context,
    safe_next,
    text,
)
from app.moderation.schemas import BulkInput, QueueFilters
from app.organisations.countries import country_choices
from app.organisations.models import OrganisationType
from app.security import verify_csrf
from app.submissions.models import PaperLanguage, PaperStatus
from app.templating import render

router = APIRouter(tags=["moderation"], dependencies=[Depends(verify_csrf)])
router.include_router(routes_papers.router)
router.include_router(routes_reasons.router)
QUEUE_PAGE = "moderation/queue.html"
NOTICE = "moderation_notice"
Filters = Annotated[QueueFilters, Query()]
LIST_FIELDS = {"status", "item", "language", "org_type", "country", "flag"}


def with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(pairs)}" if pairs else url


def _selected(filters: QueueFilters) -> dict[str, Any]:
    """The form's current values, as strings, for `selected` attributes."""
    values = filters.model_dump(mode="json")
    return {
        key: [str(v) for v in value] if isinstance(value, list) else value or ""
        for key, value in values.items()
    }


def queue_context(
    request: Request,
    session: Session,
    ctx: Triage,
    filters: QueueFilters,
    *,
    full: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """`full`: for the whole page; an htmx swap of the results needs less (no staged count)."""
    base = queue_url(ctx.meeting)
    result = queue.page(session, ctx.meeting, filters, ctx.user)
    query = filters.query()
    here = with_query(base, filters.query(cursor=filters.cursor))
    next_url = None
    if result.next_cursor:
        next_url = with_query(base, filters.query(cursor=result.next_cursor))
    context = row_context(session, ctx, mode=filters.mode, here=here)
    context.update(
        {
            "filters": filters,
            "selected": _selected(filters),
            "page": result,
            "queue_url": base,
            "first_url": with_query(base, query) if filters.cursor else None,
            "next_url": next_url,
            "csv_url": with_query(base + ".csv", query),
            "xlsx_url": with_query(base + ".xlsx", query),
            "sort_url": lambda sort: with_query(base, filters.query(sort=sort)),
            "mode_url": lambda mode: with_query(base, filters.query(mode=mode)),
            "staged_count": service.staged_count(session, ctx.meeting) if full else 0,
            "can_release": policies.can_release(ctx.can),
            "can_manage_reasons": policies.can_manage_reason_codes(ctx.can),
            "statuses": list(PaperStatus),
            "languages": list(PaperLanguage),
            "org_types": list(OrganisationType),
            "countries": country_choices(i18n.current_locale.get()),
            "region_options": regions.region_choices(),
            "assignees": assignment.assignable(session, ctx.meeting.process, ctx.user),
            "bulk_errors": {},
            "bulk_values": {"staged": filters.mode == "staged"},
            "notice": request.session.pop(NOTICE, None),
        }
    )
    context.update(extra)
    return context


@router.get("/processes/{slug}/meetings/{meeting_slug}/queue")
def queue_page(
    request: Request, session: SessionDep, ctx: Queue, filters: Filters, htmx: Htmx
) -> Response:
    context = queue_context(request, session, ctx, filters, full=not htmx)
    return render(request, QUEUE_PAGE, context, block="results" if htmx else None)


def _export_rows(request: Request, session: Session, ctx: Triage, filters: QueueFilters) -> Any:
    statement = queue.export_statement(session, ctx.meeting, filters, ctx.user)
    return exports.stream_rows(request.app.state.session_factory, statement, queue.export_row)


def _export_name(ctx: Triage, extension: str) -> str:
    return f"queue-{ctx.meeting.process.slug}-{ctx.meeting.slug}.{extension}"


@router.get("/processes/{slug}/meetings/{meeting_slug}/queue.csv")
def queue_csv(request: Request, session: SessionDep, ctx: Queue, filters: Filters) -> Response:
    rows = _export_rows(request, session, ctx, filters)
    return exports.csv_response(_export_name(ctx, "csv"), queue.EXPORT_HEADER, rows)


@router.get("/processes/{slug}/meetings/{meeting_slug}/queue.xlsx")
def queue_xlsx(request: Request, session: SessionDep, ctx: Queue, filters: Filters) -> Response:
    rows = _export_rows(request, session, ctx, filters)
    return exports.xlsx_response(_export_name(ctx, "xlsx"), queue.EXPORT_HEADER, rows)


def _filters_of(url: str) -> QueueFilters:
    """The filters of the queue view a bulk action was sent from (its `next` address)."""
    pairs = parse_qsl(urlsplit(url).query)
    values: dict[str, Any] = {}
    for key, value in pairs:
        if key in LIST_FIELDS:
            values.setdefault(key, []).append(value)
        else:
            values[key] = value
    try:
        return QueueFilters.model_validate(values)
    except ValidationError:
        return QueueFilters()


def _n(outcomes: list[bulk.Outcome]) -> dict[str, int]:
    return {"num": len(outcomes)}


def _summary(result: bulk.BulkResult) -> dict[str, Any]:
    done, conflicts, failed = result.done, result.conflicts, result.failed
    parts = [ngettext("%(num)s paper done.", "%(num)s papers done.", len(done)) % _n(done)]
    if conflicts:
        parts.append(
            ngettext(
                "%(num)s paper had changed meanwhile and was left as it is.",
                "%(num)s papers had changed meanwhile and were left as they are.",
                len(conflicts),
            )
            % _n(conflicts)
        )
    if failed:
        parts.append(
            ngettext(
                "%(num)s paper could not be done.", "%(num)s papers could not be done.", len(failed)
            )
            % _n(failed)
        )
    return {
        "text": " ".join(parts),
        "level": "error" if conflicts or failed else "ok",
        "problems": [
            {"title": o.title or f"#{o.paper_id}", "message": o.message, "paper_id": o.paper_id}
            for o in [*conflicts, *failed]
        ],
    }


def _bulk_values(form: FormData) -> dict[str, Any]:
    # With JavaScript, "All" ticks every row (whose lock versions an htmx swap keeps fresh);
    # without it, the page's list of papers stands in.
    papers = form.getlist("paper")
    if not papers and checked(form, "all"):
        papers = form.getlist("page_paper")
    values: dict[str, Any] = {
        key: text(form, key)
        for key in ("action", "reason_code", "reason", "assignee", "agenda_item_id")
    }
    values["staged"] = checked(form, "staged")
    values["papers"] = [p for p in papers if isinstance(p, str)]
    return values


@router.post("/processes/{slug}/meetings/{meeting_slug}/queue/bulk")
async def bulk_action(
    request: Request, session: SessionDep, settings: SettingsDep, ctx: Queue, htmx: Htmx
) -> Response:
    form = await request.form()
    back = safe_next(form.get("next"), queue_url(ctx.meeting))
    values = _bulk_values(form)
    filters = _filters_of(back)
    try:
        data = parse(BulkInput, values)
        result = bulk.apply(session, settings, ctx.user, ctx.meeting, data)
    except FormError as exc:
        if not htmx:
            message = next(iter(exc.fields.values()), exc.message)
            request.session[NOTICE] = {"text": message, "level": "error", "problems": []}
            return redirect(back, False)
        context = queue_context(
            request, session, ctx, filters, full=False, bulk_errors=exc.fields, bulk_values=values
        )
        return render(request, QUEUE_PAGE, context, block="results", status_code=422)
    summary = _summary(result)
    if not htmx:
        request.session[NOTICE] = summary
        return redirect(back, False)
    context = queue_context(request, session, ctx, filters, full=False, notice=summary)
    status = 409 if result.conflicts else 200
    return render(request, QUEUE_PAGE, context, block="results", status_code=status)


@router.post("/processes/{slug}/meetings/{meeting_slug}/queue/release")
def release(
    request: Request, session: SessionDep, settings: SettingsDep, ctx: ReleasingQueue, htmx: Htmx
) -> Response:
    result = service.release(session, settings, ctx.user, ctx.meeting)
    request.session[NOTICE] = {
        "text": gettext("%(n)s staged decisions released; %(m)s organisations told.")
        % {"n": result.released, "m": result.notified},
        "level": "ok",
        "problems": [],
    }
    return redirect(queue_url(ctx.meeting), htmx)
