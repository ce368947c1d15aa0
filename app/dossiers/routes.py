"""HTML pages of a meeting's dossier: composing it (order, summaries, digests), its builds with
their progress (htmx polling), and the downloads. Every form also works without JavaScript."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.deps import Htmx, SessionDep, SettingsDep
from app.dossiers import builds, downloads, policies, service
from app.dossiers import tasks as _tasks  # noqa: F401 - registers the build job
from app.dossiers.deps import CompiledDossier, DossierAccess, ViewedBuild, ViewedDossier
from app.dossiers.models import BuildState, DossierBuild
from app.dossiers.schemas import DigestInput, Direction, SummaryInput
from app.errors import FormError, field_errors
from app.security import verify_csrf
from app.storage import get_storage
from app.templating import render

SchemaT = TypeVar("SchemaT", bound=BaseModel)
router = APIRouter(tags=["dossiers"], dependencies=[Depends(verify_csrf)])
BASE = "/processes/{slug}/meetings/{meeting_slug}/dossier"
DOSSIER_PAGE = "dossiers/dossier.html"
BUILD_PAGE = "dossiers/build.html"


def dossier_url(access: DossierAccess) -> str:
    meeting = access.meeting
    return f"/processes/{meeting.process.slug}/meetings/{meeting.slug}/dossier"


def _redirect(url: str, htmx: bool) -> Response:
    if htmx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _parse(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise FormError(field_errors(exc)) from exc


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def progress_token(build: DossierBuild) -> str:
    """Changes whenever what the progress fragment shows changes."""
    seen = f"{build.state}:{build.progress}:{build.progress_note}:{build.error}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _context(
    session: SessionDep, access: DossierAccess, *, with_builds: bool = True, **extra: Any
) -> dict[str, Any]:
    view = service.dossier_view(session, access.meeting)
    all_builds = builds.list_builds(session, access.meeting) if with_builds else []
    return {
        "process": access.meeting.process,
        "meeting": access.meeting,
        "view": view,
        "can_compile": access.can_compile,
        "base": dossier_url(access),
        "builds": all_builds,
        "latest": next((b for b in all_builds if b.state is BuildState.succeeded), None),
        "active": [b for b in reversed(all_builds) if not policies.is_finished(b.state)],
        "errors": {},
        "saved": None,
        "section": None,
        "values": {},
        "progress_token": progress_token,
        **extra,
    }


def _section_response(
    request: Request,
    session: SessionDep,
    access: DossierAccess,
    item_id: int,
    htmx: bool,
    *,
    saved: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[int, Any] | None = None,
) -> Response:
    status = 422 if errors else 200
    if not htmx and not errors:
        return _redirect(f"{dossier_url(access)}#section-{item_id}", htmx)
    context = _context(
        session, access, with_builds=not htmx, saved=saved, errors=errors or {}, values=values or {}
    )
    if not htmx:
        return render(request, DOSSIER_PAGE, context, status_code=status)
    context["section"] = context["view"].section_for(item_id)
    return render(request, DOSSIER_PAGE, context, block="section", status_code=status)


@router.get(BASE)
def dossier_page(request: Request, session: SessionDep, access: ViewedDossier) -> Response:
    return render(request, DOSSIER_PAGE, _context(session, access))


@router.post(BASE + "/sections/{item_id}/papers/{paper_id}/move")
def move_paper(
    request: Request,
    session: SessionDep,
    access: CompiledDossier,
    item_id: int,
    paper_id: int,
    direction: Annotated[Direction, Form()],
    htmx: Htmx,
) -> Response:
    view = service.dossier_view(session, access.meeting, with_comments=False)
    service.move_paper(session, access.user, view, item_id, paper_id, direction)
    return _section_response(request, session, access, item_id, htmx, saved="order")


@router.post(BASE + "/sections/{item_id}/summary")
def save_summary(
    request: Request,
    session: SessionDep,
    access: CompiledDossier,
    item_id: int,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    raw = {"summary": form.get("summary", "")}
    view = service.dossier_view(session, access.meeting, with_comments=False)
    view.section_for(item_id)  # 404 before any validation message
    try:
        service.set_summary(session, access.user, view, item_id, _parse(SummaryInput, raw))
    except FormError as exc:
        errors = {f"summary-{item_id}": exc.fields.get("summary", exc.message)}
        return _section_response(
            request, session, access, item_id, htmx, errors=errors, values={item_id: raw}
        )
    return _section_response(request, session, access, item_id, htmx, saved="summary")


@router.post(BASE + "/sections/{item_id}/digest")
def save_digest(
    request: Request,
    session: SessionDep,
    access: CompiledDossier,
    item_id: int,
    form: FormDep,
    htmx: Htmx,
) -> Response:
    view = service.dossier_view(session, access.meeting)
    view.section_for(item_id)
    try:
        data = _parse(DigestInput, {"comment_ids": form.getlist("comment_ids")})
        service.set_digest(session, access.user, view, item_id, data)
    except FormError as exc:
        errors = {f"digest-{item_id}": next(iter(exc.fields.values()), exc.message)}
        return _section_response(request, session, access, item_id, htmx, errors=errors)
    return _section_response(request, session, access, item_id, htmx, saved="digest")


@router.post(BASE + "/builds")
def start_build(session: SessionDep, access: CompiledDossier, htmx: Htmx) -> Response:
    build = builds.start_build(session, access.user, access.meeting)
    return _redirect(f"{dossier_url(access)}/builds/{build.number}", htmx)


# --- builds --------------------------------------------------------------------------------------


def _build_context(session: SessionDep, access: Any) -> dict[str, Any]:
    dossier = DossierAccess(access.meeting, access.user, access.can_compile)
    return {
        "process": access.meeting.process,
        "meeting": access.meeting,
        "build": access.build,
        "base": dossier_url(dossier),
        "can_compile": access.can_compile,
        "built_by": builds.built_by(access.build),
        "included": builds.included_versions(access.build),
        "latest": builds.latest_succeeded(session, access.meeting),
        "token": progress_token(access.build),
    }


@router.get(BASE + "/builds/{number}")
def build_page(request: Request, session: SessionDep, access: ViewedBuild) -> Response:
    return render(request, BUILD_PAGE, _build_context(session, access))


@router.get(BASE + "/builds/{number}/progress")
def build_progress(
    request: Request, session: SessionDep, access: ViewedBuild, seen: str = ""
) -> Response:
    """The progress fragment; 204 (htmx keeps polling, swaps nothing) when nothing changed, so
    screen readers hear each change once."""
    if seen and seen == progress_token(access.build):
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    response = render(request, BUILD_PAGE, _build_context(session, access), block="progress")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(BASE + "/builds/{number}/pdf")
def build_pdf(settings: SettingsDep, access: ViewedBuild) -> Response:
    return downloads.build_file(get_storage(settings), access.meeting, access.build, "pdf")


@router.get(BASE + "/builds/{number}/zip")
def build_zip(settings: SettingsDep, access: ViewedBuild) -> Response:
    return downloads.build_file(get_storage(settings), access.meeting, access.build, "zip")


@router.get(BASE + "/latest/pdf")
def latest_pdf(session: SessionDep, settings: SettingsDep, access: ViewedDossier) -> Response:
    build = builds.require_latest(session, access.meeting)
    return downloads.build_file(get_storage(settings), access.meeting, build, "pdf")


@router.get(BASE + "/latest/zip")
def latest_zip(session: SessionDep, settings: SettingsDep, access: ViewedDossier) -> Response:
    build = builds.require_latest(session, access.meeting)
    return downloads.build_file(get_storage(settings), access.meeting, build, "zip")
