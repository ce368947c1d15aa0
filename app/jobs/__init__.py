"""Background jobs whose state lives in our database.

Code inside a transaction calls `enqueue(session, kind, payload)`: the job row commits with the
work that asked for it, and a rollback drops it. Workers (`app.jobs.worker`) claim queued jobs,
run the handler registered for their kind, and retry failures with back-off. Domains register
handlers with `@handler("kind")`; the core never imports a domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.jobs.models import Job, JobState

_WAKE = "plenary_wake_workers"


@dataclass
class JobContext:
    job_id: int
    payload: dict[str, Any]
    attempt: int
    settings: Settings
    sessionmaker: sessionmaker[Session] | Callable[[], Session]


Handler = Callable[[JobContext], None]
# Called in the transaction that marks a job failed for good (also when its worker died).
FailureHook = Callable[[Session, dict[str, Any], str], None]
HANDLERS: dict[str, Handler] = {}
FAILURE_HOOKS: dict[str, FailureHook] = {}
# Called by the worker loop about once a minute, each in its own transaction, with the time.
# They must be idempotent: several workers may call them, and a minute may be skipped.
Periodic = Callable[[Session, datetime], object]
PERIODIC: dict[str, Periodic] = {}


def handler(kind: str, *, on_failure: FailureHook | None = None) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if kind in HANDLERS and HANDLERS[kind] is not fn:
            raise RuntimeError(f"two handlers for job kind {kind!r}")
        HANDLERS[kind] = fn
        if on_failure is not None:
            FAILURE_HOOKS[kind] = on_failure
        return fn

    return register


def periodic(name: str) -> Callable[[Periodic], Periodic]:
    """Register a function the worker calls about once a minute (see `PERIODIC`)."""

    def register(fn: Periodic) -> Periodic:
        if name in PERIODIC and PERIODIC[name] is not fn:
            raise RuntimeError(f"two periodic functions named {name!r}")
        PERIODIC[name] = fn
        return fn

    return register


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help; the job fails at once."""


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    run_after: datetime | None = None,
    max_attempts: int = 5,
) -> Job:
    job = Job(kind=kind, payload=payload, max_attempts=max_attempts, state=JobState.queued)
    if run_after is not None:
        job.run_after = run_after
    session.add(job)
    session.flush()
    session.info[_WAKE] = True
    return job


def wants_wake(session: Session) -> bool:
    """Whether this transaction queued work (the request then nudges the in-process worker)."""
    return bool(session.info.pop(_WAKE, False))


__all__ = [
    "FAILURE_HOOKS",
    "HANDLERS",
    "PERIODIC",
    "Job",
    "JobContext",
    "JobState",
    "PermanentFailure",
    "enqueue",
    "handler",
    "periodic",
    "wants_wake",
]
