"""Decisions on papers: deciding, staging, reverting and releasing. Flushes, never commits.

Every change of a paper is checked against the lock version the moderator saw (the form's
`lock_version`) and runs in a savepoint: if someone else changed the paper in between — seen
either by the lock version the form carries, or by the database refusing the update
(`version_id_col`) — the change is undone, a PaperConflict (409) is raised, and the caller can
show the paper's current state. Nothing is ever overwritten silently.

`paper.status` is what the moderators decided; `paper.announced_status` is what the
organisation has been told. A decision that is not staged is announced at once (with an
e-mail); a staged one changes only `status` until an organiser releases the meeting's batch.
Assignment and routing are in assignment.py, bulk actions in bulk.py, reason codes in reasons.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.accounts.models import User
from app.config import Settings
from app.consultations.models import Meeting
from app.db import utcnow
from app.errors import Conflict, FormError, NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.moderation import notify, policies, repository
from app.moderation.models import Decision, ReasonCode
from app.moderation.schemas import DecisionCreate, ReleaseRead
from app.submissions.models import Paper, PaperStatus

T = TypeVar("T")
# Completes "it is now …" in messages; translated where shown.
STATUS_LABELS = {
    PaperStatus.draft: N_("a draft"),
    PaperStatus.submitted: N_("submitted"),
    PaperStatus.in_review: N_("in review"),
    PaperStatus.accepted: N_("accepted"),
    PaperStatus.rejected: N_("not accepted"),
    PaperStatus.revision_requested: N_("waiting for a revision"),
    PaperStatus.withdrawn: N_("withdrawn"),
}


def status_phrase(status: PaperStatus) -> str:
    label = STATUS_LABELS.get(status)
    return _(label) if label else status.value


REASON_NEEDED = N_("Give a reason: choose one from the list, or explain in the text field.")


class PaperConflict(Conflict):
    """The paper changed since the moderator loaded it; nothing was changed."""

    def __init__(self, paper: Paper, message: str | None = None) -> None:
        super().__init__(message or stale_message(paper))
        self.paper_id = paper.id


def stale_message(paper: Paper) -> str:
    return _(
        "Someone else changed “%(title)s” after you loaded it: it is now %(status)s. "
        "Nothing was changed. Check its current state below, then try again."
    ) % {"title": paper.title, "status": status_phrase(paper.status)}


def check_lock(paper: Paper, lock_version: int) -> None:
    if lock_version != paper.lock_version:
        raise PaperConflict(paper)


def guarded(session: Session, paper: Paper, change: Callable[[], T]) -> T:
    """Run `change` in a savepoint; an update the database refuses (the paper's lock version
    moved on meanwhile) undoes it and becomes a PaperConflict."""
    try:
        with session.begin_nested():
            result = change()
            session.flush()
            return result
    except StaleDataError:
        fresh = repository.get_paper(session, paper.id, fresh=True)
        raise PaperConflict(fresh or paper) from None


def state(paper: Paper) -> dict[str, Any]:
    """What the audit log keeps of a paper's moderation state."""
    return {
        "status": paper.status.value,
        "announced_status": paper.announced_status.value,
        "assignee_id": paper.assignee_id,
        "routed_item_id": paper.routed_item_id,
    }


# --- reasons -----------------------------------------------------------------------------------


def reason_for(session: Session, process_id: int, code: str) -> ReasonCode | None:
    """The active reason code named `code` (None for ""), or a FormError."""
    if not code:
        return None
    reason = repository.find_reason_code(session, process_id, code)
    if reason is None or not reason.active:
        raise FormError({"reason_code": _("Choose a reason from this process's list.")})
    return reason


def check_reason(target: PaperStatus, reason: ReasonCode | None, text: str) -> None:
    if policies.needs_reason(target) and reason is None and not text:
        raise FormError({"reason_code": REASON_NEEDED}, REASON_NEEDED)


def check_target(paper: Paper, target: PaperStatus) -> None:
    if target not in policies.DECIDABLE:
        raise FormError(
            {"to_status": _("Moderators can only set: in review, accepted, rejected, revision.")}
        )
    if not policies.can_transition(paper.status, target):
        raise Conflict(
            _("“%(title)s” is %(status)s; it cannot become that.")
            % {"title": paper.title, "status": status_phrase(paper.status)}
        )


# --- deciding ----------------------------------------------------------------------------------


def default_route(paper: Paper) -> None:
    """Accepted papers go to their first agenda item unless routed already; others nowhere."""
    if paper.status is not PaperStatus.accepted:
        paper.routed_item_id = None
    elif paper.routed_item_id is None and paper.agenda_links:
        first = min(paper.agenda_links, key=lambda link: link.agenda_item.position)
        paper.routed_item_id = first.agenda_item_id


def announced(
    session: Session,
    settings: Settings,
    actor: User,
    paper: Paper,
    previous: PaperStatus,
    decision: Decision | None,
    reason: ReasonCode | None,
) -> bool:
    """After `paper.announced_status` changed from `previous`: audit it, and e-mail the
    organisation when it is news (an outcome, or a decision taken back)."""
    if paper.announced_status is previous:
        return False
    audit.record(
        session,
        actor,
        "paper.announce",
        "paper",
        paper.id,
        {"status": previous.value},
        {"status": paper.announced_status.value},
    )
    if policies.is_notified(previous, paper.announced_status):
        notify.queue_decision_mail(session, settings, paper, decision, reason)
    return True


def decide(
    session: Session,
    settings: Settings,
    actor: User,
    paper: Paper,
    data: DecisionCreate,
    now: datetime | None = None,
) -> Decision:
    """Record a decision; announce it now unless it is staged."""
    now = now or utcnow()
    check_lock(paper, data.lock_version)
    check_target(paper, data.to_status)
    reason = reason_for(session, paper.meeting.process_id, data.reason_code)
    check_reason(data.to_status, reason, data.reason)
    before = state(paper)
    decision = Decision(
        paper_id=paper.id,
        from_status=paper.status,
        to_status=data.to_status,
        reason_code=reason.code if reason else "",
        reason=data.reason,
        moderator_id=actor.id,
        staged=data.staged,
        created_at=now,
    )

    previous = paper.announced_status

    def change() -> None:
        session.add(decision)
        paper.status = data.to_status
        paper.updated_at = now
        default_route(paper)
        if not data.staged:
            decision.released_at = now
            paper.announced_status = data.to_status

    guarded(session, paper, change)
    after = state(paper) | {
        "decision_id": decision.id,
        "staged": decision.staged,
        "reason_code": decision.reason_code,
        "reason": decision.reason,
    }
    audit.record(session, actor, "paper.decide", "paper", paper.id, before, after)
    announced(session, settings, actor, paper, previous, decision, reason)
    return decision


def revert(
    session: Session, actor: User, paper: Paper, decision_id: int, lock_version: int
) -> Decision:
    """Undo a staged decision that was not released: the paper gets its previous status."""
    check_lock(paper, lock_version)
    decision = repository.get_decision(session, decision_id)
    if decision is None or decision.paper_id != paper.id:
        raise NotFound(_("This paper has no such decision."))
    if not decision.staged or decision.released_at is not None or decision.reverted_at:
        raise Conflict(_("Only a staged decision that was not released yet can be reverted."))
    latest = repository.latest_decision(session, paper.id)
    if latest is None or latest.id != decision.id or paper.status is not decision.to_status:
        raise Conflict(_("A later decision was made on this paper; revert that one first."))
    before = state(paper)
    now = utcnow()

    def change() -> None:
        decision.reverted_at = now
        paper.status = decision.from_status
        paper.updated_at = now
        default_route(paper)

    guarded(session, paper, change)
    after = state(paper) | {"decision_id": decision.id}
    audit.record(session, actor, "paper.decision.revert", "paper", paper.id, before, after)
    return decision


# --- releasing ---------------------------------------------------------------------------------


def staged_count(session: Session, meeting: Meeting) -> int:
    return repository.count_pending_staged(session, meeting.id)


def release(session: Session, settings: Settings, actor: User, meeting: Meeting) -> ReleaseRead:
    """Announce every staged decision of the meeting at once, each organisation by e-mail."""
    now = utcnow()
    pending = repository.pending_staged(session, meeting.id)
    latest = {decision.paper_id: decision for decision in pending}  # oldest first: last wins
    told: list[tuple[Paper, PaperStatus, Decision | None]] = []
    try:
        with session.begin_nested():
            for decision in pending:
                decision.released_at = now
            for decision in latest.values():
                paper = decision.paper
                if paper.status is PaperStatus.withdrawn or paper.status is paper.announced_status:
                    continue
                final = decision if decision.to_status is paper.status else None
                told.append((paper, paper.announced_status, final))
                paper.announced_status = paper.status
            session.flush()
    except StaleDataError:
        raise Conflict(
            _(
                "Some papers changed while the decisions were being released. Nothing was "
                "released; try again."
            )
        ) from None
    for paper, previous, final in told:
        reason = None
        if final is not None and final.reason_code:
            reason = repository.find_reason_code(session, meeting.process_id, final.reason_code)
        announced(session, settings, actor, paper, previous, final, reason)
    notified = len(told)
    if pending:
        audit.record(
            session,
            actor,
            "meeting.decisions.release",
            "meeting",
            meeting.id,
            None,
            {"decision_ids": [d.id for d in pending], "notified": notified},
        )
    return ReleaseRead(released=len(pending), notified=notified)


# --- history -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    actor: str
    before: dict[str, Any]
    after: dict[str, Any]


def decisions_of(session: Session, paper: Paper) -> list[Decision]:
    return repository.decisions_of(session, paper.id)


def audit_history(session: Session, paper: Paper) -> list[AuditEntry]:
    events = repository.paper_audit_events(session, paper.id)
    users = repository.users_by_id(session, {e.actor_id for e in events if e.actor_id})
    return [
        AuditEntry(
            at=event.created_at,
            action=event.action,
            actor=users[event.actor_id].display_name if event.actor_id in users else "—",
            before=event.before or {},
            after=event.after or {},
        )
        for event in events
    ]
