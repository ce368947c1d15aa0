"""Filing follow-up reports: who may file what, versioning, official beside shadow."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.errors import Conflict, Forbidden, NotFound
from app.impact import reports
from app.impact.models import (
    AddresseeScope,
    FollowUpReport,
    ImplementationStatus,
    ReportKind,
)
from app.impact.schemas import ReportCreate
from app.organisations.models import Verification
from tests.factories import make_meeting, make_organisation, make_process, make_user
from tests.impact.factories import (
    ImpactWorld,
    add_country,
    impact_world,
    make_focal_point,
    make_recommendation,
)


@pytest.fixture
def world(db: Session) -> ImpactWorld:
    return impact_world(db)


def _data(status: str = "in_progress", base: int = 0, **kw: object) -> ReportCreate:
    values: dict[str, object] = {
        "status": status,
        "narrative": "A national action plan was drafted.",
        "reported_on": date(2026, 6, 30),
        "base_version": base,
    }
    values.update(kw)
    return ReportCreate.model_validate(values)


def _official(db: Session, w: ImpactWorld, user=None, country: str = "KG", **kw: object):  # type: ignore[no-untyped-def]
    return reports.file_report(
        db,
        user or w.focal_kg,
        w.recommendation,
        country,
        ReportKind.official,
        None,
        _data(**kw),  # type: ignore[arg-type]
    )


def test_focal_point_files_official_report_for_its_country(db: Session, world: ImpactWorld) -> None:
    report = _official(db, world, links=["https://gov.example/plan.pdf"])
    assert report.version == 1
    assert report.thread_key == f"{world.recommendation.id}:KG:official"
    assert [e.url for e in report.evidence] == ["https://gov.example/plan.pdf"]
    event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "follow_up_report", AuditEvent.object_id == report.id
        )
    ).one()
    assert event.action == "report.file_official"
    assert event.actor_id == world.focal_kg.id


def test_focal_point_of_one_country_cannot_report_for_another(
    db: Session, world: ImpactWorld
) -> None:
    with pytest.raises(Forbidden):
        _official(db, world, country="KZ")
    assert db.scalars(select(FollowUpReport)).first() is None


def test_focal_point_of_another_process_cannot_report(db: Session, world: ImpactWorld) -> None:
    elsewhere = make_user(db)
    make_focal_point(db, elsewhere, make_process(db), "KG")
    with pytest.raises(Forbidden):
        _official(db, world, user=elsewhere)


def test_focal_point_cannot_report_on_a_recommendation_not_addressed_to_it(
    db: Session, world: ImpactWorld
) -> None:
    world.recommendation.addressee_scope = AddresseeScope.countries
    world.recommendation.countries = ["KZ"]
    db.flush()
    with pytest.raises(Forbidden):
        _official(db, world)
    # ... but a region that holds its country does address it (Central Asia, M49 143)
    world.recommendation.addressee_scope = AddresseeScope.regions
    world.recommendation.countries = []
    world.recommendation.regions = ["143"]
    db.flush()
    assert _official(db, world).version == 1


def test_all_states_means_the_participating_countries(db: Session, world: ImpactWorld) -> None:
    make_focal_point(db, world.focal_kg, world.process, "TJ")  # TJ did not take part
    with pytest.raises(Forbidden):
        _official(db, world, country="TJ")
    add_country(db, world.meeting, "TJ")
    assert _official(db, world, country="TJ").country == "TJ"


def test_organisers_and_admins_do_not_file_official_reports(
    db: Session, world: ImpactWorld
) -> None:
    admin = make_user(db, is_admin=True)
    for user in (world.organiser, admin, world.org_owner):
        with pytest.raises(Forbidden):
            _official(db, world, user=user)


def test_unknown_country_is_not_found(db: Session, world: ImpactWorld) -> None:
    with pytest.raises(NotFound):
        _official(db, world, country="XX")


def test_draft_recommendation_takes_no_reports(db: Session, world: ImpactWorld) -> None:
    world.recommendation.adopted_on = None
    db.flush()
    with pytest.raises(Forbidden):
        _official(db, world)


def test_new_version_supersedes_and_keeps_the_old_one(db: Session, world: ImpactWorld) -> None:
    first = _official(db, world, links=["https://gov.example/a"])
    second = _official(
        db,
        world,
        status="implemented",
        base=1,
        links=["https://gov.example/b", "https://gov.example/a"],  # a is carried over once
    )
    assert (second.version, second.supersedes_id) == (2, first.id)
    db.refresh(first)
    assert first.status is ImplementationStatus.in_progress  # untouched
    assert sorted(e.url for e in second.evidence) == [
        "https://gov.example/a",
        "https://gov.example/b",
    ]
    history = reports.history(db, world.recommendation, "KG")
    assert [r.version for r in history.official] == [2, 1]


def test_stale_base_version_is_a_conflict(db: Session, world: ImpactWorld) -> None:
    _official(db, world)
    with pytest.raises(Conflict):
        _official(db, world, base=0)
    with pytest.raises(Conflict):
        _official(db, world, base=5)


def test_organisation_files_shadow_report_beside_the_official(
    db: Session, world: ImpactWorld
) -> None:
    official = _official(db, world, status="implemented")
    shadow = reports.file_report(
        db,
        world.org_member,
        world.recommendation,
        "KG",
        ReportKind.shadow,
        world.org.id,
        _data(status="not_started", narrative="Nothing has changed for workers."),
    )
    assert shadow.thread_key != official.thread_key
    assert shadow.organisation_id == world.org.id
    rows = {
        row.country: row
        for row in reports.overview(db, world.recommendation, frozenset({"KG", "KZ"}))
    }
    assert rows["KG"].official is not None
    assert rows["KG"].official.status is ImplementationStatus.implemented
    assert [s.status for s in rows["KG"].shadows] == [ImplementationStatus.not_started]
    assert rows["KZ"].official is None


def test_organisation_cannot_file_or_edit_an_official_report(
    db: Session, world: ImpactWorld
) -> None:
    _official(db, world)
    for user in (world.org_owner, world.org_member):
        with pytest.raises(Forbidden):
            reports.file_report(
                db, user, world.recommendation, "KG", ReportKind.official, None, _data(base=1)
            )
    # a shadow report names its own thread: it never becomes a version of the official one
    shadow = reports.file_report(
        db, world.org_member, world.recommendation, "KG", ReportKind.shadow, world.org.id, _data()
    )
    assert shadow.version == 1
    assert len(reports.history(db, world.recommendation, "KG").official) == 1


def test_shadow_report_needs_membership_of_a_verified_organisation(
    db: Session, world: ImpactWorld
) -> None:
    with pytest.raises(Forbidden):  # not a member
        reports.file_report(
            db, world.outsider, world.recommendation, "KG", ReportKind.shadow, world.org.id, _data()
        )
    pending = make_organisation(db, owner=world.outsider)  # not verified
    with pytest.raises(Forbidden):
        reports.file_report(
            db, world.outsider, world.recommendation, "KG", ReportKind.shadow, pending.id, _data()
        )
    pending.verification = Verification.verified
    db.flush()
    assert (
        reports.file_report(
            db, world.outsider, world.recommendation, "KG", ReportKind.shadow, pending.id, _data()
        ).organisation_id
        == pending.id
    )


def test_shadow_report_only_on_addressed_countries(db: Session, world: ImpactWorld) -> None:
    with pytest.raises(Forbidden):
        reports.file_report(
            db,
            world.org_member,
            world.recommendation,
            "FR",
            ReportKind.shadow,
            world.org.id,
            _data(),
        )


def test_reports_of_another_meetings_recommendation_are_separate(
    db: Session, world: ImpactWorld
) -> None:
    other_meeting = make_meeting(db, world.process)
    add_country(db, other_meeting, "KG")
    other = make_recommendation(db, other_meeting, number="1")
    _official(db, world)
    report = reports.file_report(
        db, world.focal_kg, other, "KG", ReportKind.official, None, _data()
    )
    assert report.version == 1


def test_status_on_a_day_uses_the_latest_version_speaking_for_it(
    db: Session, world: ImpactWorld
) -> None:
    _official(db, world, status="not_started", reported_on=date(2025, 1, 1))
    _official(db, world, status="implemented", reported_on=date(2026, 1, 1), base=1)
    versions = reports.history(db, world.recommendation, "KG").official
    assert reports.status_on(versions, date(2024, 12, 31)) is None
    assert reports.status_on(versions, date(2025, 6, 1)) is ImplementationStatus.not_started
    assert reports.status_on(versions, date(2026, 6, 1)) is ImplementationStatus.implemented


def test_a_report_cannot_speak_for_the_future(db: Session, world: ImpactWorld) -> None:
    from datetime import timedelta

    from app.errors import FormError

    with pytest.raises(FormError) as caught:
        _official(db, world, reported_on=date.today() + timedelta(days=10))
    assert "reported_on" in caught.value.fields
