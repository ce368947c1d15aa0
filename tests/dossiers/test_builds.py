"""Builds: numbering, frozen snapshots, serialisation, and builds that fail or die midway."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.db import utcnow
from app.dossiers import builds, service, snapshot
from app.dossiers import tasks as _tasks  # noqa: F401 - registers the job and its failure hook
from app.dossiers.models import BuildState, DossierBuild
from app.dossiers.schemas import SummaryInput
from app.errors import Conflict, NotFound
from app.jobs.models import Job, JobState
from app.jobs.worker import claim, recover_stale
from app.submissions.models import Paper, PaperVersion
from tests.dossiers.world import DossierWorld

RunJobs = Callable[[], int]


def _jobs(db: Session) -> list[Job]:
    return list(db.scalars(select(Job).where(Job.kind == builds.BUILD_JOB).order_by(Job.id)))


def _fresh(db: Session, build: DossierBuild) -> DossierBuild:
    db.flush()
    db.refresh(build)
    return build


def _version(db: Session, paper: Paper) -> PaperVersion:
    stmt = select(PaperVersion).where(PaperVersion.paper_id == paper.id)
    return db.scalars(stmt.order_by(PaperVersion.number.desc()).limit(1)).one()


def test_a_build_freezes_the_snapshot_and_queues_a_job(db: Session, dw: DossierWorld) -> None:
    paper = dw.paper(title="Fair recruitment")
    view = service.dossier_view(db, dw.meeting)
    service.set_summary(db, dw.organiser, view, dw.item.id, SummaryInput(summary="Our view"))
    build = builds.start_build(db, dw.organiser, dw.meeting)
    assert (build.number, build.state, build.built_by_id) == (1, BuildState.queued, dw.organiser.id)
    frozen = build.snapshot
    assert frozen["process_title"] == "Issyk-Kul Dialogue"
    assert frozen["built_by"] == dw.organiser.name
    first = frozen["sections"][0]
    assert (first["number"], first["summary"]) == ("1", "Our view")
    version = _version(db, paper)
    assert {k: first["papers"][0][k] for k in ("paper_id", "version_id", "sha256", "title")} == {
        "paper_id": paper.id, "version_id": version.id, "sha256": version.sha256,
        "title": "Fair recruitment",
    }  # fmt: skip
    assert [j.payload for j in _jobs(db)] == [{"build_id": build.id}]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.build")).one()
    assert event.after == {"meeting_id": dw.meeting.id, "number": 1, "version_ids": [version.id]}


def test_later_changes_do_not_reach_a_started_build(db: Session, dw: DossierWorld) -> None:
    paper = dw.paper(title="Before")
    build = builds.start_build(db, dw.organiser, dw.meeting)
    paper.title = "After"
    view = service.dossier_view(db, dw.meeting)
    service.set_summary(db, dw.organiser, view, dw.item.id, SummaryInput(summary="Changed"))
    db.flush()
    build = _fresh(db, build)
    spec = snapshot.to_spec(build.snapshot, build.number, build.created_at, lambda _p: None)
    assert spec.sections[0].papers[0].title == "Before"
    assert spec.sections[0].summary == ""
    second = builds.start_build(db, dw.organiser, dw.meeting)
    assert second.number == 2
    assert second.snapshot["sections"][0]["papers"][0]["title"] == "After"


def test_anonymous_papers_keep_their_names_out(db: Session, dw: DossierWorld) -> None:
    from app.submissions.models import Consent

    dw.paper(consent=Consent.public_anonymous)
    build = builds.start_build(db, dw.organiser, dw.meeting)
    frozen = build.snapshot["sections"][0]["papers"][0]
    assert frozen["anonymous"] and frozen["organisations"] == [] and frozen["country"] == ""
    assert build.snapshot["contributors"] == []
    spec = snapshot.to_spec(build.snapshot, 1, build.created_at, lambda _p: None)
    assert dw.org.name not in spec.sections[0].papers[0].organisations[0]


def test_downloads_need_a_succeeded_build(db: Session, dw: DossierWorld) -> None:
    with pytest.raises(NotFound):
        builds.require_latest(db, dw.meeting)
    build = builds.start_build(db, dw.organiser, dw.meeting)
    with pytest.raises(Conflict):
        builds.require_files(build)
    build.state = BuildState.failed
    with pytest.raises(Conflict):
        builds.require_files(build)


def test_a_missing_paper_file_fails_the_build_and_a_rebuild_works(
    db: Session, dw: DossierWorld, run_jobs: RunJobs
) -> None:
    paper = dw.paper(pages=2)
    key = _version(db, paper).file_key
    data = dw.storage.open(key).read()
    dw.storage.delete(key)
    build = builds.start_build(db, dw.organiser, dw.meeting)
    assert run_jobs() == 1
    build = _fresh(db, build)
    assert build.state is BuildState.failed
    assert paper.tracking_number in build.error and "missing from storage" in build.error
    assert build.pdf_key is None and build.zip_key is None and build.finished_at
    assert _jobs(db)[0].state is JobState.failed  # failed for good, not retried
    with pytest.raises(Conflict):
        builds.require_files(build)
    with pytest.raises(NotFound):
        builds.require_latest(db, dw.meeting)

    from tests.factories import store_version_file

    store_version_file(db, dw.storage, paper, data, pages=2)  # the file is back
    rebuild = builds.start_build(db, dw.organiser, dw.meeting)
    assert run_jobs() == 1
    rebuild = _fresh(db, rebuild)
    assert (rebuild.number, rebuild.state) == (2, BuildState.succeeded), rebuild.error
    assert builds.require_latest(db, dw.meeting).id == rebuild.id


def test_a_build_whose_worker_died_is_failed_by_stale_recovery(
    db: Session, dw: DossierWorld, run_jobs: RunJobs
) -> None:
    dw.paper(pages=1)
    build = builds.start_build(db, dw.organiser, dw.meeting)
    job = claim(db, "worker-that-dies")  # a worker takes the job, starts the build, and dies
    assert job is not None and job.payload == {"build_id": build.id}
    build.state, build.started_at, build.progress = BuildState.running, utcnow(), 15
    job.locked_at = utcnow() - timedelta(minutes=10)  # no heartbeat since
    db.flush()
    assert recover_stale(db) == 1
    build = _fresh(db, build)
    assert build.state is BuildState.failed
    assert "stopped before it finished" in build.error and build.pdf_key is None
    assert run_jobs() == 0  # the job is not retried: a build is one attempt
    rebuild = builds.start_build(db, dw.organiser, dw.meeting)
    assert run_jobs() == 1
    assert _fresh(db, rebuild).state is BuildState.succeeded


def test_a_second_build_waits_while_the_first_runs(
    db: Session, dw: DossierWorld, run_jobs: RunJobs
) -> None:
    dw.paper(pages=1)
    first = builds.start_build(db, dw.organiser, dw.meeting)
    second = builds.start_build(db, dw.organiser, dw.meeting)
    claimed = claim(db, "another-worker")  # another worker is busy with the first build
    assert claimed is not None and claimed.payload == {"build_id": first.id}
    first.state, first.started_at = BuildState.running, utcnow()
    db.flush()

    assert run_jobs() == 1  # the second build's job ran, saw the first running, and re-queued
    assert _fresh(db, second).state is BuildState.queued
    assert "Waiting" in _fresh(db, second).progress_note
    waiting = [j for j in _jobs(db) if j.state is JobState.queued]
    assert [j.payload for j in waiting] == [{"build_id": second.id, "waits": 1}]
    assert waiting[0].run_after > utcnow()

    first = _fresh(db, first)
    builds.mark_failed(first, "stopped for the test")
    waiting[0].run_after = utcnow()
    db.flush()
    assert run_jobs() == 1
    second = _fresh(db, second)
    assert second.state is BuildState.succeeded, second.error
    assert second.started_at and second.started_at >= first.finished_at  # type: ignore[operator]


def test_a_finished_build_is_not_run_again(
    db: Session, dw: DossierWorld, run_jobs: RunJobs
) -> None:
    build = builds.start_build(db, dw.organiser, dw.meeting)
    builds.mark_failed(build, "failed already")
    db.flush()
    assert run_jobs() == 1
    assert _fresh(db, build).error == "failed already"
