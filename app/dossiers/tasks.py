"""The `dossiers.build` job: render a build's frozen snapshot into its PDF and ZIP.

Each step reads or writes the database in a short transaction of its own; the slow part
(typesetting, merging, zipping, storing) holds none open. The job:

1. claims the build: queued → running, unless another build of the same dossier is running.
   Then it waits: the build stays queued and a new job for it is queued a few seconds later
   (no attempt is used up, however long the other build takes). The claim locks the Dossier
   row (PostgreSQL; SQLite serialises writers), so two workers cannot both start builds of
   one dossier.
2. renders into a private temporary folder, updating progress and progress_note;
3. stores both files, then — only if the build is still running — points the row at them
   and marks it succeeded, in one transaction. Any error marks the build failed with its
   reason and deletes whatever was stored; nothing is retried (a build is a record of one
   attempt: the organiser starts a new one).

A worker that dies mid-build leaves its job `running`; the worker's stale recovery fails the
job (one attempt only) and its failure hook (`builds.job_failed`) marks the build failed.
"""

from __future__ import annotations

import logging
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app import jobs
from app.db import utcnow
from app.dossiers import builds, repository, snapshot
from app.dossiers.models import BuildState
from app.dossiers.package import build_dossier_zip
from app.dossiers.render import build_dossier_pdf
from app.dossiers.render_spec import DossierError, DossierResult, DossierSpec
from app.storage import Storage, get_storage

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 64 * 1024**3
WAIT_S = (2, 30)  # first and longest pause while another build of the dossier runs


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Marks a progress note for extraction; the page translates it when it shows it."""
    return message


class BuildFailed(Exception):
    """A reason to show the organiser."""


class BuildCancelled(Exception):
    """The build was finished by someone else meanwhile (marked failed): stop quietly."""


@dataclass(frozen=True)
class Claimed:
    build_id: int
    number: int
    snapshot: dict[str, Any]
    built_at: datetime


def _claim(context: jobs.JobContext, build_id: int) -> Claimed | None:
    waits = int(context.payload.get("waits", 0))
    with context.sessionmaker() as session, session.begin():
        build = repository.get_build(session, build_id, fresh=True)
        if build is None or build.state is not BuildState.queued:
            return None  # gone, or finished (e.g. failed by the recovery of a dead worker)
        repository.get_dossier_by_id(session, build.dossier_id, lock=True)
        others = repository.running_builds(session, build.dossier_id, except_id=build.id)
        if others:
            build.progress_note = N_("Waiting for another build of this dossier to finish")
            delay = min(WAIT_S[0] + 2 * waits, WAIT_S[1])
            jobs.enqueue(
                session,
                builds.BUILD_JOB,
                {"build_id": build_id, "waits": waits + 1},
                run_after=utcnow() + timedelta(seconds=delay),
                max_attempts=1,
            )
            return None
        build.state = BuildState.running
        build.started_at = utcnow()
        build.progress, build.progress_note = 2, N_("Started")
        return Claimed(build.id, build.number, dict(build.snapshot), build.created_at)


def _progress(context: jobs.JobContext, build_id: int, percent: int, note: str) -> None:
    with context.sessionmaker() as session, session.begin():
        if not repository.set_progress(session, build_id, percent, note):
            raise BuildCancelled()


def _local_files(
    claimed: Claimed, storage: Storage, stack: ExitStack
) -> tuple[dict[int, Path], dict[int, Path]]:
    """(PDF paths, original file paths) by version id; a missing file fails the build."""
    pdfs: dict[int, Path] = {}
    originals: dict[int, Path] = {}
    for _section, paper in snapshot.papers_of(claimed.snapshot):
        wanted = [(originals, paper["file_key"])]
        if paper["pdf_key"]:
            wanted.append((pdfs, paper["pdf_key"]))
        for into, key in wanted:
            try:
                into[paper["version_id"]] = stack.enter_context(storage.local_path(key))
            except FileNotFoundError as exc:
                raise BuildFailed(
                    f"The file of paper {paper['tracking_number']} (version "
                    f"{paper['version_number']}) is missing from storage."
                ) from exc
    return pdfs, originals


def _render(
    context: jobs.JobContext, claimed: Claimed, storage: Storage, stored: list[str]
) -> None:
    build_id = claimed.build_id
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plenary-dossier-")))
        _progress(context, build_id, 5, N_("Collecting the papers"))
        pdfs, originals = _local_files(claimed, storage, stack)
        spec = snapshot.to_spec(
            claimed.snapshot,
            claimed.number,
            claimed.built_at,
            lambda paper: pdfs.get(paper["version_id"]),
        )
        _progress(context, build_id, 15, N_("Typesetting and merging the PDF"))
        try:
            result = build_dossier_pdf(spec, folder / "dossier.pdf")
        except DossierError as exc:
            raise BuildFailed(f"The PDF could not be made: {exc}.") from exc
        _progress(context, build_id, 70, N_("Packing the ZIP archive"))
        zip_path = folder / "dossier.zip"
        package(claimed, spec, result, folder / "dossier.pdf", originals, zip_path)
        _progress(context, build_id, 85, N_("Storing the files"))
        with (folder / "dossier.pdf").open("rb") as file:
            pdf = storage.put_stream(file, max_bytes=MAX_FILE_BYTES)
        stored.append(pdf.key)
        with zip_path.open("rb") as file:
            archive = storage.put_stream(file, max_bytes=MAX_FILE_BYTES)
        stored.append(archive.key)
    with context.sessionmaker() as session, session.begin():
        build = repository.get_build(session, build_id, fresh=True)
        if build is None or build.state is not BuildState.running:
            raise BuildCancelled()
        builds.mark_succeeded(
            build, result.page_count, (pdf.key, pdf.sha256), (archive.key, archive.sha256)
        )


def package(
    claimed: Claimed,
    spec: DossierSpec,
    result: DossierResult,
    pdf_path: Path,
    originals: dict[int, Path],
    out_path: Path,
) -> None:
    """The ZIP: the dossier PDF, every original file (named after its tracking number) and the
    index; an original whose bytes differ from the recorded hash fails the build."""
    by_tracking = {
        paper["tracking_number"]: originals[paper["version_id"]]
        for _section, paper in snapshot.papers_of(claimed.snapshot)
    }
    try:
        build_dossier_zip(spec, result, pdf_path, by_tracking, out_path)
    except DossierError as exc:
        raise BuildFailed(f"The ZIP archive could not be made: {exc}.") from exc


def _fail(context: jobs.JobContext, build_id: int, message: str) -> None:
    with context.sessionmaker() as session, session.begin():
        build = repository.get_build(session, build_id, fresh=True)
        if build is not None and build.state is BuildState.running:
            builds.mark_failed(build, message)


@jobs.handler(builds.BUILD_JOB, on_failure=builds.job_failed)
def build_dossier(context: jobs.JobContext) -> None:
    build_id = int(context.payload["build_id"])
    claimed = _claim(context, build_id)
    if claimed is None:
        return
    storage = get_storage(context.settings)
    stored: list[str] = []
    try:
        _render(context, claimed, storage, stored)
    except BaseException as exc:
        for key in stored:
            storage.delete(key)
        if isinstance(exc, BuildCancelled):
            return
        if isinstance(exc, BuildFailed):
            message = str(exc)
        else:
            log.exception("dossier build %s failed", build_id)
            message = f"The build failed unexpectedly: {type(exc).__name__}: {exc}"
        _fail(context, build_id, message)
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: let the process stop
        raise jobs.PermanentFailure(message) from exc
