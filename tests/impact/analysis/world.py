"""A small constructed process whose dashboard numbers are known by hand.

Meetings: M1 (agenda item A) with KE UG TZ RW BI FR taking part; M2 (item B) with KE UG TZ.
Recommendations: R1 (M1, A, all participating states of M1), R2 (M1, A, KE and UG),
R3 (M2, B, KE TZ FR), R4 (M2, B, all states of M2, NOT adopted: a draft).
Official reports (the latest on or before the reference date 2026-06-30 counts):
  R1 KE in_progress 2025-03-01 v1 -> implemented 2025-09-01 v2
  R1 UG partially_implemented 2025-06-01;  R1 TZ not_applicable 2025-06-01
  R1 RW not_started 2025-05-01;  R2 KE implemented 2026-02-01;  R3 FR implemented 2026-03-01
  R4 KE implemented 2026-04-01 (the draft: counted for organisers only)
  + a shadow report on R1 UG saying "implemented": never counted.
Scores on 2026-06-30 (public view): KE 2/3, UG 0.25, TZ 0 (R1 n/a, R3 unreported), RW 0, BI 0,
FR 0.5. Meetings attended: KE UG TZ 2, RW BI FR 1.
Papers: an organisation in KE has a public paper, a restricted one and a draft; one in FR has a
public paper -> public inputs KE 1, FR 1; staff inputs KE 2, FR 1.
Questionnaire of M1: responses from KE (2: two users) and UG (1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole
from app.evaluations.models import Questionnaire, Response
from app.impact.models import (
    AddresseeScope,
    FollowUpReport,
    MeetingParticipant,
    ParticipantKind,
    Recommendation,
    ReportKind,
)
from app.organisations.models import Organisation
from app.submissions.models import Consent, PaperStatus
from tests.factories import (
    grant,
    make_agenda_item,
    make_meeting,
    make_organisation,
    make_paper,
    make_process,
    make_user,
)

AS_OF = date(2026, 6, 30)
M1_COUNTRIES = ("KE", "UG", "TZ", "RW", "BI", "FR")
M2_COUNTRIES = ("KE", "UG", "TZ")


@dataclass
class ImpactWorld:
    process: Process
    m1: Meeting
    m2: Meeting
    item_a: AgendaItem
    item_b: AgendaItem
    recs: dict[str, Recommendation]
    organiser: User
    moderator: User
    shadow_org: Organisation


def add_recommendation(
    db: Session,
    meeting: Meeting,
    item: AgendaItem | None,
    number: str,
    *,
    countries: tuple[str, ...] = (),
    adopted: bool = True,
) -> Recommendation:
    rec = Recommendation(
        process_id=meeting.process_id,
        meeting_id=meeting.id,
        agenda_item_id=item.id if item else None,
        number=number,
        text=f"Recommendation {number}",
        adopted_on=meeting.ends_on if adopted else None,
        addressee_scope=AddresseeScope.countries if countries else AddresseeScope.all_states,
        countries=list(countries),
        regions=[],
    )
    db.add(rec)
    db.flush()
    return rec


def add_report(
    db: Session,
    rec: Recommendation,
    country: str,
    status: str,
    on: date,
    version: int = 1,
    organisation: Organisation | None = None,
) -> FollowUpReport:
    kind = ReportKind.shadow if organisation else ReportKind.official
    key = f"{rec.id}:{country}:{kind.value}" + (f":{organisation.id}" if organisation else "")
    report = FollowUpReport(
        recommendation_id=rec.id,
        country=country,
        kind=kind,
        organisation_id=organisation.id if organisation else None,
        thread_key=key,
        version=version,
        status=status,
        reported_on=on,
    )
    db.add(report)
    db.flush()
    return report


def add_participants(db: Session, meeting: Meeting, countries: tuple[str, ...]) -> None:
    for code in countries:
        db.add(
            MeetingParticipant(meeting_id=meeting.id, kind=ParticipantKind.country, country=code)
        )
    db.flush()


def build_world(db: Session) -> ImpactWorld:
    process = make_process(db, title="Dialogue <on> migration & 'mobility'")
    m1 = make_meeting(db, process, starts_on=date(2025, 1, 10), ends_on=date(2025, 1, 12))
    m2 = make_meeting(db, process, starts_on=date(2026, 1, 10), ends_on=date(2026, 1, 12))
    item_a = make_agenda_item(db, m1, number="A", title="Labour migration")
    item_b = make_agenda_item(db, m2, number="B", title="Remittances")
    add_participants(db, m1, M1_COUNTRIES)
    add_participants(db, m2, M2_COUNTRIES)
    r1 = add_recommendation(db, m1, item_a, "1.1")
    r2 = add_recommendation(db, m1, item_a, "1.2", countries=("KE", "UG"))
    r3 = add_recommendation(db, m2, item_b, "2.1", countries=("KE", "TZ", "FR"))
    r4 = add_recommendation(db, m2, item_b, "2.2", adopted=False)

    add_report(db, r1, "KE", "in_progress", date(2025, 3, 1), 1)
    add_report(db, r1, "KE", "implemented", date(2025, 9, 1), 2)
    add_report(db, r1, "UG", "partially_implemented", date(2025, 6, 1))
    add_report(db, r1, "TZ", "not_applicable", date(2025, 6, 1))
    add_report(db, r1, "RW", "not_started", date(2025, 5, 1))
    add_report(db, r2, "KE", "implemented", date(2026, 2, 1))
    add_report(db, r3, "FR", "implemented", date(2026, 3, 1))
    add_report(db, r4, "KE", "implemented", date(2026, 4, 1))
    shadow_org = make_organisation(db, country="UG")
    add_report(db, r1, "UG", "implemented", date(2025, 7, 1), organisation=shadow_org)

    kenyan = make_organisation(db, country="KE")
    french = make_organisation(db, country="FR")
    make_paper(db, m1, kenyan, consent=Consent.public_named)
    make_paper(db, m2, kenyan, consent=Consent.restricted)
    make_paper(db, m2, kenyan, status=PaperStatus.draft)
    make_paper(db, m1, french, consent=Consent.public_anonymous)

    questionnaire = Questionnaire(meeting_id=m1.id, title="Evaluation")
    db.add(questionnaire)
    db.flush()
    for country in ("KE", "KE", "UG"):
        db.add(
            Response(
                questionnaire_id=questionnaire.id, respondent_id=make_user(db).id, country=country
            )
        )
    db.flush()

    organiser = make_user(db)
    grant(db, organiser, process, ProcessRole.organiser)
    moderator = make_user(db)
    grant(db, moderator, process, ProcessRole.moderator)
    return ImpactWorld(
        process=process,
        m1=m1,
        m2=m2,
        item_a=item_a,
        item_b=item_b,
        recs={"1.1": r1, "1.2": r2, "2.1": r3, "2.2": r4},
        organiser=organiser,
        moderator=moderator,
        shadow_org=shadow_org,
    )


@pytest.fixture
def iw(db: Session) -> ImpactWorld:
    return build_world(db)
