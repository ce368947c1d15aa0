"""JSON API of the paper triage queue (moderators and organisers of the process, admins).

GET  /api/v1/meetings/{id}/papers            the filtered queue, keyset-paginated: pass the
                                             `next_cursor` of a page as `cursor` for the next
                                             (same filters as the queue page; never offsets)
POST /api/v1/papers/{id}/decisions           {to_status, reason_code, reason, staged,
                                             lock_version}; 409 with the paper's current state
                                             when lock_version is stale
GET  /api/v1/papers/{id}/decisions           the paper's decisions, oldest first
POST /api/v1/papers/{id}/decisions/{d}/revert {lock_version}: undo a staged decision
POST /api/v1/meetings/{id}/decisions/release  organisers: announce the staged decisions
POST /api/v1/papers/{id}/assignment          {assignee_id (null: nobody), lock_version}
POST /api/v1/papers/{id}/route               {agenda_item_id, lock_version}
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from app.deps import SessionDep, SettingsDep
from app.errors import error_body
from app.moderation import assignment, queue, repository, service
from app.moderation.deps import ApiQueue, ApiReleasingQueue, ApiTriagedPaper
from app.moderation.schemas import (
    AssignmentInput,
    DecisionCreate,
    DecisionRead,
    DecisionResult,
    PaperStateRead,
    QueueFilters,
    QueueItemRead,
    QueuePageRead,
    ReleaseRead,
    RevertInput,
    RouteInput,
)
from app.moderation.service import PaperConflict
from app.submissions.models import Paper

router = APIRouter(prefix="/api/v1", tags=["moderation"])
CONFLICT_DOC: dict[int | str, dict[str, Any]] = {
    409: {"description": "The paper changed since `lock_version`; nothing changed."}
}


def paper_state(paper: Paper) -> PaperStateRead:
    return PaperStateRead(
        id=paper.id,
        status=paper.status,
        announced_status=paper.announced_status,
        lock_version=paper.lock_version,
        assignee_id=paper.assignee_id,
        routed_item_id=paper.routed_item_id,
    )


def conflict_response(session: SessionDep, exc: PaperConflict) -> JSONResponse:
    """409 with the paper as it is now, so the client can show it and decide again."""
    body = error_body(exc.code, exc.message)
    paper = repository.get_paper(session, exc.paper_id, fresh=True)
    if paper is not None:
        body["error"]["paper"] = paper_state(paper).model_dump(mode="json")
    return JSONResponse(body, status_code=409)


def item_read(row: queue.QueueRow) -> QueueItemRead:
    paper = row.paper
    return QueueItemRead(
        id=paper.id,
        tracking_number=paper.tracking_number or "",
        title=paper.title,
        organisation_id=paper.organisation_id,
        organisation_name=paper.organisation.name,
        organisation_type=paper.organisation.type,
        country=paper.organisation.country,
        verification=paper.organisation.verification,
        language=paper.language,
        status=paper.status,
        announced_status=paper.announced_status,
        staged=row.staged,
        lock_version=paper.lock_version,
        assignee_id=paper.assignee_id,
        routed_item_id=paper.routed_item_id,
        agenda_item_ids=[link.agenda_item_id for link in paper.agenda_links],
        duplicate_group=paper.duplicate_group,
        duplicate_count=row.duplicates,
        submitted_at=paper.submitted_at,
    )


MAX_API_PAGE = 500


@router.get("/meetings/{meeting_id}/papers", response_model=QueuePageRead)
def list_queue(
    session: SessionDep,
    ctx: ApiQueue,
    filters: Annotated[QueueFilters, Query()],
    limit: Annotated[int, Query(ge=1, le=MAX_API_PAGE, description="Papers per page.")] = 50,
) -> QueuePageRead:
    page = queue.page(session, ctx.meeting, filters, ctx.user, limit=limit)
    return QueuePageRead(items=[item_read(r) for r in page.rows], next_cursor=page.next_cursor)


@router.post(
    "/papers/{paper_id}/decisions",
    status_code=201,
    response_model=DecisionResult,
    responses=CONFLICT_DOC,
)
def decide(
    session: SessionDep, settings: SettingsDep, ctx: ApiTriagedPaper, data: DecisionCreate
) -> DecisionResult | JSONResponse:
    try:
        decision = service.decide(session, settings, ctx.user, ctx.paper, data)
    except PaperConflict as exc:
        return conflict_response(session, exc)
    return DecisionResult(
        decision=DecisionRead.model_validate(decision), paper=paper_state(ctx.paper)
    )


@router.get("/papers/{paper_id}/decisions", response_model=list[DecisionRead])
def list_decisions(session: SessionDep, ctx: ApiTriagedPaper) -> list[DecisionRead]:
    return [DecisionRead.model_validate(d) for d in service.decisions_of(session, ctx.paper)]


@router.post(
    "/papers/{paper_id}/decisions/{decision_id}/revert",
    response_model=DecisionResult,
    responses=CONFLICT_DOC,
)
def revert(
    session: SessionDep, ctx: ApiTriagedPaper, decision_id: int, data: RevertInput
) -> DecisionResult | JSONResponse:
    try:
        decision = service.revert(session, ctx.user, ctx.paper, decision_id, data.lock_version)
    except PaperConflict as exc:
        return conflict_response(session, exc)
    return DecisionResult(
        decision=DecisionRead.model_validate(decision), paper=paper_state(ctx.paper)
    )


@router.post("/meetings/{meeting_id}/decisions/release", response_model=ReleaseRead)
def release(session: SessionDep, settings: SettingsDep, ctx: ApiReleasingQueue) -> ReleaseRead:
    return service.release(session, settings, ctx.user, ctx.meeting)


@router.post("/papers/{paper_id}/assignment", response_model=PaperStateRead, responses=CONFLICT_DOC)
def assign(
    session: SessionDep, ctx: ApiTriagedPaper, data: AssignmentInput
) -> PaperStateRead | JSONResponse:
    try:
        assignment.assign(session, ctx.user, ctx.paper, data.assignee_id, data.lock_version)
    except PaperConflict as exc:
        return conflict_response(session, exc)
    return paper_state(ctx.paper)


@router.post("/papers/{paper_id}/route", response_model=PaperStateRead, responses=CONFLICT_DOC)
def route(
    session: SessionDep, ctx: ApiTriagedPaper, data: Annotated[RouteInput, Body()]
) -> PaperStateRead | JSONResponse:
    try:
        assignment.route(session, ctx.user, ctx.paper, data.agenda_item_id, data.lock_version)
    except PaperConflict as exc:
        return conflict_response(session, exc)
    return paper_state(ctx.paper)
