"""A paper as its moderators see it, and the actions on it: decide, revert a staged decision,
claim or assign, route; and the inline PDF preview the page frames.

The action forms are posted from two places. From the paper's page (plain forms): success
redirects back (303); invalid input re-renders the page with the messages (422); a conflict —
someone else changed the paper since the page was loaded — re-renders it with the paper's
current state and says so (409). From a row of the queue (htmx, `view=row`): the answer is
that row, fresh, with the same statuses and a message in it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.deps import Htmx, SessionDep, SettingsDep
from app.errors import AppError, Conflict, FormError, NotFound
from app.i18n import gettext as _
from app.moderation import assignment, policies, queue, reasons, repository, service
from app.moderation.deps import Triage, TriagedPaper, TriagePaper
from app.moderation.responses import (
    checked,
    paper_url,
    parse,
    queue_url,
    redirect,
    row_context,
    safe_next,
    text,
)
from app.moderation.schemas import AssignmentInput, DecisionCreate, RevertInput, RouteInput
from app.moderation.service import PaperConflict
from app.security import verify_csrf
from app.storage import get_storage
from app.submissions import downloads
from app.submissions import service as submissions
from app.submissions.models import Paper
from app.templating import render

router = APIRouter(tags=["moderation"], dependencies=[Depends(verify_csrf)])
PAPER_PAGE = "moderation/paper.html"
QUEUE_PAGE = "moderation/queue.html"
REJECT_FORM = "moderation/_row_reject.html"
PREVIEW_CSP = "frame-ancestors 'self'; object-src 'self'; base-uri 'none'; form-action 'none'"


def paper_context(session: Session, ctx: TriagePaper, **extra: Any) -> dict[str, Any]:
    paper = ctx.paper
    current = paper.versions[-1] if paper.versions else None
    decisions = service.decisions_of(session, paper)
    latest = next((d for d in reversed(decisions) if d.reverted_at is None), None)
    revertible = latest if latest and latest.staged and latest.released_at is None else None
    cluster = []
    if paper.duplicate_group is not None:
        cluster = repository.cluster_members(session, paper.meeting_id, paper.duplicate_group)
    return {
        "paper": paper,
        "meeting": paper.meeting,
        "process": paper.meeting.process,
        "queue_url": queue_url(paper.meeting),
        "items": submissions.agenda_items_of(paper),
        "current": current,
        "previewable": current is not None and (current.kind == "pdf" or bool(current.pdf_key)),
        "targets": policies.allowed_targets(paper.status),
        "can_route": policies.can_route(paper.status),
        "reason_codes": reasons.list_codes(session, paper.meeting.process),
        "all_reason_codes": {
            r.code: r for r in reasons.list_codes(session, paper.meeting.process, active_only=False)
        },
        "decisions": decisions,
        "revertible": revertible,
        "audit": service.audit_history(session, paper),
        "past_papers": [
            p
            for p in repository.papers_of_organisation_in_process(
                session, paper.organisation_id, paper.meeting.process_id
            )
            if p.id != paper.id
        ],
        "cluster": [p for p in cluster if p.id != paper.id],
        "assignees": assignment.assignable(session, paper.meeting.process, ctx.user),
        "user": ctx.user,
        "values": {},
        "errors": {},
        "conflict": "",
        **extra,
    }


@router.get("/papers/{paper_id}/moderation")
def paper_page(
    request: Request, session: SessionDep, ctx: TriagedPaper, decide: str = ""
) -> Response:
    """`decide`: a decision to preselect (a queue row's "Reject…" without JavaScript)."""
    targets = {str(target) for target in policies.allowed_targets(ctx.paper.status)}
    values = {"to_status": decide} if decide in targets else {}
    return render(request, PAPER_PAGE, paper_context(session, ctx, values=values))


@router.get("/papers/{paper_id}/moderation/reject-form")
def reject_form(
    request: Request,
    session: SessionDep,
    ctx: TriagedPaper,
    htmx: Htmx,
    lock_version: int,
    mode: str = "staged",
    next_url: Annotated[str, Query(alias="next")] = "",
) -> Response:
    """A queue row's reject form, fetched when the moderator chooses "Reject…" (rows do not
    carry one each). It carries the lock version the row was shown with, so that rejecting
    what someone else changed meanwhile is the usual conflict; a row already stale (its paper
    changed since, perhaps no longer rejectable) answers with the fresh row instead, as an
    action on it would."""
    paper = ctx.paper
    if not htmx:
        return redirect(f"{paper_url(paper.id)}?decide=rejected#decide-heading", htmx)
    form = FormData({"view": "row", "mode": mode, "next": next_url})
    if lock_version != paper.lock_version:
        return _retarget_row(_respond(request, session, ctx, form, htmx, PaperConflict(paper)))
    context = _row_context(session, ctx, paper, form) | {"p": paper, "row_lock": lock_version}
    return render(request, REJECT_FORM, context)


def _retarget_row(response: Response) -> Response:
    """An answer for a request made by an element inside a row that replaces the whole row."""
    response.headers["HX-Retarget"] = "closest tr"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@router.get("/papers/{paper_id}/versions/{number}/preview")
def preview(settings: SettingsDep, ctx: TriagedPaper, number: int) -> Response:
    """The version as a PDF shown inline, for the moderation page's frame (same origin only)."""
    version = submissions.version_of(ctx.paper, number)
    response = downloads.version_pdf(get_storage(settings), version)
    disposition = response.headers["Content-Disposition"]
    response.headers["Content-Disposition"] = disposition.replace("attachment", "inline", 1)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


# --- actions ----------------------------------------------------------------------------------


def _respond(
    request: Request,
    session: Session,
    ctx: TriagePaper,
    form: FormData,
    htmx: bool,
    error: AppError | None,
    done: str = "",
) -> Response:
    """The answer to an action: the fresh row (htmx from the queue), or the page."""
    status = error.status if error else 200
    message = error.message if error else done
    fields = error.fields if isinstance(error, FormError) else {}
    if isinstance(error, FormError) and fields:
        message = next(iter(fields.values()))
    if error is not None and not isinstance(error, (FormError, Conflict)):
        raise error
    paper = repository.get_paper(session, ctx.paper.id, fresh=True)
    if paper is None:
        raise NotFound(_("There is no such paper."))
    fresh = TriagePaper(paper, ctx.user, ctx.can)
    if text(form, "view") == "row" and htmx:
        context = _row_context(session, ctx, paper, form)
        context |= {
            "row": queue.row_of(session, paper),
            "row_message": message,
            "row_level": "error" if error else "ok",
            "row_errors": fields,
        }
        return render(request, QUEUE_PAGE, context, block="row", status_code=status)
    if error is None:
        return redirect(safe_next(text(form, "next"), paper_url(paper.id)), htmx)
    context = paper_context(
        session,
        fresh,
        values={key: text(form, key) for key in ("to_status", "reason_code", "reason")},
        errors=fields,
        conflict="" if isinstance(error, FormError) else message,
    )
    return render(request, PAPER_PAGE, context, status_code=status)


def _row_context(
    session: Session, ctx: TriagePaper, paper: Paper, form: FormData
) -> dict[str, Any]:
    """What a queue row rendered alone needs, from the fields its forms send (mode, next)."""
    triage = Triage(paper.meeting, ctx.user, ctx.can)
    mode = "now" if text(form, "mode") == "now" else "staged"
    here = safe_next(text(form, "next"), paper_url(paper.id))
    return row_context(session, triage, mode=mode, here=here)


def _lock(form: FormData) -> str:
    return text(form, "lock_version")


@router.post("/papers/{paper_id}/decisions")
async def decide(
    request: Request, session: SessionDep, settings: SettingsDep, ctx: TriagedPaper, htmx: Htmx
) -> Response:
    form = await request.form()
    try:
        if not text(form, "to_status"):
            raise FormError({"to_status": _("Choose a decision.")})
        data = parse(
            DecisionCreate,
            {
                "to_status": text(form, "to_status"),
                "reason_code": text(form, "reason_code"),
                "reason": text(form, "reason"),
                "staged": checked(form, "staged"),
                "lock_version": _lock(form),
            },
        )
        service.decide(session, settings, ctx.user, ctx.paper, data)
    except (FormError, Conflict) as exc:
        return _respond(request, session, ctx, form, htmx, exc)
    return _respond(request, session, ctx, form, htmx, None, _done_message(data))


def _done_message(data: DecisionCreate) -> str:
    from app.i18n import gettext

    if data.staged:
        return gettext("Decision recorded and staged: the organisation learns it on release.")
    return gettext("Decision recorded; the organisation has been told.")


@router.post("/papers/{paper_id}/decisions/{decision_id}/revert")
async def revert(
    request: Request, session: SessionDep, ctx: TriagedPaper, decision_id: int, htmx: Htmx
) -> Response:
    form = await request.form()
    try:
        data = parse(RevertInput, {"lock_version": _lock(form)})
        service.revert(session, ctx.user, ctx.paper, decision_id, data.lock_version)
    except (FormError, Conflict) as exc:
        return _respond(request, session, ctx, form, htmx, exc)
    return _respond(request, session, ctx, form, htmx, None)


@router.post("/papers/{paper_id}/assignment")
async def assign(request: Request, session: SessionDep, ctx: TriagedPaper, htmx: Htmx) -> Response:
    form = await request.form()
    choice = text(form, "assignee")
    assignee: int | str | None = ctx.user.id if choice == "me" else (choice or None)
    try:
        data = parse(AssignmentInput, {"assignee_id": assignee, "lock_version": _lock(form)})
        assignment.assign(session, ctx.user, ctx.paper, data.assignee_id, data.lock_version)
    except (FormError, Conflict) as exc:
        return _respond(request, session, ctx, form, htmx, exc)
    return _respond(request, session, ctx, form, htmx, None)


@router.post("/papers/{paper_id}/route")
async def route(request: Request, session: SessionDep, ctx: TriagedPaper, htmx: Htmx) -> Response:
    form = await request.form()
    try:
        data = parse(
            RouteInput,
            {"agenda_item_id": text(form, "agenda_item_id"), "lock_version": _lock(form)},
        )
        assignment.route(session, ctx.user, ctx.paper, data.agenda_item_id, data.lock_version)
    except (FormError, Conflict) as exc:
        return _respond(request, session, ctx, form, htmx, exc)
    return _respond(request, session, ctx, form, htmx, None)
