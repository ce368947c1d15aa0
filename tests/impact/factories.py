"""Test data for the impact domain: a process with an adopted recommendation, its focal points,
participants and organisations, built directly (rows only) so each test states what it adds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole
from app.impact.models import (
    AddresseeScope,
    FocalPoint,
    MeetingParticipant,
    ParticipantKind,
    Recommendation,
    ReportKind,
)
from app.organisations.models import MemberRole, Organisation, Verification
from tests.factories import (
    grant,
    make_agenda_item,
    make_meeting,
    make_organisation,
    make_process,
    make_user,
)


def make_recommendation(db: Session, meeting: Meeting, **kw: Any) -> Recommendation:
    values: dict[str, Any] = {
        "process_id": meeting.process_id,
        "meeting_id": meeting.id,
        "number": str(kw.pop("number", "1")),
        "text": "States should ensure access to justice for migrant workers.",
        "adopted_on": date.today() - timedelta(days=30),
        "addressee_scope": AddresseeScope.all_states,
        "countries": [],
        "regions": [],
    }
    values.update(kw)
    recommendation = Recommendation(**values)
    db.add(recommendation)
    db.flush()
    return recommendation


def make_focal_point(db: Session, user: User, process: Process, country: str) -> FocalPoint:
    focal_point = FocalPoint(user_id=user.id, process_id=process.id, country=country)
    db.add(focal_point)
    db.flush()
    return focal_point


def add_country(db: Session, meeting: Meeting, country: str) -> MeetingParticipant:
    participant = MeetingParticipant(
        meeting_id=meeting.id, kind=ParticipantKind.country, country=country
    )
    db.add(participant)
    db.flush()
    return participant


def add_organisation(db: Session, meeting: Meeting, org: Organisation) -> MeetingParticipant:
    participant = MeetingParticipant(
        meeting_id=meeting.id,
        kind=ParticipantKind.organisation,
        organisation_id=org.id,
        name=org.name,
    )
    db.add(participant)
    db.flush()
    return participant


@dataclass
class ImpactWorld:
    process: Process
    meeting: Meeting
    item: AgendaItem
    recommendation: Recommendation  # adopted, addressed to all participating States (KG, KZ)
    organiser: User
    focal_kg: User
    focal_kz: User
    org: Organisation  # verified
    org_owner: User
    org_member: User
    outsider: User


def impact_world(db: Session) -> ImpactWorld:
    process = make_process(db)
    meeting = make_meeting(db, process)
    item = make_agenda_item(db, meeting, number="A")
    organiser = make_user(db)
    grant(db, organiser, process, ProcessRole.organiser)
    for country in ("KG", "KZ"):
        add_country(db, meeting, country)
    recommendation = make_recommendation(db, meeting, agenda_item_id=item.id)
    focal_kg, focal_kz = make_user(db), make_user(db)
    make_focal_point(db, focal_kg, process, "KG")
    make_focal_point(db, focal_kz, process, "KZ")
    org_owner, org_member = make_user(db), make_user(db)
    org = make_organisation(db, owner=org_owner, verification=Verification.verified)
    from tests.factories import add_member

    add_member(db, org, org_member, MemberRole.member)
    add_organisation(db, meeting, org)
    return ImpactWorld(
        process,
        meeting,
        item,
        recommendation,
        organiser,
        focal_kg,
        focal_kz,
        org,
        org_owner,
        org_member,
        make_user(db),
    )


def route_permission_params(
    db: Session, process: Process, meeting: Meeting, paper: Any
) -> dict[str, str]:
    """Objects for the route permission table: an adopted recommendation addressed to KG, a
    citation, a focal point with an official report and its (link) evidence."""
    from app.impact.models import (
        EvidenceKind,
        FollowUpReport,
        ImplementationStatus,
        RecommendationCitation,
        ReportEvidence,
    )

    participant = add_country(db, meeting, "KG")
    recommendation = make_recommendation(db, meeting, number="R-1")
    citation = RecommendationCitation(recommendation_id=recommendation.id, paper_id=paper.id)
    focal = make_user(db)
    focal_point = make_focal_point(db, focal, process, "KG")
    report = FollowUpReport(
        recommendation_id=recommendation.id,
        country="KG",
        kind=ReportKind.official,
        thread_key=f"{recommendation.id}:KG:official",
        version=1,
        status=ImplementationStatus.in_progress,
        reported_on=date.today(),
        author_id=focal.id,
    )
    db.add_all([citation, report])
    db.flush()
    evidence = ReportEvidence(report_id=report.id, kind=EvidenceKind.link, url="https://x.example")
    db.add(evidence)
    db.flush()
    return {
        "recommendation_id": str(recommendation.id),
        "country": "KG",
        "citation_id": str(citation.id),
        "participant_id": str(participant.id),
        "focal_point_id": str(focal_point.id),
        "report_id": str(report.id),
        "evidence_id": str(evidence.id),
        "import_token": "no-such-import",
    }
