"""Claiming and running jobs: one at a time per worker, safe with several workers.

PostgreSQL: the claim uses FOR UPDATE SKIP LOCKED. SQLite: writes are serialised, so the
conditional UPDATE is atomic on its own.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import utcnow
from app.jobs import FAILURE_HOOKS, HANDLERS, PERIODIC, JobContext, PermanentFailure
from app.jobs.models import Job, JobState

log = logging.getLogger(__name__)
SessionFactory = Callable[[], Session]

MAX_BACKOFF_S = 3600
HEARTBEAT_S = 15.0
# A running job whose worker has not sent a heartbeat for this long is taken to be dead.
LEASE = timedelta(minutes=2)
RECOVER_EVERY_S = 30.0
PERIODIC_EVERY_S = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_S, 5 * 2 ** (attempt - 1)))


def claim(session: Session, name: str) -> Job | None:
    now = utcnow()
    candidate = (
        select(Job.id)
        .where(Job.state == JobState.queued, Job.run_after <= now)
        .order_by(Job.run_after, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = session.execute(
        update(Job)
        .where(Job.id == candidate, Job.state == JobState.queued)
        .values(state=JobState.running, locked_at=now, locked_by=name, attempts=Job.attempts + 1)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    return session.get(Job, claimed, populate_existing=True)


def _finish(session: Session, job_id: int, error: BaseException | None) -> None:
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        return
    now = utcnow()
    if error is None:
        job.state = JobState.succeeded
        job.finished_at = now
        job.last_error = ""
        return
    job.last_error = f"{type(error).__name__}: {error}"[:4000]
    if isinstance(error, PermanentFailure) or job.attempts >= job.max_attempts:
        job.state = JobState.failed
        job.finished_at = now
        hook = FAILURE_HOOKS.get(job.kind)
        if hook is not None:
            hook(session, dict(job.payload), job.last_error)
    else:
        job.state = JobState.queued
        job.run_after = now + backoff(job.attempts)


def _heartbeat(
    session_factory: SessionFactory, job_id: int, every_s: float, stop: threading.Event
) -> None:
    """Tell other workers this job's worker is alive, so a long job is not taken for dead."""
    while not stop.wait(every_s):
        try:
            with session_factory() as session, session.begin():
                session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state == JobState.running)
                    .values(locked_at=utcnow())
                )
        except Exception:
            log.exception("heartbeat of job %s failed", job_id)


def run_one(
    session_factory: SessionFactory,
    settings: Settings,
    name: str | None = None,
    *,
    heartbeat_s: float | None = None,
) -> bool:
    """Claim and run one due job; returns False when there was none.

    With `heartbeat_s`, a side thread refreshes the job's lease while it runs (the worker
    thread does this; tests run jobs without it, on one shared connection)."""
    name = name or worker_name()
    with session_factory() as session, session.begin():
        job = claim(session, name)
        if job is None:
            return False
        job_id, kind, payload, attempt = job.id, job.kind, dict(job.payload), job.attempts
    context = JobContext(job_id, payload, attempt, settings, session_factory)
    error: BaseException | None = None
    fn = HANDLERS.get(kind)
    stop = threading.Event()
    beat = None
    if heartbeat_s:
        beat = threading.Thread(
            target=_heartbeat, args=(session_factory, job_id, heartbeat_s, stop), daemon=True
        )
        beat.start()
    try:
        if fn is None:
            raise PermanentFailure(f"no handler for job kind {kind!r}")
        fn(context)
    except Exception as exc:  # the job records it; the worker goes on
        log.warning("job %s (%s) attempt %s failed: %s", job_id, kind, attempt, exc)
        error = exc
    finally:
        stop.set()
        if beat is not None:
            beat.join()
    with session_factory() as session, session.begin():
        _finish(session, job_id, error)
    return True


def run_until_idle(session_factory: SessionFactory, settings: Settings, limit: int = 1000) -> int:
    """Run due jobs until none is left (tests and `plenary worker --once`)."""
    done = 0
    while done < limit and run_one(session_factory, settings):
        done += 1
    return done


def recover_stale(session: Session, lease: timedelta = LEASE) -> int:
    """Jobs left `running` by a worker that died go back to the queue (or fail when spent)."""
    cutoff = utcnow() - lease
    stale = list(
        session.scalars(select(Job).where(Job.state == JobState.running, Job.locked_at < cutoff))
    )
    for job in stale:
        _finish(session, job.id, RuntimeError("the worker running this job stopped"))
    return len(stale)


def run_periodic(session_factory: SessionFactory) -> int:
    """Call every registered periodic function once, each in its own transaction."""
    ran = 0
    for name, fn in list(PERIODIC.items()):
        try:
            with session_factory() as session, session.begin():
                fn(session, utcnow())
            ran += 1
        except Exception:
            log.exception("periodic task %s failed", name)
    return ran


class WorkerThread:
    """The embedded worker of `plenary serve`: a thread beside the web server."""

    def __init__(
        self, session_factory: SessionFactory, settings: Settings, poll_s: float = 2.0
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="plenary-worker", daemon=True)

    def start(self) -> None:
        with self.session_factory() as session, session.begin():
            recover_stale(session)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        name = worker_name()
        last_recovery = time.monotonic()
        last_periodic = time.monotonic() - PERIODIC_EVERY_S
        while not self._stop.is_set():
            try:
                if time.monotonic() - last_periodic >= PERIODIC_EVERY_S:
                    last_periodic = time.monotonic()
                    run_periodic(self.session_factory)
                if time.monotonic() - last_recovery > RECOVER_EVERY_S:
                    with self.session_factory() as session, session.begin():
                        recover_stale(session)
                    last_recovery = time.monotonic()
                busy = run_one(self.session_factory, self.settings, name, heartbeat_s=HEARTBEAT_S)
            except Exception:
                log.exception("worker loop error")
                busy = False
            if not busy:
                self._wake.wait(self.poll_s)
                self._wake.clear()
