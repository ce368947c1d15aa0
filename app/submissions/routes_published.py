"""Public pages of published papers: a meeting's list, one paper, its file. Included by
routes.py; no sign-in needed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.consultations import service as consultations
from app.deps import SessionDep, SettingsDep
from app.organisations import countries
from app.security import verify_csrf
from app.storage import get_storage
from app.submissions import policies, published
from app.templating import render
from app.uploads.downloads import file_response

router = APIRouter(tags=["submissions"], dependencies=[Depends(verify_csrf)])


@router.get("/processes/{slug}/meetings/{meeting_slug}/published")
def published_papers(
    request: Request, session: SessionDep, slug: str, meeting_slug: str
) -> Response:
    meeting = consultations.get_meeting_page(session, slug, meeting_slug)
    sections = published.published_by_item(session, meeting)
    context = {
        "process": meeting.process,
        "meeting": meeting,
        "sections": sections,
        "count": len({p.id for section in sections for p in section.papers}),
        "names_organisation": policies.names_organisation,
    }
    return render(request, "submissions/published.html", context)


@router.get("/published/{paper_id:int}")
def published_paper(request: Request, session: SessionDep, paper_id: int) -> Response:
    paper = published.get_published_paper(session, paper_id)
    context = {
        "paper": paper,
        "meeting": paper.meeting,
        "process": paper.meeting.process,
        "version": published.published_version(paper),
        "named": policies.names_organisation(paper.consent),
        "items": [link.agenda_item for link in paper.agenda_links],
        "country_name": countries.country_name,
    }
    return render(request, "submissions/published_paper.html", context)


@router.get("/published/{paper_id:int}/file")
def published_file(session: SessionDep, settings: SettingsDep, paper_id: int) -> Response:
    """The PDF (as uploaded, or the copy made of a Word or OpenDocument file), else the
    original file while no PDF copy exists."""
    paper = published.get_published_paper(session, paper_id)
    version = published.published_version(paper)
    storage = get_storage(settings)
    pdf_key = version.file_key if version.kind == "pdf" else version.pdf_key
    if pdf_key:
        name = published.public_filename(paper, "pdf")
        return file_response(storage, pdf_key, name, "application/pdf")
    name = published.public_filename(paper, version.kind)
    return file_response(storage, version.file_key, name, version.media_type)
