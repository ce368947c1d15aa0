"""E-mail reminders of reporting rounds: when a round opens, and `reminder_days` before it closes.

`send_due_reminders(session, now)` is called by the worker about once a minute (registered with
`jobs.periodic`). It claims each due reminder by setting the round's flag with a conditional
UPDATE, so it is idempotent and safe with several workers, then queues one job per reminder;
the job's handler writes the e-mails (to the process's focal points, and to the owners of the
organisations that took part in its meetings, who may file shadow reports).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app import i18n, jobs
from app.accounts.models import User
from app.config import Settings
from app.i18n import N_
from app.i18n import gettext as _
from app.impact import repository
from app.impact.models import ReportingRound
from app.mail import queue_mail

REMINDER_JOB = "impact.round_reminder"
OPENING = "opening"
CLOSING = "closing"


def closing_reminder_due(reporting_round: ReportingRound, now: datetime) -> bool:
    return reporting_round.closes_at - timedelta(days=reporting_round.reminder_days) <= now


def send_due_reminders(session: Session, now: datetime) -> list[tuple[int, str]]:
    """Queue the reminders that are due and not yet sent; returns (round id, kind) queued."""
    queued: list[tuple[int, str]] = []
    for round_id in repository.rounds_to_announce(session, now):
        if repository.claim_round_flag(session, round_id, "opening_sent_at", now):
            jobs.enqueue(session, REMINDER_JOB, {"round_id": round_id, "kind": OPENING})
            queued.append((round_id, OPENING))
    for reporting_round in repository.rounds_closing(session, now):
        if closing_reminder_due(reporting_round, now) and repository.claim_round_flag(
            session, reporting_round.id, "closing_reminder_sent_at", now
        ):
            jobs.enqueue(session, REMINDER_JOB, {"round_id": reporting_round.id, "kind": CLOSING})
            queued.append((reporting_round.id, CLOSING))
    return queued


@jobs.periodic("impact.reminders")
def _periodic(session: Session, now: datetime) -> None:
    send_due_reminders(session, now)


def _link(settings: Settings, slug: str) -> str:
    return f"{settings.base_url.rstrip('/')}/processes/{slug}/recommendations"


def write_reminders(
    session: Session, settings: Settings, reporting_round: ReportingRound, kind: str
) -> int:
    """Queue the e-mails of one reminder, each in its recipient's language; returns how many."""
    process = reporting_round.process
    link = _link(settings, process.slug)
    sent: set[str] = set()

    def send(user: User, role_line: str, values: dict[str, str]) -> None:
        if not user.email or user.email in sent:
            return
        with i18n.using_locale(user.locale):
            subject, lead = _reminder_text(reporting_round, kind)
            body = "\n\n".join([lead, _(role_line) % values, link])
        queue_mail(session, user.email, subject, body)
        sent.add(user.email)

    for focal_point in repository.list_focal_points(session, process.id):
        send(focal_point.user, FOCAL_POINT_LINE, {"country": focal_point.country})
    for membership in repository.owners_of_participating_organisations(session, process.id):
        send(membership.user, ORGANISATION_LINE, {"organisation": membership.organisation.name})
    return len(sent)


FOCAL_POINT_LINE = N_(
    "As focal point for %(country)s, please file or update the official "
    "follow-up reports on the recommendations addressed to it:"
)
ORGANISATION_LINE = N_(
    "%(organisation)s may file shadow reports on the recommendations, beside the official ones:"
)


def _reminder_text(reporting_round: ReportingRound, kind: str) -> tuple[str, str]:
    """(subject, first paragraph) in the current interface language."""
    closes = reporting_round.closes_at.strftime("%Y-%m-%d %H:%M UTC")
    if kind == OPENING:
        subject = _("Reporting round open: %(title)s") % {"title": reporting_round.title}
        lead = _("The reporting round “%(title)s” of %(process)s is open until %(closes)s.")
    else:
        subject = _("Reporting round closes soon: %(title)s") % {"title": reporting_round.title}
        lead = _("The reporting round “%(title)s” of %(process)s closes on %(closes)s.")
    values = {
        "title": reporting_round.title,
        "process": reporting_round.process.title,
        "closes": closes,
    }
    return subject, lead % values


@jobs.handler(REMINDER_JOB)
def _send(context: jobs.JobContext) -> None:
    with context.sessionmaker() as session, session.begin():
        reporting_round = repository.get_round(session, int(context.payload["round_id"]))
        if reporting_round is None:
            return  # deleted since: nothing to remind of
        write_reminders(session, context.settings, reporting_round, str(context.payload["kind"]))
