"""E-mails that tell an organisation the outcome of its paper, sent when it is announced:
at once for a decision that is not staged, or when the organisers release the staged batch."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import mail
from app.config import Settings
from app.moderation.models import Decision, ReasonCode
from app.organisations import service as organisations
from app.organisations.models import MemberRole
from app.submissions.models import Paper, PaperStatus

OUTCOMES = {
    PaperStatus.accepted: "Accepted",
    PaperStatus.rejected: "Not accepted",
    PaperStatus.revision_requested: "Revision requested",
    PaperStatus.in_review: "In review again (an earlier decision is being reconsidered)",
}
NEXT_STEPS = {
    PaperStatus.accepted: "The paper will be part of the meeting's documentation.",
    PaperStatus.rejected: "The paper will not be considered further for this meeting.",
    PaperStatus.revision_requested: (
        "Please upload a revised version on the paper's page; it then returns to the moderators."
    ),
    PaperStatus.in_review: "You will hear again when the moderators have decided.",
}


def recipients(session: Session, paper: Paper) -> list[str]:
    """The submitter and the owners of the submitting organisation, each once."""
    emails: list[str] = []
    if paper.submitter is not None and paper.submitter.email:
        emails.append(paper.submitter.email)
    for membership in organisations.list_members(session, paper.organisation):
        if membership.role is MemberRole.owner and membership.user.email:
            emails.append(membership.user.email)
    return list(dict.fromkeys(email.lower() for email in emails))


def decision_text(
    settings: Settings, paper: Paper, decision: Decision | None, reason: ReasonCode | None
) -> str:
    status = paper.announced_status
    lines = [
        f"The moderators of {paper.meeting.process.title} have decided on your organisation's "
        "paper.",
        "",
        f"Title: {paper.title}",
        f"Tracking number: {paper.tracking_number}",
        f"Meeting: {paper.meeting.title}",
        f"Decision: {OUTCOMES.get(status, status.value)}",
    ]
    if decision is not None and decision.to_status is status:
        if reason is not None:
            lines.append(f"Reason: {reason.label}")
        if decision.reason:
            lines += ["", decision.reason]
    lines += [
        "",
        NEXT_STEPS.get(status, ""),
        "",
        f"The paper: {settings.base_url}/papers/{paper.id}",
        "",
        "Plenary",
    ]
    return "\n".join(lines)


def queue_decision_mail(
    session: Session,
    settings: Settings,
    paper: Paper,
    decision: Decision | None,
    reason: ReasonCode | None,
) -> int:
    """Queue the e-mails (sent after commit); returns how many."""
    subject = f"Decision on {paper.tracking_number}: {OUTCOMES.get(paper.announced_status, '')}"
    body = decision_text(settings, paper, decision, reason)
    sent = 0
    for to in recipients(session, paper):
        mail.queue_mail(session, to, subject[:200], body)
        sent += 1
    return sent
