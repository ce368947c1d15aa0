"""JSON API of papers. Uploads are multipart/form-data, streamed like the pages' (see intake).

POST /api/v1/meetings/{id}/papers fields: organisation_id, title, summary, language,
agenda_item_ids (repeated, or comma-separated), consent, cosigner_ids (optional, likewise),
idempotency_key (optional; or the Idempotency-Key header), then the file as `file`, last.
A repeated request with the same key answers 200 with the paper the first one created.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from app.accounts.deps import ApiUser
from app.deps import SessionDep, SettingsDep
from app.storage import get_storage
from app.submissions import cosign, downloads, intake, revise, service, uploads
from app.submissions.deps import (
    ApiCosigningOwner,
    ApiMemberOrganisation,
    ApiMemberSubmissionMeeting,
    ApiPaper,
    ApiReceiptPaper,
    PaperContext,
)
from app.submissions.schemas import PaperCreate, PaperRead
from app.uploads.streamed_form import streamed_form

router = APIRouter(prefix="/api/v1", tags=["submissions"])

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def _json(paper_read: PaperRead, status: int) -> JSONResponse:
    return JSONResponse(paper_read.model_dump(mode="json"), status_code=status)


@router.post(
    "/meetings/{meeting_id}/papers",
    status_code=201,
    response_model=PaperRead,
    openapi_extra=UPLOAD_DOC,
)
def submit_paper(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: ApiUser,
    meeting: ApiMemberSubmissionMeeting,
) -> Response:
    max_bytes = uploads.max_bytes_for(meeting.max_file_mb)
    with streamed_form(request, max_bytes) as form:
        data = intake.parse(PaperCreate, intake.paper_input(form.fields, request))
        paper, created = intake.receive_submission(session, settings, user, meeting, form, data)
    return _json(downloads.paper_read(paper), 201 if created else 200)


def _staff(ctx: PaperContext) -> bool:
    return ctx.access.organiser or ctx.access.moderator


@router.get("/papers/{paper_id}", response_model=PaperRead)
def get_paper(ctx: ApiPaper) -> PaperRead:
    return downloads.paper_read(ctx.paper, staff=_staff(ctx))


@router.get("/organisations/{org_id}/papers", response_model=list[PaperRead])
def list_papers(session: SessionDep, ctx: ApiMemberOrganisation) -> list[PaperRead]:
    papers = service.papers_of_organisation(session, ctx.organisation)
    return [downloads.paper_read(paper) for paper in papers]


@router.post(
    "/papers/{paper_id}/versions",
    status_code=201,
    response_model=PaperRead,
    openapi_extra=UPLOAD_DOC,
)
def add_version(
    request: Request, session: SessionDep, settings: SettingsDep, ctx: ApiPaper
) -> PaperRead:
    max_bytes = uploads.max_bytes_for(ctx.paper.meeting.max_file_mb)
    with streamed_form(request, max_bytes) as form:
        paper = intake.receive_version(session, settings, ctx.user, ctx.access, ctx.paper, form)
    return downloads.paper_read(paper, staff=_staff(ctx))


@router.post("/papers/{paper_id}/withdraw", response_model=PaperRead)
def withdraw(
    session: SessionDep,
    ctx: ApiPaper,
    lock_version: Annotated[int | None, Body(embed=True)] = None,
) -> PaperRead:
    paper = revise.withdraw(session, ctx.user, ctx.access, ctx.paper, lock_version)
    return downloads.paper_read(paper, staff=_staff(ctx))


@router.get("/papers/{paper_id}/receipt.pdf", response_class=Response)
def receipt_pdf(settings: SettingsDep, ctx: ApiReceiptPaper) -> Response:
    return downloads.receipt_response(ctx.paper, settings)


@router.get("/papers/{paper_id}/versions/{number}/file", response_class=Response)
def version_file(settings: SettingsDep, ctx: ApiPaper, number: int) -> Response:
    version = service.version_of(ctx.paper, number)
    return downloads.version_file(get_storage(settings), version)


@router.get("/papers/{paper_id}/versions/{number}/pdf", response_class=Response)
def version_pdf(settings: SettingsDep, ctx: ApiPaper, number: int) -> Response:
    version = service.version_of(ctx.paper, number)
    return downloads.version_pdf(get_storage(settings), version)


@router.post("/papers/{paper_id}/cosigners/{org_id}/confirm", response_model=PaperRead)
def confirm_cosigning(
    session: SessionDep, settings: SettingsDep, ctx: ApiCosigningOwner
) -> PaperRead:
    cosign.answer(session, settings, ctx.user, ctx.paper, ctx.organisation, confirm=True)
    return downloads.paper_read(ctx.paper)


@router.post("/papers/{paper_id}/cosigners/{org_id}/decline", response_model=PaperRead)
def decline_cosigning(
    session: SessionDep, settings: SettingsDep, ctx: ApiCosigningOwner
) -> PaperRead:
    cosign.answer(session, settings, ctx.user, ctx.paper, ctx.organisation, confirm=False)
    return downloads.paper_read(ctx.paper)
