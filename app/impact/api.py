"""JSON API of the impact domain under /api/v1: recommendations (public once adopted), their
citations, meeting participants, focal points, reporting rounds, follow-up reports with their
evidence, and the CSV/XLSX import (preview, then confirm). Bearer tokens work as elsewhere."""

from __future__ import annotations

import anyio.from_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.accounts.deps import ApiUser, OptionalApiUser
from app.consultations import service as consultations
from app.deps import SessionDep, SettingsDep
from app.errors import AppError, Forbidden
from app.i18n import gettext as _
from app.impact import evidence, imports, intake, participation, reports, service
from app.impact.deps import (
    ApiManagedMeeting,
    ApiManagedProcess,
    ApiManagedRecommendation,
    ApiOfficialFiling,
    ApiPublicMeeting,
    ApiShadowFiling,
    ApiVisibleEvidence,
    ApiVisibleRecommendation,
    Filing,
)
from app.impact.models import FollowUpReport, Recommendation, RecommendationImport
from app.impact.schemas import (
    CitationCreate,
    CitationRead,
    FocalPointCreate,
    FocalPointRead,
    ImportPreviewRead,
    ImportRowRead,
    ParticipantCreate,
    ParticipantRead,
    RecommendationCreate,
    RecommendationDetail,
    RecommendationRead,
    ReportRead,
    RoundCreate,
    RoundRead,
)
from app.organisations import service as organisations
from app.storage import get_storage

router = APIRouter(prefix="/api/v1", tags=["impact"])
REPORT_UPLOAD_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ReportCreate"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string"},
                        "narrative": {"type": "string"},
                        "reported_on": {"type": "string", "format": "date"},
                        "base_version": {"type": "integer"},
                        "links": {"type": "array", "items": {"type": "string"}},
                        "file_title": {"type": "string"},
                        "file": {"type": "string", "format": "binary"},
                    },
                    "required": ["status", "reported_on"],
                }
            },
        }
    }
}


def _detail(session: SessionDep, recommendation: Recommendation) -> RecommendationDetail:
    return RecommendationDetail(
        **RecommendationRead.model_validate(recommendation).model_dump(),
        citations=[CitationRead.model_validate(c) for c in recommendation.citations],
        addressed_countries=sorted(service.addressed_countries(session, recommendation)),
    )


def _preview(upload: RecommendationImport) -> ImportPreviewRead:
    return ImportPreviewRead(
        token=upload.token,
        meeting_id=upload.meeting_id,
        rows=[ImportRowRead.model_validate(row) for row in upload.rows],
        error_count=upload.error_count,
        expires_at=upload.expires_at,
    )


# --- recommendations -----------------------------------------------------------------------------


@router.get("/processes/{slug}/recommendations", response_model=list[RecommendationRead])
def list_recommendations(
    session: SessionDep, user: OptionalApiUser, slug: str, meeting_id: int | None = None
) -> list[Recommendation]:
    process = consultations.get_process_page(session, slug)
    drafts = service.can_manage(session, user, process.id)
    return service.list_recommendations(
        session, process, include_drafts=drafts, meeting_id=meeting_id
    )


@router.post(
    "/meetings/{meeting_id}/recommendations",
    status_code=201,
    response_model=RecommendationDetail,
)
def create_recommendation(
    session: SessionDep, user: ApiUser, meeting: ApiManagedMeeting, data: RecommendationCreate
) -> RecommendationDetail:
    created = service.create_recommendation(session, user, meeting, data)
    return _detail(session, service.get_recommendation(session, created.id))


@router.get("/recommendations/{recommendation_id}", response_model=RecommendationDetail)
def get_recommendation(
    session: SessionDep, recommendation: ApiVisibleRecommendation
) -> RecommendationDetail:
    return _detail(session, recommendation)


@router.patch("/recommendations/{recommendation_id}", response_model=RecommendationDetail)
def update_recommendation(
    session: SessionDep,
    user: ApiUser,
    recommendation: ApiManagedRecommendation,
    data: RecommendationCreate,
) -> RecommendationDetail:
    service.update_recommendation(session, user, recommendation, data)
    return _detail(session, recommendation)


@router.post(
    "/recommendations/{recommendation_id}/citations", status_code=201, response_model=CitationRead
)
def add_citation(
    session: SessionDep,
    user: ApiUser,
    recommendation: ApiManagedRecommendation,
    data: CitationCreate,
) -> CitationRead:
    return CitationRead.model_validate(service.add_citation(session, user, recommendation, data))


@router.delete("/recommendations/{recommendation_id}/citations/{citation_id}", status_code=204)
def remove_citation(
    session: SessionDep,
    user: ApiUser,
    recommendation: ApiManagedRecommendation,
    citation_id: int,
) -> Response:
    service.remove_citation(session, user, recommendation, citation_id)
    return Response(status_code=204)


@router.get("/organisations/{org_id}/recommendations", response_model=list[RecommendationRead])
def organisation_recommendations(
    session: SessionDep, user: ApiUser, org_id: int
) -> list[Recommendation]:
    """Adopted recommendations that cite this organisation's papers (members only)."""
    org = organisations.get_organisation(session, org_id)
    if organisations.role_of(session, org, user) is None and not user.is_admin:
        raise Forbidden(_("Only members of this organisation can see this."))
    return [rec for rec, _papers in service.recommendations_for_organisation(session, org.id)]


# --- import --------------------------------------------------------------------------------------


IMPORT_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        }
    }
}


@router.post(
    "/meetings/{meeting_id}/recommendation-imports",
    status_code=201,
    response_model=ImportPreviewRead,
    openapi_extra=IMPORT_DOC,
)
def preview_import(
    request: Request, session: SessionDep, user: ApiUser, meeting: ApiManagedMeeting
) -> ImportPreviewRead:
    """Upload a CSV or XLSX file (field `file`): the rows and their errors, and a token."""
    data, name = anyio.from_thread.run(intake.read_table_upload, request, False)
    return _preview(imports.preview(session, user, meeting, name, data))


@router.post(
    "/meetings/{meeting_id}/recommendation-imports/{import_token}/confirm",
    status_code=201,
    response_model=list[RecommendationRead],
)
def confirm_import(
    session: SessionDep, user: ApiUser, meeting: ApiManagedMeeting, import_token: str
) -> list[Recommendation]:
    return imports.confirm(session, user, meeting, import_token)


# --- participants --------------------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/participants", response_model=list[ParticipantRead])
def list_participants(session: SessionDep, meeting: ApiPublicMeeting) -> list[ParticipantRead]:
    return [
        ParticipantRead.model_validate(p) for p in participation.list_participants(session, meeting)
    ]


@router.post("/meetings/{meeting_id}/participants", status_code=201, response_model=ParticipantRead)
def add_participant(
    session: SessionDep, user: ApiUser, meeting: ApiManagedMeeting, data: ParticipantCreate
) -> ParticipantRead:
    return ParticipantRead.model_validate(
        participation.add_participant(session, user, meeting, data)
    )


@router.delete("/meetings/{meeting_id}/participants/{participant_id}", status_code=204)
def remove_participant(
    session: SessionDep, user: ApiUser, meeting: ApiManagedMeeting, participant_id: int
) -> Response:
    participation.remove_participant(session, user, meeting, participant_id)
    return Response(status_code=204)


# --- focal points and rounds ---------------------------------------------------------------------


@router.get("/processes/{slug}/focal-points", response_model=list[FocalPointRead])
def list_focal_points(session: SessionDep, process: ApiManagedProcess) -> list[FocalPointRead]:
    return [
        FocalPointRead.model_validate(f) for f in participation.list_focal_points(session, process)
    ]


@router.post("/processes/{slug}/focal-points", status_code=201, response_model=FocalPointRead)
def grant_focal_point(
    session: SessionDep, user: ApiUser, process: ApiManagedProcess, data: FocalPointCreate
) -> FocalPointRead:
    return FocalPointRead.model_validate(
        participation.grant_focal_point(session, user, process, data)
    )


@router.delete("/processes/{slug}/focal-points/{focal_point_id}", status_code=204)
def revoke_focal_point(
    session: SessionDep, user: ApiUser, process: ApiManagedProcess, focal_point_id: int
) -> Response:
    participation.revoke_focal_point(session, user, process, focal_point_id)
    return Response(status_code=204)


@router.get("/processes/{slug}/reporting-rounds", response_model=list[RoundRead])
def list_rounds(session: SessionDep, slug: str) -> list[RoundRead]:
    process = consultations.get_process_page(session, slug)
    return [RoundRead.model_validate(r) for r in participation.list_rounds(session, process)]


@router.post("/processes/{slug}/reporting-rounds", status_code=201, response_model=RoundRead)
def create_round(
    session: SessionDep, user: ApiUser, process: ApiManagedProcess, data: RoundCreate
) -> RoundRead:
    return RoundRead.model_validate(participation.create_round(session, user, process, data))


# --- reports -------------------------------------------------------------------------------------


@router.get("/recommendations/{recommendation_id}/reports", response_model=list[ReportRead])
def list_reports(
    session: SessionDep, recommendation: ApiVisibleRecommendation, country: str | None = None
) -> list[FollowUpReport]:
    code = reports.checked_country(country) if country else None
    return reports.history_rows(session, recommendation, code)


@router.get("/reports/{report_id}", response_model=ReportRead)
def get_report(session: SessionDep, user: OptionalApiUser, report_id: int) -> FollowUpReport:
    report = reports.get_report(session, report_id)
    service.get_visible_recommendation(session, user, report.recommendation_id)
    return report


def _file(request: Request, session: SessionDep, settings: SettingsDep, filing: Filing) -> Response:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = anyio.from_thread.run(request.json)
        except ValueError as exc:
            raise AppError(_("The request body is not valid JSON."), status=400) from exc
        if not isinstance(body, dict):
            raise AppError(_("Send the report as a JSON object."), status=422)
        report = intake.file_from_json(session, filing, intake.parse_report(body))
    elif content_type.startswith("multipart/form-data"):
        report = intake.file_from_multipart(request, session, settings, filing, page=False)
    else:
        raise AppError(_("Send the report as JSON or as multipart/form-data."), status=415)
    read = ReportRead.model_validate(reports.get_report(session, report.id))
    return JSONResponse(read.model_dump(mode="json"), status_code=201)


@router.post(
    "/recommendations/{recommendation_id}/countries/{country}/official",
    status_code=201,
    response_model=ReportRead,
    openapi_extra=REPORT_UPLOAD_DOC,
)
def file_official_report(
    request: Request, session: SessionDep, settings: SettingsDep, filing: ApiOfficialFiling
) -> Response:
    return _file(request, session, settings, filing)


@router.post(
    "/recommendations/{recommendation_id}/countries/{country}/shadow/{org_id}",
    status_code=201,
    response_model=ReportRead,
    openapi_extra=REPORT_UPLOAD_DOC,
)
def file_shadow_report(
    request: Request, session: SessionDep, settings: SettingsDep, filing: ApiShadowFiling
) -> Response:
    return _file(request, session, settings, filing)


@router.get("/evidence/{evidence_id}/file", response_class=Response)
def evidence_file(settings: SettingsDep, item: ApiVisibleEvidence) -> Response:
    return evidence.file_response(get_storage(settings), item)
