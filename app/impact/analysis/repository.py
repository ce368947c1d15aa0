"""Every query of the dashboard. Reads only; a handful of aggregate queries per page, whatever the
number of countries or recommendations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, distinct, func, select, true
from sqlalchemy.orm import Session, joinedload

from app.consultations.models import AgendaItem, Meeting
from app.impact.models import (
    FollowUpReport,
    MeetingParticipant,
    ParticipantKind,
    Recommendation,
    ReportKind,
)
from app.organisations.models import Organisation
from app.submissions.models import Consent, Paper, PaperStatus

# Papers that reached the organisers count as inputs; drafts and withdrawn ones do not.
COUNTED_PAPER_STATUSES = (
    PaperStatus.submitted,
    PaperStatus.in_review,
    PaperStatus.accepted,
    PaperStatus.rejected,
    PaperStatus.revision_requested,
)


def _visible(drafts: bool, today: date) -> ColumnElement[bool]:
    """Adopted recommendations are public (app/impact/policies.is_public); drafts only for some."""
    if drafts:
        return true()
    return and_(Recommendation.adopted_on.is_not(None), Recommendation.adopted_on <= today)


def recommendations(
    session: Session,
    process_id: int,
    agenda_item_id: int | None = None,
    *,
    drafts: bool,
    today: date,
) -> list[Recommendation]:
    stmt = (
        select(Recommendation)
        .join(Meeting, Meeting.id == Recommendation.meeting_id)
        .where(Recommendation.process_id == process_id, _visible(drafts, today))
        .options(joinedload(Recommendation.meeting), joinedload(Recommendation.agenda_item))
        .order_by(Meeting.starts_on, Meeting.id, Recommendation.position, Recommendation.id)
    )
    if agenda_item_id is not None:
        stmt = stmt.where(Recommendation.agenda_item_id == agenda_item_id)
    return list(session.scalars(stmt).unique())


def agenda_items_with_recommendations(
    session: Session, process_id: int, *, drafts: bool, today: date
) -> list[AgendaItem]:
    """The agenda items a filter can choose from: those some recommendation belongs to."""
    stmt = (
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.id.in_(
                select(Recommendation.agenda_item_id).where(Recommendation.process_id == process_id)
            )
        )
        .options(joinedload(AgendaItem.meeting))
        .order_by(Meeting.starts_on, Meeting.id, AgendaItem.position, AgendaItem.id)
    )
    return list(session.scalars(stmt).unique())


def official_reports(session: Session, process_id: int) -> list[tuple[int, str, str, date, int]]:
    """(recommendation id, country, status, reported on, version) of every official version."""
    stmt = (
        select(
            FollowUpReport.recommendation_id,
            FollowUpReport.country,
            FollowUpReport.status,
            FollowUpReport.reported_on,
            FollowUpReport.version,
        )
        .join(Recommendation, Recommendation.id == FollowUpReport.recommendation_id)
        .where(
            Recommendation.process_id == process_id,
            FollowUpReport.kind == ReportKind.official,
        )
    )
    return [
        (rec_id, country, str(status), reported_on, version)
        for rec_id, country, status, reported_on, version in session.execute(stmt).all()
    ]


def shadow_report_counts(session: Session, process_id: int) -> dict[tuple[int, str], int]:
    """(recommendation id, country) -> number of organisations with a shadow report on it."""
    stmt = (
        select(
            FollowUpReport.recommendation_id,
            FollowUpReport.country,
            func.count(distinct(FollowUpReport.organisation_id)),
        )
        .join(Recommendation, Recommendation.id == FollowUpReport.recommendation_id)
        .where(
            Recommendation.process_id == process_id,
            FollowUpReport.kind == ReportKind.shadow,
        )
        .group_by(FollowUpReport.recommendation_id, FollowUpReport.country)
    )
    return {(rec_id, country): n for rec_id, country, n in session.execute(stmt).all()}


def participating_countries(session: Session, process_id: int) -> list[tuple[int, str]]:
    """(meeting id, country) for every country recorded as taking part in a meeting."""
    stmt = (
        select(MeetingParticipant.meeting_id, MeetingParticipant.country)
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(
            Meeting.process_id == process_id,
            MeetingParticipant.kind == ParticipantKind.country,
            MeetingParticipant.country.is_not(None),
        )
    )
    return [
        (meeting_id, country)
        for meeting_id, country in session.execute(stmt).all()
        if country is not None
    ]


def papers_by_country(session: Session, process_id: int, *, all_inputs: bool) -> dict[str, int]:
    """Civil-society inputs: papers in the process's meetings, by their organisation's country
    (without `all_inputs`, only papers whose authors agreed to publication)."""
    stmt = (
        select(Organisation.country, func.count(Paper.id))
        .join(Paper, Paper.organisation_id == Organisation.id)
        .join(Meeting, Meeting.id == Paper.meeting_id)
        .where(Meeting.process_id == process_id, Paper.status.in_(COUNTED_PAPER_STATUSES))
        .group_by(Organisation.country)
    )
    if not all_inputs:
        stmt = stmt.where(Paper.consent != Consent.restricted)
    return {country.upper(): n for country, n in session.execute(stmt).all() if country}
