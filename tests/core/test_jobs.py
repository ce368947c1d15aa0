"""The job queue: claiming, retries with back-off, permanent failures, dead workers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app import jobs
from app.config import Settings
from app.db import utcnow
from app.jobs.models import Job, JobState
from app.jobs.worker import claim, recover_stale, run_one
from tests.conftest import _session_on

calls: list[dict[str, Any]] = []
failures: list[tuple[dict[str, Any], str]] = []


@jobs.handler("test.echo")
def _echo(context: jobs.JobContext) -> None:
    calls.append(context.payload)
    if context.payload.get("fail_times", 0) >= context.attempt:
        raise RuntimeError(f"attempt {context.attempt} fails")
    if context.payload.get("permanent"):
        raise jobs.PermanentFailure("cannot ever work")


def _record_failure(session: Session, payload: dict[str, Any], error: str) -> None:
    failures.append((payload, error))


@jobs.handler("test.fragile", on_failure=_record_failure)
def _fragile(context: jobs.JobContext) -> None:
    raise RuntimeError("broken")


@pytest.fixture(autouse=True)
def _clear() -> None:
    calls.clear()
    failures.clear()


def _factory(connection: Connection) -> Callable[[], Session]:
    return lambda: _session_on(connection)


def test_a_job_runs_once_and_succeeds(
    db: Session, connection: Connection, settings: Settings
) -> None:
    job = jobs.enqueue(db, "test.echo", {"n": 1})
    db.flush()
    assert run_one(_factory(connection), settings) is True
    assert run_one(_factory(connection), settings) is False
    db.refresh(job)
    assert job.state == JobState.succeeded
    assert calls == [{"n": 1}]


def test_failures_are_retried_with_backoff_then_succeed(
    db: Session, connection: Connection, settings: Settings
) -> None:
    job = jobs.enqueue(db, "test.echo", {"fail_times": 1})
    db.flush()
    run_one(_factory(connection), settings)
    db.refresh(job)
    assert job.state == JobState.queued
    assert job.run_after > utcnow()
    assert "attempt 1 fails" in job.last_error
    assert run_one(_factory(connection), settings) is False  # not due yet
    job.run_after = utcnow() - timedelta(seconds=1)
    db.flush()
    run_one(_factory(connection), settings)
    db.refresh(job)
    assert job.state == JobState.succeeded
    assert job.attempts == 2


def test_permanent_failure_and_spent_attempts_fail_the_job(
    db: Session, connection: Connection, settings: Settings
) -> None:
    permanent = jobs.enqueue(db, "test.echo", {"permanent": True})
    spent = jobs.enqueue(db, "test.fragile", {"id": 7}, max_attempts=1)
    unknown = jobs.enqueue(db, "test.nobody-handles-this", {})
    db.flush()
    while run_one(_factory(connection), settings):
        pass
    for job in (permanent, spent, unknown):
        db.refresh(job)
        assert job.state == JobState.failed
    assert "no handler" in unknown.last_error
    assert failures == [({"id": 7}, "RuntimeError: broken")]


def test_a_job_whose_worker_died_is_recovered(db: Session, settings: Settings) -> None:
    retried = jobs.enqueue(db, "test.echo", {}, max_attempts=3)
    spent = jobs.enqueue(db, "test.fragile", {"id": 9}, max_attempts=1)
    fresh = jobs.enqueue(db, "test.echo", {})
    db.flush()
    for _ in range(3):
        assert claim(db, "dead-worker") is not None
    stale = utcnow() - timedelta(minutes=10)
    retried.locked_at = spent.locked_at = stale
    db.flush()
    assert recover_stale(db) == 2
    db.flush()
    for job in (retried, spent, fresh):
        db.refresh(job)
    assert retried.state == JobState.queued
    assert spent.state == JobState.failed
    assert "worker running this job stopped" in spent.last_error
    assert failures == [({"id": 9}, spent.last_error)]
    assert fresh.state == JobState.running  # its worker is alive (recent heartbeat)


def test_claim_takes_each_job_once(db: Session) -> None:
    jobs.enqueue(db, "test.echo", {})
    db.flush()
    first = claim(db, "a")
    second = claim(db, "b")
    assert first is not None
    assert second is None
    assert isinstance(first, Job)
