"""Every query of the impact domain, with its eager loads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.comments.models import Comment, CommentStatus
from app.consultations.models import AgendaItem, Meeting, Process
from app.impact.models import (
    FocalPoint,
    FollowUpReport,
    MeetingParticipant,
    ParticipantKind,
    Recommendation,
    RecommendationCitation,
    RecommendationImport,
    ReportEvidence,
    ReportingRound,
)
from app.organisations.models import MemberRole, Membership
from app.submissions.models import Paper, PaperStatus

# --- recommendations -----------------------------------------------------------------------------


def _recommendation_loads() -> tuple[object, ...]:
    return (
        joinedload(Recommendation.meeting).joinedload(Meeting.process),
        joinedload(Recommendation.agenda_item),
    )


def get_recommendation(session: Session, recommendation_id: int) -> Recommendation | None:
    return session.scalars(
        select(Recommendation)
        .where(Recommendation.id == recommendation_id)
        .options(
            *_recommendation_loads(),  # type: ignore[arg-type]
            selectinload(Recommendation.citations).options(
                joinedload(RecommendationCitation.paper).joinedload(Paper.organisation),
                joinedload(RecommendationCitation.comment).joinedload(Comment.organisation),
            ),
        )
    ).first()


def list_recommendations(
    session: Session, process_id: int, meeting_id: int | None = None
) -> list[Recommendation]:
    query = (
        select(Recommendation)
        .join(Recommendation.meeting)
        .where(Recommendation.process_id == process_id)
        .options(*_recommendation_loads())  # type: ignore[arg-type]
        .order_by(Meeting.starts_on, Recommendation.position, Recommendation.id)
    )
    if meeting_id is not None:
        query = query.where(Recommendation.meeting_id == meeting_id)
    return list(session.scalars(query).unique())


def processes_with_recommendations(session: Session, today: date) -> list[Process]:
    adopted = select(Recommendation.process_id).where(Recommendation.adopted_on <= today)
    return list(
        session.scalars(select(Process).where(Process.id.in_(adopted)).order_by(Process.title))
    )


def numbers_in_meeting(session: Session, meeting_id: int) -> set[str]:
    return set(
        session.scalars(
            select(Recommendation.number).where(Recommendation.meeting_id == meeting_id)
        )
    )


def number_taken(session: Session, meeting_id: int, number: str, except_id: int | None) -> bool:
    query = select(Recommendation.id).where(
        Recommendation.meeting_id == meeting_id, Recommendation.number == number
    )
    if except_id is not None:
        query = query.where(Recommendation.id != except_id)
    return session.scalars(query).first() is not None


def max_position(session: Session, meeting_id: int) -> int:
    positions = session.scalars(
        select(Recommendation.position).where(Recommendation.meeting_id == meeting_id)
    ).all()
    return max(positions, default=0)


def agenda_items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    return session.scalars(
        select(Meeting).where(Meeting.id == meeting_id).options(joinedload(Meeting.process))
    ).first()


def recommendations_citing_organisation(
    session: Session, organisation_id: int
) -> list[tuple[Recommendation, Paper]]:
    rows = session.execute(
        select(Recommendation, Paper)
        .join(RecommendationCitation, RecommendationCitation.recommendation_id == Recommendation.id)
        .join(Paper, Paper.id == RecommendationCitation.paper_id)
        .where(Paper.organisation_id == organisation_id)
        .options(*_recommendation_loads())  # type: ignore[arg-type]
        .order_by(Recommendation.adopted_on.desc(), Recommendation.id)
    ).unique()
    return [(rec, paper) for rec, paper in rows]


# --- citations -----------------------------------------------------------------------------------


def get_citation(session: Session, citation_id: int) -> RecommendationCitation | None:
    return session.get(RecommendationCitation, citation_id)


def citation_exists(
    session: Session, recommendation_id: int, paper_id: int | None, comment_id: int | None
) -> bool:
    query = select(RecommendationCitation.id).where(
        RecommendationCitation.recommendation_id == recommendation_id
    )
    if paper_id is not None:
        query = query.where(RecommendationCitation.paper_id == paper_id)
    else:
        query = query.where(RecommendationCitation.comment_id == comment_id)
    return session.scalars(query).first() is not None


def citable_papers(session: Session, meeting_id: int) -> list[Paper]:
    """The meeting's accepted papers (the inputs a recommendation can cite)."""
    return list(
        session.scalars(
            select(Paper)
            .where(Paper.meeting_id == meeting_id, Paper.status == PaperStatus.accepted)
            .options(joinedload(Paper.organisation))
            .order_by(Paper.tracking_number, Paper.id)
        )
    )


def citable_comments(session: Session, meeting_id: int) -> list[Comment]:
    return list(
        session.scalars(
            select(Comment)
            .join(Comment.agenda_item)
            .where(AgendaItem.meeting_id == meeting_id, Comment.status == CommentStatus.published)
            .options(joinedload(Comment.organisation), joinedload(Comment.agenda_item))
            .order_by(Comment.id)
        )
    )


def get_paper(session: Session, paper_id: int) -> Paper | None:
    return session.get(Paper, paper_id)


def get_comment(session: Session, comment_id: int) -> Comment | None:
    return session.scalars(
        select(Comment).where(Comment.id == comment_id).options(joinedload(Comment.agenda_item))
    ).first()


# --- participants --------------------------------------------------------------------------------


def list_participants(session: Session, meeting_id: int) -> list[MeetingParticipant]:
    return list(
        session.scalars(
            select(MeetingParticipant)
            .where(MeetingParticipant.meeting_id == meeting_id)
            .options(joinedload(MeetingParticipant.organisation))
            .order_by(MeetingParticipant.kind, MeetingParticipant.country, MeetingParticipant.id)
        )
    )


def participant_countries(session: Session, meeting_ids: Iterable[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    rows = session.execute(
        select(MeetingParticipant.meeting_id, MeetingParticipant.country).where(
            MeetingParticipant.meeting_id.in_(list(meeting_ids)),
            MeetingParticipant.kind == ParticipantKind.country,
        )
    )
    for meeting_id, country in rows:
        if country:
            found.setdefault(meeting_id, set()).add(country)
    return found


def find_participant(
    session: Session, meeting_id: int, country: str | None, organisation_id: int | None
) -> MeetingParticipant | None:
    query = select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting_id)
    if country:
        query = query.where(MeetingParticipant.country == country)
    elif organisation_id is not None:
        query = query.where(MeetingParticipant.organisation_id == organisation_id)
    else:
        return None
    return session.scalars(query).first()


def get_participant(session: Session, participant_id: int) -> MeetingParticipant | None:
    return session.get(MeetingParticipant, participant_id)


# --- focal points --------------------------------------------------------------------------------


def list_focal_points(session: Session, process_id: int) -> list[FocalPoint]:
    return list(
        session.scalars(
            select(FocalPoint)
            .where(FocalPoint.process_id == process_id)
            .options(joinedload(FocalPoint.user))
            .order_by(FocalPoint.country, FocalPoint.id)
        )
    )


def focal_countries(session: Session, user_id: int, process_id: int) -> set[str]:
    return set(
        session.scalars(
            select(FocalPoint.country).where(
                FocalPoint.user_id == user_id, FocalPoint.process_id == process_id
            )
        )
    )


def focal_points_of_user(session: Session, user_id: int) -> list[FocalPoint]:
    return list(
        session.scalars(
            select(FocalPoint)
            .where(FocalPoint.user_id == user_id)
            .options(joinedload(FocalPoint.process))
            .order_by(FocalPoint.process_id, FocalPoint.country)
        )
    )


def find_focal_point(
    session: Session, user_id: int, process_id: int, country: str
) -> FocalPoint | None:
    return session.scalars(
        select(FocalPoint).where(
            FocalPoint.user_id == user_id,
            FocalPoint.process_id == process_id,
            FocalPoint.country == country,
        )
    ).first()


def get_focal_point(session: Session, focal_point_id: int) -> FocalPoint | None:
    return session.get(FocalPoint, focal_point_id)


# --- reporting rounds ----------------------------------------------------------------------------


def list_rounds(session: Session, process_id: int) -> list[ReportingRound]:
    return list(
        session.scalars(
            select(ReportingRound)
            .where(ReportingRound.process_id == process_id)
            .order_by(ReportingRound.opens_at.desc())
        )
    )


def get_round(session: Session, round_id: int) -> ReportingRound | None:
    return session.scalars(
        select(ReportingRound)
        .where(ReportingRound.id == round_id)
        .options(joinedload(ReportingRound.process))
    ).first()


def open_round(session: Session, process_id: int, now: datetime) -> ReportingRound | None:
    return session.scalars(
        select(ReportingRound)
        .where(
            ReportingRound.process_id == process_id,
            ReportingRound.opens_at <= now,
            ReportingRound.closes_at > now,
        )
        .order_by(ReportingRound.closes_at)
    ).first()


def rounds_to_announce(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(ReportingRound.id).where(
                ReportingRound.opening_sent_at.is_(None),
                ReportingRound.opens_at <= now,
                ReportingRound.closes_at > now,
            )
        )
    )


def rounds_closing(session: Session, now: datetime) -> list[ReportingRound]:
    """Open rounds whose closing reminder has not gone out (the caller checks the lead time)."""
    return list(
        session.scalars(
            select(ReportingRound).where(
                ReportingRound.closing_reminder_sent_at.is_(None),
                ReportingRound.opens_at <= now,
                ReportingRound.closes_at > now,
            )
        )
    )


def claim_round_flag(session: Session, round_id: int, column: str, now: datetime) -> bool:
    """Set a reminder flag if it is still unset; False when another worker got there first."""
    flag = getattr(ReportingRound, column)
    result = session.execute(
        update(ReportingRound)
        .where(ReportingRound.id == round_id, flag.is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def owners_of_participating_organisations(session: Session, process_id: int) -> list[Membership]:
    participating = (
        select(MeetingParticipant.organisation_id)
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(Meeting.process_id == process_id, MeetingParticipant.organisation_id.is_not(None))
    )
    return list(
        session.scalars(
            select(Membership)
            .where(
                Membership.role == MemberRole.owner, Membership.organisation_id.in_(participating)
            )
            .options(joinedload(Membership.user), joinedload(Membership.organisation))
            .order_by(Membership.organisation_id, Membership.id)
        )
    )


# --- reports -------------------------------------------------------------------------------------


def _report_loads() -> tuple[object, ...]:
    return (
        selectinload(FollowUpReport.evidence),
        joinedload(FollowUpReport.organisation),
        joinedload(FollowUpReport.author),
    )


def latest_in_thread(session: Session, thread_key: str) -> FollowUpReport | None:
    return session.scalars(
        select(FollowUpReport)
        .where(FollowUpReport.thread_key == thread_key)
        .options(selectinload(FollowUpReport.evidence))
        .order_by(FollowUpReport.version.desc())
        .limit(1)
    ).first()


def list_reports(
    session: Session, recommendation_ids: Iterable[int], country: str | None = None
) -> list[FollowUpReport]:
    """Every version, oldest first within each thread."""
    query = (
        select(FollowUpReport)
        .where(FollowUpReport.recommendation_id.in_(list(recommendation_ids)))
        .options(*_report_loads())  # type: ignore[arg-type]
        .order_by(FollowUpReport.thread_key, FollowUpReport.version)
    )
    if country is not None:
        query = query.where(FollowUpReport.country == country)
    return list(session.scalars(query).unique())


def get_report(session: Session, report_id: int) -> FollowUpReport | None:
    return session.scalars(
        select(FollowUpReport).where(FollowUpReport.id == report_id).options(*_report_loads())  # type: ignore[arg-type]
    ).first()


def get_evidence(session: Session, evidence_id: int) -> ReportEvidence | None:
    return session.scalars(
        select(ReportEvidence)
        .where(ReportEvidence.id == evidence_id)
        .options(joinedload(ReportEvidence.report))
    ).first()


# --- imports -------------------------------------------------------------------------------------


def get_import(session: Session, token: str) -> RecommendationImport | None:
    return session.scalars(
        select(RecommendationImport).where(RecommendationImport.token == token)
    ).first()


def delete_imports_expired_before(session: Session, cutoff: datetime) -> int:
    result = session.execute(
        delete(RecommendationImport)
        .where(RecommendationImport.expires_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
