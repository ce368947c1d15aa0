"""Changing a submitted paper: a new version (history kept, none overwritten) or withdrawal.

Until the paper's deadline its organisation may do both; afterwards only organisers. As for
submitting, the checks run before the file is read and again before the rows are written.
A stale `lock_version` (a repeated click, or someone else changed the paper) is a conflict.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.accounts.models import User
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, Forbidden
from app.i18n import N_
from app.i18n import gettext as _
from app.storage import Storage
from app.submissions import policies, receipt, service, submit, tasks, window
from app.submissions.models import Paper, PaperStatus, PaperVersion
from app.submissions.policies import PaperAccess
from app.submissions.uploads import ReceivedFile

STALE = N_(
    "This paper has changed since you opened the page (perhaps the form was sent twice). "
    "Reload the page to see its current state."
)


def _check_lock(paper: Paper, lock_version: int | None) -> None:
    if lock_version is not None and lock_version != paper.lock_version:
        raise Conflict(STALE)


def check_revision(
    session: Session,
    access: PaperAccess,
    paper: Paper,
    lock_version: int | None,
    now: datetime,
) -> None:
    _check_lock(paper, lock_version)
    if paper.status is PaperStatus.withdrawn:
        raise Conflict(_("This paper was withdrawn; submit a new paper instead."))
    before = service.before_deadline(session, paper, now)
    # The organisation's rights follow what it was told: a staged decision must not show.
    known = paper.announced_status
    if not policies.can_revise(access, known, before_deadline=before):
        if access.member and not before:
            deadline = service.paper_deadline(session, paper)
            raise Forbidden(window.deadline_problem(paper.meeting, deadline))
        if access.member:
            raise Forbidden(_("This paper can no longer be revised in its current state."))
        raise Forbidden(_("Only the paper's organisation and the organisers can revise it."))


def add_version(
    session: Session,
    settings: Settings,
    storage: Storage,
    user: User,
    access: PaperAccess,
    paper: Paper,
    received: ReceivedFile,
    lock_version: int | None,
    now: datetime | None = None,
) -> Paper:
    """Store the received file as the paper's next version (the file is deleted on failure)."""
    now = now or utcnow()
    try:
        check_revision(session, access, paper, lock_version, now)
        with session.begin_nested():  # a failure undoes only these writes
            version = _append_version(session, user, paper, received, now)
            tasks.queue_processing(session, version)
            receipt.queue_receipt_mail(session, settings, user, paper, revised=True)
    except BaseException:
        storage.delete(received.key)
        raise
    return paper


def _append_version(
    session: Session, user: User, paper: Paper, received: ReceivedFile, now: datetime
) -> PaperVersion:
    number = max((v.number for v in paper.versions), default=0) + 1
    version = submit.new_version(paper.id, number, received, user, now)
    paper.versions.append(version)
    before = {"status": paper.status.value}
    # A revision answers a request for one: back to the moderators. (A decision staged since
    # the request stands; the organisation is told it on release.)
    if paper.status is PaperStatus.revision_requested:
        paper.status = PaperStatus.submitted
    if paper.announced_status is PaperStatus.revision_requested:
        paper.announced_status = PaperStatus.submitted
    paper.updated_at = now
    try:
        session.flush()
    except (IntegrityError, StaleDataError):  # another request changed the paper meanwhile
        raise Conflict(STALE) from None
    audit.record(
        session,
        user,
        "paper.revise",
        "paper",
        paper.id,
        before,
        {"status": paper.status.value, **submit.version_summary(version)},
    )
    return version


def withdraw(
    session: Session,
    user: User,
    access: PaperAccess,
    paper: Paper,
    lock_version: int | None = None,
    now: datetime | None = None,
) -> Paper:
    now = now or utcnow()
    _check_lock(paper, lock_version)
    if paper.status is PaperStatus.withdrawn:
        raise Conflict(_("This paper has already been withdrawn."))
    before_deadline = service.before_deadline(session, paper, now)
    known = paper.announced_status  # what the organisation was told (not a staged decision)
    if not policies.can_withdraw(access, known, before_deadline=before_deadline):
        if access.member and not before_deadline:
            deadline = service.paper_deadline(session, paper)
            raise Forbidden(window.deadline_problem(paper.meeting, deadline))
        if access.member:
            raise Forbidden(_("This paper can no longer be withdrawn in its current state."))
        raise Forbidden(_("Only the paper's organisation and the organisers can withdraw it."))
    before = {"status": paper.status.value}
    paper.status = paper.announced_status = PaperStatus.withdrawn
    paper.withdrawn_at = now
    paper.updated_at = now
    session.flush()
    audit.record(
        session, user, "paper.withdraw", "paper", paper.id, before, {"status": "withdrawn"}
    )
    return paper
