"""E-mails that tell an organisation the outcome of its paper, sent when it is announced:
at once for a decision that is not staged, or when the organisers release the staged batch."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import mail
from app.config import Settings
from app.i18n import N_, gettext, using_locale
from app.moderation.models import Decision, ReasonCode
from app.organisations import service as organisations
from app.organisations.models import MemberRole
from app.submissions.models import Paper, PaperStatus

OUTCOMES = {
    PaperStatus.accepted: N_("Accepted"),
    PaperStatus.rejected: N_("Not accepted"),
    PaperStatus.revision_requested: N_("Revision requested"),
    PaperStatus.in_review: N_("In review again (an earlier decision is being reconsidered)"),
}
NEXT_STEPS = {
    PaperStatus.accepted: N_("The paper will be part of the meeting's documentation."),
    PaperStatus.rejected: N_("The paper will not be considered further for this meeting."),
    PaperStatus.revision_requested: N_(
        "Please upload a revised version on the paper's page; it then returns to the moderators."
    ),
    PaperStatus.in_review: N_("You will hear again when the moderators have decided."),
}


def _recipient_users(session: Session, paper: Paper) -> list[tuple[str, str | None]]:
    """(e-mail, interface language) of the submitter and the organisation's owners, each once."""
    found: dict[str, str | None] = {}
    if paper.submitter is not None and paper.submitter.email:
        found[paper.submitter.email.lower()] = paper.submitter.locale
    for membership in organisations.list_members(session, paper.organisation):
        if membership.role is MemberRole.owner and membership.user.email:
            found.setdefault(membership.user.email.lower(), membership.user.locale)
    return list(found.items())


def recipients(session: Session, paper: Paper) -> list[str]:
    """The submitter and the owners of the submitting organisation, each once."""
    return [email for email, _locale in _recipient_users(session, paper)]


def _outcome(status: PaperStatus) -> str:
    label = OUTCOMES.get(status)
    return gettext(label) if label else status.value


def decision_text(
    settings: Settings, paper: Paper, decision: Decision | None, reason: ReasonCode | None
) -> str:
    """The e-mail's body, in the current interface language (the recipient's)."""
    status = paper.announced_status
    lines = [
        gettext("The moderators of %(process)s have decided on your organisation's paper.")
        % {"process": paper.meeting.process.title},
        "",
        gettext("Title: %(title)s") % {"title": paper.title},
        gettext("Tracking number: %(number)s") % {"number": paper.tracking_number},
        gettext("Meeting: %(meeting)s") % {"meeting": paper.meeting.title},
        gettext("Decision: %(decision)s") % {"decision": _outcome(status)},
    ]
    if decision is not None and decision.to_status is status:
        if reason is not None:
            lines.append(gettext("Reason: %(reason)s") % {"reason": reason.label})
        if decision.reason:
            lines += ["", decision.reason]
    next_step = NEXT_STEPS.get(status)
    lines += [
        "",
        gettext(next_step) if next_step else "",
        "",
        gettext("The paper: %(link)s") % {"link": f"{settings.base_url}/papers/{paper.id}"},
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
    """Queue the e-mails (sent after commit), each in its recipient's language; returns how many."""
    sent = 0
    for to, locale in _recipient_users(session, paper):
        with using_locale(locale):
            subject = gettext("Decision on %(number)s: %(decision)s") % {
                "number": paper.tracking_number,
                "decision": _outcome(paper.announced_status),
            }
            body = decision_text(settings, paper, decision, reason)
        mail.queue_mail(session, to, subject[:200], body)
        sent += 1
    return sent
