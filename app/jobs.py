"""Side effects that must wait for the transaction to commit (e-mail now; conversions later).

Code inside a transaction calls after_commit(session, fn); the request or task that owns the
transaction runs them once it has committed, and drops them on rollback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_AFTER_COMMIT = "plenary_after_commit"
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="plenary-job")


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    session.info.setdefault(_AFTER_COMMIT, []).append(fn)


def discard_pending(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def run_pending(session: Session) -> list[Future[None]]:
    """Hand the committed transaction's side effects to the in-process worker."""
    pending: list[Callable[[], None]] = session.info.pop(_AFTER_COMMIT, [])
    return [_executor.submit(_guarded, fn) for fn in pending]


def _guarded(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:
        log.exception("background job %r failed", fn)
