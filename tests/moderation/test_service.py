"""Decisions, staging, reverting, releasing, assignment and routing, through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.errors import Conflict, FormError, NotFound
from app.moderation import assignment, reasons, repository, service
from app.moderation.models import Decision
from app.moderation.schemas import DecisionCreate, ReasonCodeCreate
from app.moderation.service import PaperConflict
from app.submissions.models import Paper, PaperStatus
from tests.moderation.papers_world import Triage
from tests.support.smtp import SmtpServer, body_text

S = PaperStatus


def load(db: Session, paper: Paper) -> Paper:
    loaded = repository.get_paper(db, paper.id, fresh=True)
    assert loaded is not None
    return loaded


def decide(db: Session, settings: Settings, actor: Any, paper: Paper, to: S, **kw: Any) -> Decision:
    paper = load(db, paper)
    values: dict[str, Any] = {"to_status": to, "lock_version": paper.lock_version}
    if to in (S.rejected, S.revision_requested):
        values["reason_code"] = "off-topic"
    values.update(kw)
    return service.decide(db, settings, actor, paper, DecisionCreate(**values))


def actions(db: Session, paper: Paper) -> list[str]:
    stmt = select(AuditEvent.action).where(
        AuditEvent.object_type == "paper", AuditEvent.object_id == paper.id
    )
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


# --- transitions --------------------------------------------------------------------------------

VALID = [
    (S.submitted, S.in_review),
    (S.submitted, S.accepted),
    (S.submitted, S.rejected),
    (S.submitted, S.revision_requested),
    (S.in_review, S.accepted),
    (S.in_review, S.rejected),
    (S.in_review, S.revision_requested),
    (S.accepted, S.in_review),
    (S.accepted, S.rejected),
    (S.rejected, S.accepted),
    (S.revision_requested, S.in_review),
]


@pytest.mark.parametrize(("start", "target"), VALID)
def test_valid_transitions(
    db: Session, settings: Settings, triage: Triage, start: S, target: S
) -> None:
    paper = triage.paper(db, status=start, announced_status=start)
    version = load(db, paper).lock_version
    decision = decide(db, settings, triage.moderator, paper, target)
    paper = load(db, paper)
    assert (paper.status, paper.announced_status) == (target, target)
    assert (decision.from_status, decision.to_status) == (start, target)
    assert decision.released_at is not None and not decision.staged
    assert "paper.decide" in actions(db, paper)
    assert paper.lock_version == version + 1


INVALID = [
    (S.withdrawn, S.accepted, Conflict),
    (S.withdrawn, S.in_review, Conflict),
    (S.draft, S.accepted, Conflict),
    (S.accepted, S.accepted, Conflict),
    (S.in_review, S.in_review, Conflict),
    (S.in_review, S.submitted, FormError),
    (S.in_review, S.withdrawn, FormError),
    (S.submitted, S.draft, FormError),
]


@pytest.mark.parametrize(("start", "target", "error"), INVALID)
def test_invalid_transitions_change_nothing(
    db: Session, settings: Settings, triage: Triage, start: S, target: S, error: type[Exception]
) -> None:
    paper = triage.paper(db, status=start, announced_status=start)
    version = load(db, paper).lock_version
    with pytest.raises(error):
        decide(db, settings, triage.moderator, paper, target)
    paper = load(db, paper)
    assert paper.status is start and paper.lock_version == version
    assert repository.decisions_of(db, paper.id) == []


@pytest.mark.parametrize("target", [S.rejected, S.revision_requested])
def test_rejecting_or_asking_for_a_revision_needs_a_reason(
    db: Session, settings: Settings, triage: Triage, target: S
) -> None:
    paper = triage.paper(db)
    with pytest.raises(FormError) as caught:
        decide(db, settings, triage.moderator, paper, target, reason_code="")
    assert "reason_code" in caught.value.fields
    decide(db, settings, triage.moderator, paper, target, reason_code="", reason="Out of scope.")
    assert load(db, paper).status is target


def test_a_reason_code_must_be_active_and_of_the_process(
    db: Session, settings: Settings, triage: Triage
) -> None:
    paper = triage.paper(db)
    with pytest.raises(FormError):
        decide(db, settings, triage.moderator, paper, S.rejected, reason_code="no-such-code")
    reasons.set_active(db, triage.organiser, triage.process, triage.off_topic.id, active=False)
    with pytest.raises(FormError):
        decide(db, settings, triage.moderator, paper, S.rejected)


# --- staging, reverting, releasing --------------------------------------------------------------


def test_a_staged_decision_is_told_to_the_organisation_only_on_release(
    db: Session,
    settings: Settings,
    triage: Triage,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    accepted, rejected = triage.paper(db), triage.paper(db)
    decide(db, settings, triage.moderator, accepted, S.accepted, staged=True)
    decide(db, settings, triage.moderator, rejected, S.rejected, staged=True, reason="Too late.")
    for paper, status in ((accepted, S.accepted), (rejected, S.rejected)):
        paper = load(db, paper)
        assert paper.status is status and paper.announced_status is S.submitted
    run_jobs()
    assert mailbox.messages == []
    assert service.staged_count(db, triage.meeting) == 2

    result = service.release(db, settings, triage.organiser, triage.meeting)
    assert (result.released, result.notified) == (2, 2)
    assert load(db, accepted).announced_status is S.accepted
    assert load(db, rejected).announced_status is S.rejected
    assert service.staged_count(db, triage.meeting) == 0
    run_jobs()
    mails = mailbox.wait_for(2, to=triage.owner.email)
    bodies = sorted(body_text(m) for m in mails)
    assert "Decision: Accepted" in bodies[0]
    assert "Decision: Not accepted" in bodies[1] and "Not on the agenda" in bodies[1]
    assert "Too late." in bodies[1]
    release_events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "meeting.decisions.release")
    ).all()
    assert len(release_events) == 1 and release_events[0].object_id == triage.meeting.id

    again = service.release(db, settings, triage.organiser, triage.meeting)
    assert (again.released, again.notified) == (0, 0)


def test_a_decision_that_is_not_staged_is_mailed_at_once(
    db: Session,
    settings: Settings,
    triage: Triage,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    paper = triage.paper(db)
    decide(db, settings, triage.moderator, paper, S.revision_requested, reason="Add sources.")
    run_jobs()
    (message,) = mailbox.wait_for(1, to=triage.owner.email)
    assert "Revision requested" in message["Subject"]
    assert "Add sources." in body_text(message)
    assert "paper.announce" in actions(db, paper)


def test_starting_a_review_is_not_mailed(
    db: Session,
    settings: Settings,
    triage: Triage,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    paper = triage.paper(db)
    decide(db, settings, triage.moderator, paper, S.in_review)
    run_jobs()
    assert mailbox.messages == []
    assert load(db, paper).announced_status is S.in_review


def test_reverting_a_staged_decision_restores_the_status(
    db: Session, settings: Settings, triage: Triage, run_jobs: Callable[[], int]
) -> None:
    paper = triage.paper(db, status=S.in_review, announced_status=S.in_review)
    decision = decide(db, settings, triage.moderator, paper, S.accepted, staged=True)
    paper = load(db, paper)
    assert paper.routed_item_id == triage.item.id  # accepted: routed to its first item
    service.revert(db, triage.moderator2, paper, decision.id, paper.lock_version)
    paper = load(db, paper)
    assert paper.status is S.in_review and paper.routed_item_id is None
    assert db.get(Decision, decision.id).reverted_at is not None  # type: ignore[union-attr]
    assert "paper.decision.revert" in actions(db, paper)
    assert service.staged_count(db, triage.meeting) == 0
    result = service.release(db, settings, triage.organiser, triage.meeting)
    assert result.released == 0 and load(db, paper).announced_status is S.in_review


def test_what_cannot_be_reverted(db: Session, settings: Settings, triage: Triage) -> None:
    paper = triage.paper(db)
    announced = decide(db, settings, triage.moderator, paper, S.in_review)
    paper = load(db, paper)
    with pytest.raises(Conflict):  # not staged
        service.revert(db, triage.moderator, paper, announced.id, paper.lock_version)
    first = decide(db, settings, triage.moderator, paper, S.accepted, staged=True)
    decide(db, settings, triage.moderator, paper, S.rejected, staged=True)
    paper = load(db, paper)
    with pytest.raises(Conflict):  # a later decision exists
        service.revert(db, triage.moderator, paper, first.id, paper.lock_version)
    with pytest.raises(NotFound):
        service.revert(db, triage.moderator, paper, 10**6, paper.lock_version)
    other = triage.paper(db)
    other_decision = decide(db, settings, triage.moderator, other, S.accepted, staged=True)
    with pytest.raises(NotFound):  # another paper's decision
        service.revert(db, triage.moderator, paper, other_decision.id, paper.lock_version)
    with pytest.raises(PaperConflict):
        service.revert(db, triage.moderator, paper, first.id, paper.lock_version - 1)


def test_release_announces_the_final_status_once_per_paper(
    db: Session,
    settings: Settings,
    triage: Triage,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    changed_mind, withdrawn = triage.paper(db), triage.paper(db)
    decide(db, settings, triage.moderator, changed_mind, S.accepted, staged=True)
    decide(db, settings, triage.moderator, changed_mind, S.rejected, staged=True)
    decide(db, settings, triage.moderator, withdrawn, S.accepted, staged=True)
    db.execute(update(Paper).where(Paper.id == withdrawn.id).values(status=S.withdrawn))
    result = service.release(db, settings, triage.organiser, triage.meeting)
    assert (result.released, result.notified) == (3, 1)
    assert load(db, changed_mind).announced_status is S.rejected
    run_jobs()
    (message,) = mailbox.wait_for(1, to=triage.owner.email)
    assert "Not accepted" in message["Subject"]


def test_the_organisation_owners_and_the_submitter_are_told(
    db: Session,
    settings: Settings,
    triage: Triage,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    paper = triage.paper(db, submitter_id=triage.member.id)
    decide(db, settings, triage.moderator, paper, S.accepted)
    run_jobs()
    assert mailbox.wait_for(1, to=triage.member.email)
    assert mailbox.wait_for(1, to=triage.owner.email)
    assert len(mailbox.messages) == 2


# --- conflicts ----------------------------------------------------------------------------------


def test_a_stale_lock_version_is_a_conflict_and_changes_nothing(
    db: Session, settings: Settings, triage: Triage
) -> None:
    paper = triage.paper(db)
    seen = load(db, paper).lock_version
    decide(db, settings, triage.moderator, paper, S.accepted)  # the first moderator
    with pytest.raises(PaperConflict) as caught:
        decide(db, settings, triage.moderator2, paper, S.rejected, lock_version=seen)
    assert "accepted" in caught.value.message
    paper = load(db, paper)
    assert paper.status is S.accepted
    assert len(repository.decisions_of(db, paper.id)) == 1


def test_a_concurrent_update_is_caught_by_the_database(
    db: Session, settings: Settings, triage: Triage
) -> None:
    """Both moderators loaded version 1; the other one's update lands between our check and our
    write: the versioned UPDATE matches no row, and nothing of ours is kept."""
    paper = load(db, triage.paper(db))
    seen = paper.lock_version
    papers = cast(Table, Paper.__table__)
    db.execute(
        update(papers)
        .where(papers.c.id == paper.id)
        .values(status="rejected", lock_version=seen + 1)
    )
    data = DecisionCreate(to_status=S.accepted, lock_version=seen)
    with pytest.raises(PaperConflict):
        service.decide(db, settings, triage.moderator, paper, data)
    paper = load(db, paper)
    assert paper.status is S.rejected and paper.lock_version == seen + 1
    assert repository.decisions_of(db, paper.id) == []


# --- assignment and routing ---------------------------------------------------------------------


def test_claiming_assigning_and_unassigning(db: Session, triage: Triage) -> None:
    paper = load(db, triage.paper(db))
    assignment.assign(db, triage.moderator, paper, triage.moderator.id, paper.lock_version)
    assignment.assign(db, triage.organiser, paper, triage.moderator2.id, paper.lock_version)
    assert load(db, paper).assignee_id == triage.moderator2.id
    assignment.assign(db, triage.moderator2, paper, None, paper.lock_version)
    assert load(db, paper).assignee_id is None
    assert actions(db, paper) == ["paper.claim", "paper.assign", "paper.assign"]
    for outsider in (triage.stranger, triage.other_moderator, triage.member):
        with pytest.raises(FormError):
            assignment.assign(db, triage.moderator, paper, outsider.id, paper.lock_version)
    with pytest.raises(FormError):
        assignment.assign(db, triage.moderator, paper, 10**6, paper.lock_version)
    with pytest.raises(PaperConflict):
        assignment.assign(db, triage.moderator, paper, triage.moderator.id, 1)  # long stale


def test_an_admin_can_be_assigned(db: Session, triage: Triage) -> None:
    paper = load(db, triage.paper(db))
    assignment.assign(db, triage.admin, paper, triage.admin.id, paper.lock_version)
    assert load(db, paper).assignee_id == triage.admin.id


def test_routing_accepted_papers(db: Session, settings: Settings, triage: Triage) -> None:
    paper = triage.paper(db, items=[triage.item2, triage.item])
    fresh = load(db, paper)
    with pytest.raises(Conflict):
        assignment.route(db, triage.moderator, fresh, triage.item.id, fresh.lock_version)
    decide(db, settings, triage.moderator, paper, S.accepted)
    paper = load(db, paper)
    assert paper.routed_item_id == triage.item.id  # the first agenda item by position
    assignment.route(db, triage.moderator, paper, triage.item2.id, paper.lock_version)
    assert load(db, paper).routed_item_id == triage.item2.id
    assert "paper.route" in actions(db, paper)
    with pytest.raises(FormError):  # an item of another meeting
        assignment.route(db, triage.moderator, paper, 10**6, paper.lock_version)
    decide(db, settings, triage.moderator, paper, S.in_review)
    assert load(db, paper).routed_item_id is None


# --- reason codes -------------------------------------------------------------------------------


def test_reason_codes_are_added_deactivated_and_audited(db: Session, triage: Triage) -> None:
    code = reasons.add_code(
        db, triage.organiser, triage.process, ReasonCodeCreate(code="Duplicate", label="Sent twice")
    )
    assert code.code == "duplicate"
    with pytest.raises(FormError):
        reasons.add_code(
            db, triage.organiser, triage.process, ReasonCodeCreate(code="duplicate", label="x")
        )
    reasons.set_active(db, triage.organiser, triage.process, code.id, active=False)
    active = [c.code for c in reasons.list_codes(db, triage.process)]
    assert active == ["off-topic"]
    with pytest.raises(NotFound):
        reasons.set_active(db, triage.organiser, triage.process, 10**6, active=True)
    audited = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "reason_code")
    ).all()
    assert list(audited) == ["reason_code.create", "reason_code.deactivate"]
