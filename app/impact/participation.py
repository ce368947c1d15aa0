"""Who takes part and who reports: meeting participants, country focal points, reporting rounds.

Organisers of the process (and administrators) manage all three; every change is audited.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts import service as accounts
from app.accounts.models import User
from app.consultations.models import Meeting, Process
from app.errors import AppError, FormError, NotFound
from app.i18n import gettext as _
from app.impact import repository
from app.impact.models import FocalPoint, MeetingParticipant, ParticipantKind, ReportingRound
from app.impact.schemas import FocalPointCreate, ParticipantCreate, RoundCreate
from app.impact.service import require_manager
from app.organisations import service as organisations
from app.organisations.countries import normalise_code

# --- participants --------------------------------------------------------------------------------


def list_participants(session: Session, meeting: Meeting) -> list[MeetingParticipant]:
    return repository.list_participants(session, meeting.id)


def checked_participant(
    session: Session, meeting: Meeting, data: ParticipantCreate
) -> dict[str, Any]:
    """The values of a new participant, or FormError (also used by the CSV import)."""
    if data.country:
        code = normalise_code(data.country)
        if code is None:
            raise FormError(
                {"country": _("Unknown country code: %(code)s.") % {"code": data.country}}
            )
        if repository.find_participant(session, meeting.id, code, None):
            raise FormError({"country": _("This country is already listed.")})
        return {"kind": ParticipantKind.country, "country": code, "name": ""}
    if data.organisation_id is not None:
        try:
            org = organisations.get_organisation(session, data.organisation_id)
        except NotFound as exc:
            raise FormError({"organisation_id": exc.message}) from exc
        if repository.find_participant(session, meeting.id, None, org.id):
            raise FormError({"organisation_id": _("This organisation is already listed.")})
        return {"kind": ParticipantKind.organisation, "organisation_id": org.id, "name": org.name}
    if data.name:
        return {"kind": ParticipantKind.organisation, "name": data.name}
    raise FormError({"country": _("Give a country, or an organisation.")})


def add_participant(
    session: Session, actor: User, meeting: Meeting, data: ParticipantCreate
) -> MeetingParticipant:
    require_manager(session, actor, meeting.process_id)
    values = checked_participant(session, meeting, data)
    participant = MeetingParticipant(meeting_id=meeting.id, **values)
    session.add(participant)
    session.flush()
    after = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    audit.record(session, actor, "participant.add", "meeting", meeting.id, None, after)
    return participant


def remove_participant(
    session: Session, actor: User, meeting: Meeting, participant_id: int
) -> None:
    require_manager(session, actor, meeting.process_id)
    participant = repository.get_participant(session, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        raise NotFound(_("There is no such participant."))
    before = {
        "kind": participant.kind.value,
        "country": participant.country,
        "organisation_id": participant.organisation_id,
        "name": participant.name,
    }
    session.delete(participant)
    session.flush()
    audit.record(session, actor, "participant.remove", "meeting", meeting.id, before, None)


# --- focal points --------------------------------------------------------------------------------


def list_focal_points(session: Session, process: Process) -> list[FocalPoint]:
    return repository.list_focal_points(session, process.id)


def focal_points_of(session: Session, user: User) -> list[FocalPoint]:
    return repository.focal_points_of_user(session, user.id)


def grant_focal_point(
    session: Session, actor: User, process: Process, data: FocalPointCreate
) -> FocalPoint:
    require_manager(session, actor, process.id)
    country = normalise_code(data.country)
    if country is None:
        raise FormError({"country": _("Unknown country code: %(code)s.") % {"code": data.country}})
    try:
        user = accounts.user_by_email(session, data.email)
    except AppError as exc:
        raise FormError({"email": exc.message}) from exc
    if repository.find_focal_point(session, user.id, process.id, country) is not None:
        raise FormError({"email": _("This person is already focal point for this country.")})
    focal_point = FocalPoint(
        user_id=user.id, process_id=process.id, country=country, granted_by_id=actor.id
    )
    session.add(focal_point)
    session.flush()
    after = {"user_id": user.id, "process_id": process.id, "country": country}
    audit.record(session, actor, "focal_point.grant", "focal_point", focal_point.id, None, after)
    return focal_point


def revoke_focal_point(
    session: Session, actor: User, process: Process, focal_point_id: int
) -> None:
    require_manager(session, actor, process.id)
    focal_point = repository.get_focal_point(session, focal_point_id)
    if focal_point is None or focal_point.process_id != process.id:
        raise NotFound(_("There is no such focal point in this process."))
    before = {
        "user_id": focal_point.user_id,
        "process_id": process.id,
        "country": focal_point.country,
    }
    session.delete(focal_point)
    session.flush()
    audit.record(session, actor, "focal_point.revoke", "focal_point", focal_point_id, before, None)


# --- reporting rounds ----------------------------------------------------------------------------


def list_rounds(session: Session, process: Process) -> list[ReportingRound]:
    return repository.list_rounds(session, process.id)


def create_round(
    session: Session, actor: User, process: Process, data: RoundCreate
) -> ReportingRound:
    require_manager(session, actor, process.id)
    opens_at = data.opens_at if data.opens_at.tzinfo else data.opens_at.replace(tzinfo=UTC)
    closes_at = data.closes_at if data.closes_at.tzinfo else data.closes_at.replace(tzinfo=UTC)
    if closes_at <= opens_at:
        raise FormError({"closes_at": _("A round closes after it opens.")})
    reporting_round = ReportingRound(
        process_id=process.id,
        title=data.title,
        opens_at=opens_at,
        closes_at=closes_at,
        reminder_days=data.reminder_days,
        created_by_id=actor.id,
    )
    session.add(reporting_round)
    session.flush()
    after = {
        "title": data.title,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "reminder_days": data.reminder_days,
    }
    audit.record(
        session, actor, "reporting_round.create", "reporting_round", reporting_round.id, None, after
    )
    return reporting_round
