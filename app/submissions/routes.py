"""HTML pages of a paper: the submission form (streamed upload), the receipt, the paper page
with its versions, revision and withdrawal, and the downloads. Organisation and meeting pages
are in routes_lists.py."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app import formatting
from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.consultations.models import Meeting
from app.db import utcnow
from app.deps import Htmx, SessionDep, SettingsDep
from app.errors import AppError, FormError
from app.organisations import service as organisations
from app.security import CsrfError, checks_csrf_in_body, verify_csrf
from app.storage import EmptyFile, FileTooLarge, get_storage
from app.submissions import (
    downloads,
    intake,
    policies,
    receipt,
    revise,
    routes_lists,
    routes_published,
    service,
    uploads,
    window,
)
from app.submissions.deps import (
    MemberSubmissionMeeting,
    PaperContext,
    ReceiptPaper,
    SubmissionMeeting,
    ViewablePaper,
)
from app.submissions.models import Consent, PaperLanguage
from app.submissions.schemas import PaperCreate
from app.templating import render
from app.uploads.refusals import RejectedFile
from app.uploads.streamed_form import check_form_csrf, streamed_form

router = APIRouter(tags=["submissions"], dependencies=[Depends(verify_csrf)])
router.include_router(routes_lists.router)
router.include_router(routes_published.router)
SUBMIT_PAGE = "submissions/submit.html"
PAPER_PAGE = "submissions/paper.html"
FILE_ERRORS = (RejectedFile, FileTooLarge, EmptyFile)


def redirect(url: str, htmx: bool) -> Response:
    if htmx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def errors_of(exc: AppError) -> dict[str, str]:
    """Where a refusal is shown on an upload form: at its field, or above the form."""
    if isinstance(exc, FormError):
        return exc.fields
    if isinstance(exc, FILE_ERRORS):
        return {"file": exc.message}
    return {"__all__": exc.message}


# --- submitting -------------------------------------------------------------------------------


def _submit_context(
    session: Session, user: User, meeting: Meeting, **context: Any
) -> dict[str, Any]:
    now = utcnow()
    memberships = organisations.memberships_of(session, user)
    orgs = [m.organisation for m in memberships]
    late = [
        org.id
        for org in orgs
        if window.late_allowed(meeting, window.late_exception_of(session, meeting, org.id), now)
    ]
    values: dict[str, Any] = {
        "organisation_id": orgs[0].id if orgs else "",
        "title": "",
        "summary": "",
        "language": "en",
        "agenda_item_ids": [],
        "consent": Consent.public_named.value,
        "cosigner_ids": [],
        "idempotency_key": secrets.token_urlsafe(24),
    }
    return {
        "process": meeting.process,
        "meeting": meeting,
        "organisations": orgs,
        "problem": window.window_problem(meeting, now),
        "late_organisations": late,
        "items": [i for i in meeting.agenda_items if i.papers_open],
        "organisation_options": [(org.id, org.name) for org in orgs],
        "language_options": [(code.value, language_label(code)) for code in PaperLanguage],
        "consents": list(Consent),
        "cosigner_choices": service.organisation_choices(session),
        "max_bytes": uploads.max_bytes_for(meeting.max_file_mb),
        "values": values,
        "errors": {},
        **context,
    }


def language_label(code: PaperLanguage) -> str:
    return formatting.content_language(code.value)


def _form_values(fields: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {k: v[0] for k, v in fields.items() if v and k != "csrf_token"}
    for name in intake.LIST_FIELDS:
        values[name] = fields.get(name, [])
    return values


@router.get("/processes/{slug}/meetings/{meeting_slug}/papers/new")
def new_paper(
    request: Request, session: SessionDep, user: CurrentUser, meeting: SubmissionMeeting
) -> Response:
    return render(request, SUBMIT_PAGE, _submit_context(session, user, meeting))


@router.post("/processes/{slug}/meetings/{meeting_slug}/papers")
@checks_csrf_in_body
def submit_paper(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    meeting: MemberSubmissionMeeting,
    htmx: Htmx,
) -> Response:
    max_bytes = uploads.max_bytes_for(meeting.max_file_mb)
    with streamed_form(request, max_bytes) as form:
        check_form_csrf(request, form)
        try:
            data = intake.parse(PaperCreate, intake.paper_input(form.fields))
            paper, _created = intake.receive_submission(
                session, settings, user, meeting, form, data
            )
        except CsrfError:
            raise
        except AppError as exc:
            context = _submit_context(session, user, meeting, errors=errors_of(exc))
            context["values"].update(_form_values(form.fields))
            return render(
                request,
                SUBMIT_PAGE,
                context,
                block="form" if htmx else None,
                status_code=exc.status,
            )
    return redirect(f"/papers/{paper.id}/receipt", htmx)


@router.get("/papers/{paper_id}/receipt")
def receipt_page(request: Request, ctx: ReceiptPaper) -> Response:
    context = {"paper": ctx.paper, "receipt": receipt.build_receipt(ctx.paper)}
    return render(request, "submissions/receipt.html", context)


@router.get("/papers/{paper_id}/receipt.pdf")
def receipt_pdf(settings: SettingsDep, ctx: ReceiptPaper) -> Response:
    return downloads.receipt_response(ctx.paper, settings)


# --- the paper page ---------------------------------------------------------------------------


def paper_context(session: Session, ctx: PaperContext, **extra: Any) -> dict[str, Any]:
    paper, access = ctx.paper, ctx.access
    now = utcnow()
    before = service.before_deadline(session, paper, now)
    return {
        "paper": paper,
        "access": access,
        "items": service.agenda_items_of(paper),
        "deadline": service.paper_deadline(session, paper),
        "before_deadline": before,
        "can_revise": policies.can_revise(access, paper.announced_status, before_deadline=before),
        "can_withdraw": policies.can_withdraw(
            access, paper.announced_status, before_deadline=before
        ),
        "history": service.history(session, [paper]).get(paper.id, []),
        "cosigner_state": service.cosigner_state,
        "max_bytes": uploads.max_bytes_for(paper.meeting.max_file_mb),
        "errors": {},
        **extra,
    }


@router.get("/papers/{paper_id}")
def paper_page(request: Request, session: SessionDep, ctx: ViewablePaper) -> Response:
    return render(request, PAPER_PAGE, paper_context(session, ctx))


@router.post("/papers/{paper_id}/versions")
@checks_csrf_in_body
def add_version(
    request: Request, session: SessionDep, settings: SettingsDep, ctx: ViewablePaper, htmx: Htmx
) -> Response:
    max_bytes = uploads.max_bytes_for(ctx.paper.meeting.max_file_mb)
    with streamed_form(request, max_bytes) as form:
        check_form_csrf(request, form)
        try:
            intake.receive_version(session, settings, ctx.user, ctx.access, ctx.paper, form)
        except CsrfError:
            raise
        except AppError as exc:
            paper = service.get_paper(session, ctx.paper.id, fresh=True)
            fresh = PaperContext(paper, ctx.user, service.access_of(session, ctx.user, paper))
            context = paper_context(session, fresh, errors=errors_of(exc))
            block = "revise_form" if htmx else None
            return render(request, PAPER_PAGE, context, block=block, status_code=exc.status)
    return redirect(f"/papers/{ctx.paper.id}#versions", htmx)


@router.post("/papers/{paper_id}/withdraw")
def withdraw(
    session: SessionDep,
    ctx: ViewablePaper,
    htmx: Htmx,
    lock_version: Annotated[int | None, Form()] = None,
) -> Response:
    revise.withdraw(session, ctx.user, ctx.access, ctx.paper, lock_version)
    return redirect(f"/papers/{ctx.paper.id}", htmx)


@router.get("/papers/{paper_id}/versions/{number}/file")
def version_file(settings: SettingsDep, ctx: ViewablePaper, number: int) -> Response:
    version = service.version_of(ctx.paper, number)
    return downloads.version_file(get_storage(settings), version)


@router.get("/papers/{paper_id}/versions/{number}/pdf")
def version_pdf(settings: SettingsDep, ctx: ViewablePaper, number: int) -> Response:
    version = service.version_of(ctx.paper, number)
    return downloads.version_pdf(get_storage(settings), version)
