"""When an organisation may submit or change a paper: the meeting's window, the agenda items'
own closing times, and late-submission exceptions granted by organisers to one organisation.

Messages name times in the meeting's time zone, as the meeting page shows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import AgendaItem, Meeting
from app.db import utcnow
from app.errors import AppError, FormError, NotFound
from app.formatting import local_datetime
from app.i18n import gettext as _
from app.organisations import service as organisations
from app.submissions import repository
from app.submissions.models import LateException
from app.submissions.schemas import LateExceptionCreate


class SubmissionsClosed(AppError):
    status = 403
    code = "submissions_closed"


def _local(meeting: Meeting, value: datetime) -> str:
    return local_datetime(value, meeting.timezone)


def window_problem(meeting: Meeting, now: datetime) -> str | None:
    """None while the meeting takes papers; otherwise why not, in words."""
    opens, closes = meeting.submissions_open_at, meeting.submissions_close_at
    if opens is None or closes is None:
        return _("This meeting is not taking papers: its submission period has not been announced.")
    if now < opens:
        return _("Submissions to this meeting open on %(time)s.") % {"time": _local(meeting, opens)}
    if now >= closes:
        return _("Submissions to this meeting closed on %(time)s.") % {
            "time": _local(meeting, closes)
        }
    return None


def late_allowed(meeting: Meeting, exception: LateException | None, now: datetime) -> bool:
    """An exception lets its organisation in after the window closed, until its own time."""
    opens = meeting.submissions_open_at
    return exception is not None and opens is not None and opens <= now < exception.until


def check_open(
    meeting: Meeting, items: list[AgendaItem], exception: LateException | None, now: datetime
) -> None:
    """SubmissionsClosed (the whole meeting), or FormError naming the agenda items closed."""
    late = late_allowed(meeting, exception, now)
    if not late:
        problem = window_problem(meeting, now)
        if problem:
            raise SubmissionsClosed(problem)
    closed: list[str] = []
    for item in items:
        if not item.papers_open:
            closed.append(
                _("Agenda item %(number)s does not take papers.") % {"number": item.number}
            )
        elif not late and item.closes_at is not None and now >= item.closes_at:
            closed.append(
                _("Papers on agenda item %(number)s closed on %(time)s.")
                % {"number": item.number, "time": _local(meeting, item.closes_at)}
            )
    if closed:
        raise FormError({"agenda_item_ids": " ".join(closed)})


def deadline(
    meeting: Meeting, items: list[AgendaItem], exception: LateException | None
) -> datetime | None:
    """Until when a paper on these items may be revised or withdrawn by its organisation."""
    closing = [c for c in (consultations.papers_close_at(i, meeting) for i in items) if c]
    if not closing and meeting.submissions_close_at is not None:
        closing = [meeting.submissions_close_at]
    end = min(closing) if closing else None
    if exception is not None and (end is None or exception.until > end):
        end = exception.until
    return end


def before_deadline(
    meeting: Meeting, items: list[AgendaItem], exception: LateException | None, now: datetime
) -> bool:
    end = deadline(meeting, items, exception)
    return end is not None and now < end


def deadline_problem(meeting: Meeting, end: datetime | None) -> str:
    if end is None:
        return _("This meeting has no submission period, so only its organisers can change papers.")
    return _(
        "The deadline (%(time)s) has passed: only the organisers of this meeting "
        "can change the paper now."
    ) % {"time": _local(meeting, end)}


# --- late-submission exceptions -------------------------------------------------------------------


def late_exception_of(session: Session, meeting: Meeting, org_id: int) -> LateException | None:
    return repository.get_late_exception(session, meeting.id, org_id)


def list_late_exceptions(session: Session, meeting: Meeting) -> list[LateException]:
    return repository.list_late_exceptions(session, meeting.id)


def _state(exception: LateException) -> dict[str, Any]:
    return {
        "organisation_id": exception.organisation_id,
        "until": exception.until.isoformat(),
        "reason": exception.reason,
    }


def grant_late_exception(
    session: Session,
    actor: User,
    meeting: Meeting,
    data: LateExceptionCreate,
    now: datetime | None = None,
) -> LateException:
    """Let one organisation submit after the window (again: a second grant moves the time)."""
    now = now or utcnow()
    org = organisations.get_organisation(session, data.organisation_id)
    errors: dict[str, str] = {}
    until = consultations.local_to_utc(data.until, meeting.timezone, "until", errors)
    closes = meeting.submissions_close_at
    if until is not None:
        if until <= now:
            errors["until"] = _("Choose a time in the future.")
        elif closes is not None and until <= closes:
            errors["until"] = _("Choose a time after the meeting's deadline (%(time)s).") % {
                "time": _local(meeting, closes)
            }
    if errors or until is None:
        raise FormError(errors or {"until": _("Enter a date and time.")})
    exception = repository.get_late_exception(session, meeting.id, org.id)
    before = _state(exception) if exception is not None else None
    if exception is None:
        exception = LateException(meeting_id=meeting.id, organisation_id=org.id, until=until)
        session.add(exception)
    exception.until = until
    exception.reason = data.reason
    exception.granted_by_id = actor.id
    exception.organisation = org
    session.flush()
    audit.record(
        session,
        actor,
        "paper.late_exception.grant",
        "meeting",
        meeting.id,
        before,
        _state(exception),
    )
    return exception


def revoke_late_exception(
    session: Session, actor: User, meeting: Meeting, exception_id: int
) -> None:
    exception = repository.get_late_exception_by_id(session, exception_id)
    if exception is None or exception.meeting_id != meeting.id:
        raise NotFound(_("There is no such late-submission exception."))
    before = _state(exception)
    session.delete(exception)
    session.flush()
    audit.record(session, actor, "paper.late_exception.revoke", "meeting", meeting.id, before)
