"""JSON API of dossiers: the composition, builds (started with 202, polled for progress) and
their files. Organisers (and admins) compose and build; moderators of the process read and
download; everyone else gets 401/403/404 like the pages."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import SessionDep, SettingsDep
from app.dossiers import builds, downloads, service
from app.dossiers.deps import ApiCompiledDossier, ApiViewedBuild, ApiViewedDossier
from app.dossiers.schemas import BuildRead, DossierRead, EntryRead, SectionRead, SectionUpdate, dump
from app.dossiers.service import SectionView
from app.storage import get_storage
from app.submissions.models import Paper

router = APIRouter(prefix="/api/v1", tags=["dossiers"])


def _entry(paper: Paper, position: int, included: bool) -> EntryRead:
    version = service.current_version(paper)
    return EntryRead(
        paper_id=paper.id,
        tracking_number=paper.tracking_number or "",
        title=paper.title,
        organisation_name=paper.organisation.name,
        version_number=version.number if version else None,
        position=position,
        pdf_ready=bool(version and service.pdf_key_of(version)),
        included=included,
    )


def section_read(section: SectionView) -> SectionRead:
    entries = [_entry(p, n, True) for n, p in enumerate(section.papers, start=1)]
    entries += [_entry(p, 0, False) for p in section.withheld]
    return SectionRead(
        agenda_item_id=section.item.id,
        number=section.item.number,
        title=section.item.title,
        summary=section.summary,
        digest_comment_ids=[c.id for c in section.digest],
        entries=entries,
    )


@router.get("/meetings/{meeting_id}/dossier", response_model=DossierRead)
def get_dossier(session: SessionDep, access: ApiViewedDossier) -> DossierRead:
    view = service.dossier_view(session, access.meeting)
    all_builds = builds.list_builds(session, access.meeting)
    latest = builds.latest_succeeded(session, access.meeting)
    return DossierRead(
        meeting_id=access.meeting.id,
        sections=[section_read(s) for s in view.sections],
        builds=[builds.build_summary(b, access.meeting.id) for b in all_builds],
        latest_build_id=latest.id if latest else None,
    )


@router.patch("/meetings/{meeting_id}/dossier/sections/{item_id}", response_model=SectionRead)
def update_section(
    session: SessionDep, access: ApiCompiledDossier, item_id: int, data: SectionUpdate
) -> SectionRead:
    view = service.dossier_view(session, access.meeting)
    section = service.update_section(session, access.user, view, item_id, data)
    return section_read(section)


@router.post("/meetings/{meeting_id}/dossier/builds", status_code=202, response_model=BuildRead)
def start_build(session: SessionDep, access: ApiCompiledDossier) -> Response:
    build = builds.start_build(session, access.user, access.meeting)
    body = builds.build_read(build, access.meeting.id)
    location = f"/api/v1/dossier-builds/{build.id}"
    return JSONResponse(dump(body), status_code=202, headers={"Location": location})


@router.get("/dossier-builds/{build_id}", response_model=BuildRead)
def get_build(access: ApiViewedBuild) -> BuildRead:
    return builds.build_read(access.build, access.meeting.id)


@router.get("/dossier-builds/{build_id}/pdf", response_class=Response)
def build_pdf(settings: SettingsDep, access: ApiViewedBuild) -> Response:
    return downloads.build_file(get_storage(settings), access.meeting, access.build, "pdf")


@router.get("/dossier-builds/{build_id}/zip", response_class=Response)
def build_zip(settings: SettingsDep, access: ApiViewedBuild) -> Response:
    return downloads.build_file(get_storage(settings), access.meeting, access.build, "zip")
