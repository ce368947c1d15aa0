"""Who may triage papers and which decisions are possible. Pure functions, tested directly.

- Moderators and organisers of a process (and platform administrators) triage its papers:
  they decide, stage, revert, assign and route. Anyone else sees nothing of the queue.
- Only organisers (and administrators) release staged decisions and keep the reason codes:
  the moment organisations learn their outcomes is the organisers' call.

Workflow: submitted -> in_review -> accepted | rejected | revision_requested. A moderator may
decide straight from `submitted` (triage is faster without a separate "start review" step), and
may change a decision (accepted -> rejected, or back to in_review to reconsider). Withdrawn
papers are final and drafts are not the moderators' business; moderators never set
`submitted`, `draft` or `withdrawn` (the organisation's own revision and withdrawal do).
"""

from __future__ import annotations

from app.consultations.service import ProcessPermissions
from app.submissions.models import PaperStatus

DECIDABLE = frozenset(
    {
        PaperStatus.in_review,
        PaperStatus.accepted,
        PaperStatus.rejected,
        PaperStatus.revision_requested,
    }
)
"""Statuses a moderator can set."""

FINAL = frozenset({PaperStatus.draft, PaperStatus.withdrawn})
"""Statuses no decision leaves."""

REASON_REQUIRED = frozenset({PaperStatus.rejected, PaperStatus.revision_requested})
"""The organisation must learn why."""

NOTIFIED = frozenset({PaperStatus.accepted, PaperStatus.rejected, PaperStatus.revision_requested})
"""Outcomes the organisation is e-mailed about when they are announced."""


def can_triage(permissions: ProcessPermissions) -> bool:
    """See the queue and papers of the process, decide, stage, revert, assign, route."""
    return permissions.moderate


def can_release(permissions: ProcessPermissions) -> bool:
    """Release the staged decisions of a meeting to the organisations."""
    return permissions.organise


def can_manage_reason_codes(permissions: ProcessPermissions) -> bool:
    return permissions.organise


def can_transition(current: PaperStatus, target: PaperStatus) -> bool:
    return current not in FINAL and target in DECIDABLE and target is not current


def allowed_targets(current: PaperStatus) -> list[PaperStatus]:
    """The decisions possible now, in workflow order."""
    order = [
        PaperStatus.in_review,
        PaperStatus.accepted,
        PaperStatus.rejected,
        PaperStatus.revision_requested,
    ]
    return [status for status in order if can_transition(current, status)]


def needs_reason(target: PaperStatus) -> bool:
    return target in REASON_REQUIRED


def can_route(status: PaperStatus) -> bool:
    """Only accepted papers go into the dossier."""
    return status is PaperStatus.accepted


def is_notified(previous: PaperStatus, announced: PaperStatus) -> bool:
    """Whether announcing `announced` (the organisation knew `previous`) sends an e-mail: an
    outcome, or a decided paper taken back into review; not the start of a review."""
    if announced is previous:
        return False
    if announced in NOTIFIED:
        return True
    return announced is PaperStatus.in_review and previous in NOTIFIED
