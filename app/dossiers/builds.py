"""Builds of a dossier: starting one (snapshot + job), reading them, and their end states.

A build is numbered v1, v2, … per dossier, freezes its snapshot in the request that starts it,
and is rendered by the `dossiers.build` job (tasks.py), never in a request. Its row changes
only as the job moves it along queued → running → succeeded | failed; what it contains never
changes. Only a succeeded build has files, and its row names them only once both are stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit, jobs
from app.accounts.models import User
from app.consultations.models import Meeting
from app.db import utcnow
from app.dossiers import policies, repository, service, snapshot
from app.dossiers.models import BuildState, Dossier, DossierBuild
from app.dossiers.schemas import BuildRead, BuildSummary, IncludedVersion
from app.errors import Conflict, NotFound
from app.i18n import N_
from app.i18n import gettext as _

BUILD_JOB = "dossiers.build"
ERROR_MAX = 2000
NO_BUILD = N_("There is no such build of this dossier.")
NO_GOOD_BUILD = N_("No build of this dossier has succeeded yet.")


def start_build(session: Session, actor: User, meeting: Meeting) -> DossierBuild:
    """Freeze what the dossier holds now and queue its rendering (after this request commits)."""
    view = service.dossier_view(session, meeting)
    dossier = service.ensure_dossier(session, meeting)
    repository.get_dossier_by_id(session, dossier.id, lock=True)  # one numbering at a time
    number = repository.last_number(session, dossier.id) + 1
    build = DossierBuild(
        dossier_id=dossier.id,
        number=number,
        state=BuildState.queued,
        progress=0,
        progress_note="",
        snapshot=snapshot.freeze(view, actor),
        built_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(build)
    except IntegrityError as exc:
        raise Conflict(
            _("Another build was started at the same moment. Please try again.")
        ) from exc
    jobs.enqueue(session, BUILD_JOB, {"build_id": build.id}, max_attempts=1)
    versions = [p["version_id"] for _s, p in snapshot.papers_of(build.snapshot)]
    audit.record(
        session, actor, "dossier.build", "dossier_build", build.id,
        None, {"meeting_id": meeting.id, "number": number, "version_ids": versions},
    )  # fmt: skip
    return build


def dossier_of(session: Session, meeting: Meeting) -> Dossier | None:
    return repository.get_dossier(session, meeting.id)


def list_builds(session: Session, meeting: Meeting) -> list[DossierBuild]:
    dossier = repository.get_dossier(session, meeting.id)
    return repository.list_builds(session, dossier.id) if dossier else []


def get_build(session: Session, meeting: Meeting, number: int) -> DossierBuild:
    dossier = repository.get_dossier(session, meeting.id)
    build = repository.get_build_by_number(session, dossier.id, number) if dossier else None
    if build is None:
        raise NotFound(NO_BUILD)
    return build


def latest_succeeded(session: Session, meeting: Meeting) -> DossierBuild | None:
    dossier = repository.get_dossier(session, meeting.id)
    return repository.latest_succeeded(session, dossier.id) if dossier else None


def require_latest(session: Session, meeting: Meeting) -> DossierBuild:
    build = latest_succeeded(session, meeting)
    if build is None:
        raise NotFound(NO_GOOD_BUILD)
    return build


def require_files(build: DossierBuild) -> tuple[str, str]:
    """(pdf key, zip key) of a succeeded build; 409 for any other."""
    if not policies.is_downloadable(build.state) or not build.pdf_key or not build.zip_key:
        if build.state is BuildState.failed:
            raise Conflict(
                _("Build v%(number)s failed; it has no files. Start a new build.")
                % {"number": build.number}
            )
        raise Conflict(
            _("Build v%(number)s has not finished yet; it has no files so far.")
            % {"number": build.number}
        )
    return build.pdf_key, build.zip_key


def filename(meeting: Meeting, build: DossierBuild, extension: str) -> str:
    return f"dossier-{meeting.slug}-v{build.number}.{extension}"


# --- end states (called by the job, in short transactions of its own) ----------------------------


def mark_failed(build: DossierBuild, error: str) -> None:
    build.state = BuildState.failed
    build.error = error[:ERROR_MAX] or _("The build failed.")
    build.finished_at = utcnow()
    build.pdf_key = build.zip_key = None


def mark_succeeded(
    build: DossierBuild, page_count: int, pdf: tuple[str, str], zip_file: tuple[str, str]
) -> None:
    build.pdf_key, build.pdf_sha256 = pdf
    build.zip_key, build.zip_sha256 = zip_file
    build.page_count = page_count
    build.state = BuildState.succeeded
    build.progress = 100
    build.progress_note = ""
    build.finished_at = utcnow()


def job_failed(session: Session, payload: dict[str, Any], error: str) -> None:
    """The job failed for good (an error, or its worker died): its build must not stay open."""
    build = repository.get_build(session, int(payload.get("build_id", 0)), fresh=True)
    if build is not None and not policies.is_finished(build.state):
        mark_failed(build, f"The build stopped before it finished ({error}). Start a new build.")


# --- reading -------------------------------------------------------------------------------------


def included_versions(build: DossierBuild) -> list[IncludedVersion]:
    return [
        IncludedVersion(
            paper_id=p["paper_id"],
            version_id=p["version_id"],
            version_number=p["version_number"],
            tracking_number=p["tracking_number"],
            title=p["title"],
            section_number=s["number"],
            sha256=p["sha256"],
            in_pdf=bool(p["pdf_key"]),
        )
        for s, p in snapshot.papers_of(build.snapshot)
    ]


def built_by(build: DossierBuild) -> str:
    return str(build.snapshot.get("built_by") or (build.built_by.name if build.built_by else ""))


def build_summary(build: DossierBuild, meeting_id: int) -> BuildSummary:
    files = policies.is_downloadable(build.state)
    base = f"/api/v1/dossier-builds/{build.id}"
    return BuildSummary(
        id=build.id,
        meeting_id=meeting_id,
        number=build.number,
        state=build.state,
        progress=build.progress,
        progress_note=build.progress_note,
        error=build.error,
        built_by=built_by(build),
        created_at=build.created_at,
        started_at=build.started_at,
        finished_at=build.finished_at,
        page_count=build.page_count,
        pdf_sha256=build.pdf_sha256,
        zip_sha256=build.zip_sha256,
        pdf_url=f"{base}/pdf" if files else None,
        zip_url=f"{base}/zip" if files else None,
    )


def build_read(build: DossierBuild, meeting_id: int) -> BuildRead:
    summary = build_summary(build, meeting_id)
    return BuildRead(**summary.model_dump(), included=included_versions(build))
