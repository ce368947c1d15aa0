"""The follow-up demo: two meetings' recommendations, ten reporting countries over two years,
shadow reports from two organisations, focal points who can sign in; loaded once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import demo
from app.accounts import service as accounts
from app.config import Settings
from app.consultations import service as consultations
from app.impact import demo as impact_demo
from app.impact import participation, service
from app.impact.models import FollowUpReport, ImplementationStatus, ReportingRound, ReportKind

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_demo_follow_up(db: Session, settings: Settings) -> None:
    assert demo.load(db, settings, NOW) is True
    process = consultations.get_process_page(db, impact_demo.PROCESS_SLUG)
    recs = service.list_recommendations(db, process)
    by_meeting: dict[int, int] = {}
    for rec in recs:
        by_meeting[rec.meeting_id] = by_meeting.get(rec.meeting_id, 0) + 1
    assert sorted(by_meeting.values()) == [6, 7]
    focal = participation.list_focal_points(db, process)
    assert sorted(fp.country for fp in focal) == sorted(impact_demo.COUNTRIES)
    demo_ids = {u.id for u in accounts.demo_users(db)}
    assert all(fp.user_id in demo_ids for fp in focal)  # they can sign in in demo mode

    official = list(
        db.scalars(select(FollowUpReport).where(FollowUpReport.kind == ReportKind.official))
    )
    assert {r.country for r in official} == set(impact_demo.COUNTRIES)
    assert len({r.status for r in official}) == len(ImplementationStatus)  # every status occurs
    years = {r.reported_on.year for r in official}
    assert len(years) >= 2
    assert max(r.version for r in official) >= 3  # progress over time, as versions
    shadow = list(
        db.scalars(select(FollowUpReport).where(FollowUpReport.kind == ReportKind.shadow))
    )
    assert len({r.organisation_id for r in shadow}) == 2
    assert db.scalars(select(ReportingRound)).one().process_id == process.id

    count = db.scalar(select(func.count(FollowUpReport.id)))
    assert demo.load(db, settings, NOW) is False
    assert db.scalar(select(func.count(FollowUpReport.id))) == count
