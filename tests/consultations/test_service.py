from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.consultations import service
from app.consultations.models import ProcessRole, RoleGrant
from app.consultations.schemas import (
    GrantCreate,
    MeetingCreate,
    MeetingUpdate,
    ProcessCreate,
    ProcessUpdate,
    SubmissionStatus,
)
from app.errors import Forbidden, FormError, NotFound
from tests.factories import grant, make_meeting, make_process, make_user


def actions(db: Session, object_type: str, object_id: int) -> list[str]:
    stmt = select(AuditEvent.action).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == object_id
    )
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def meeting_data(**kw: object) -> MeetingCreate:
    values: dict[str, object] = {
        "title": "Regional review 2026",
        "starts_on": "2026-12-02",
        "ends_on": "2026-12-03",
        "venue": "Bishkek",
        "timezone": "Asia/Bishkek",
        "languages": ["en", "ru"],
        "submissions_open_at": "2026-10-01T09:00",
        "submissions_close_at": "2026-12-01T18:00",
    }
    values.update(kw)
    return MeetingCreate.model_validate(values)


# --- slugs and processes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Asia-Pacific Dialogue 2026", "asia-pacific-dialogue-2026"),
        ("  Réunion régionale — Genève ", "reunion-regionale-geneve"),
        ("حوار إقليمي", "process"),
        ("New", "process"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert service.slugify(title, "process") == slug


def test_create_process_derives_a_unique_slug_and_is_audited(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    data = ProcessCreate(title="Global Compact Review", regions=["Asia", " Asia ", "Europe"])
    first = service.create_process(db, admin, data)
    second = service.create_process(db, admin, data)
    assert first.slug == "global-compact-review"
    assert second.slug == "global-compact-review-2"
    assert first.regions == ["Asia", "Europe"]
    assert actions(db, "process", first.id) == ["process.create"]


def test_create_process_refuses_a_taken_slug_and_non_admins(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    make_process(db, slug="taken")
    with pytest.raises(FormError) as exc:
        service.create_process(db, admin, ProcessCreate(title="T", slug="taken"))
    assert "slug" in exc.value.fields
    with pytest.raises(Forbidden):
        service.create_process(db, make_user(db), ProcessCreate(title="T"))


def test_update_process_keeps_its_own_slug_and_audits_changes(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    process = make_process(db, slug="mine", title="Old")
    make_process(db, slug="theirs")
    service.update_process(db, admin, process, ProcessUpdate(title="New title", slug="mine"))
    assert (process.title, process.slug) == ("New title", "mine")
    with pytest.raises(FormError):
        service.update_process(db, admin, process, ProcessUpdate(slug="theirs"))
    assert process.slug == "mine"
    assert actions(db, "process", process.id) == ["process.update"]


# --- roles ---------------------------------------------------------------------------------------


def test_roles_of_and_is_moderator_anywhere(db: Session) -> None:
    user = make_user(db)
    p1, p2 = make_process(db), make_process(db)
    assert service.roles_of(db, user.id) == {}
    assert not service.is_moderator_anywhere(db, user.id)
    grant(db, user, p1, ProcessRole.moderator)
    grant(db, user, p1, ProcessRole.organiser)
    grant(db, user, p2, ProcessRole.moderator)
    assert service.roles_of(db, user.id) == {
        p1.id: {ProcessRole.moderator, ProcessRole.organiser},
        p2.id: {ProcessRole.moderator},
    }
    assert service.is_moderator_anywhere(db, user.id)


def test_organisers_count_as_moderators_anywhere(db: Session) -> None:
    user = make_user(db)
    grant(db, user, make_process(db), ProcessRole.organiser)
    assert service.is_moderator_anywhere(db, user.id)


def test_grant_and_revoke_are_audited(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    target = make_user(db, email="Target@Example.org")
    process = make_process(db)
    role_grant = service.grant_role(
        db, admin, process, GrantCreate(email="target@example.org", role=ProcessRole.organiser)
    )
    assert service.roles_in(db, target, process.id) == {ProcessRole.organiser}
    service.revoke_grant(db, admin, process, role_grant.id)
    assert service.roles_in(db, target, process.id) == set()
    assert actions(db, "role_grant", role_grant.id) == ["role.grant", "role.revoke"]


def test_organisers_grant_moderators_but_not_organisers(db: Session) -> None:
    organiser, target = make_user(db), make_user(db)
    process = make_process(db)
    grant(db, organiser, process, ProcessRole.organiser)
    moderator = GrantCreate(email=target.email or "", role=ProcessRole.moderator)
    service.grant_role(db, organiser, process, moderator)
    with pytest.raises(Forbidden):
        service.grant_role(
            db, organiser, process, GrantCreate(email=target.email or "", role="organiser")
        )
    other_organiser = grant(db, target, process, ProcessRole.organiser)
    with pytest.raises(Forbidden):
        service.revoke_grant(db, organiser, process, other_organiser.id)


def test_grant_errors_name_the_email_field(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    process = make_process(db)
    with pytest.raises(FormError) as unknown:
        service.grant_role(db, admin, process, GrantCreate(email="nobody@x.org", role="moderator"))
    assert "signed in" in unknown.value.fields["email"]
    target = make_user(db)
    grant(db, target, process, ProcessRole.moderator)
    with pytest.raises(FormError) as twice:
        service.grant_role(
            db, admin, process, GrantCreate(email=target.email or "", role="moderator")
        )
    assert "already" in twice.value.fields["email"]


def test_revoke_refuses_a_grant_of_another_process(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    mine, theirs = make_process(db), make_process(db)
    foreign = grant(db, make_user(db), theirs, ProcessRole.moderator)
    with pytest.raises(NotFound):
        service.revoke_grant(db, admin, mine, foreign.id)
    with pytest.raises(NotFound):
        service.revoke_grant(db, admin, mine, 2**40)
    assert db.get(RoleGrant, foreign.id) is not None


# --- meetings ------------------------------------------------------------------------------------


def test_local_window_is_stored_in_utc(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    meeting = service.create_meeting(db, admin, make_process(db), meeting_data())
    assert meeting.submissions_close_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert meeting.submissions_open_at == datetime(2026, 10, 1, 3, 0, tzinfo=UTC)
    assert meeting.slug == "regional-review-2026"
    assert service.utc_to_local_input(meeting.submissions_close_at, "Asia/Bishkek") == (
        "2026-12-01T18:00"
    )
    assert actions(db, "meeting", meeting.id) == ["meeting.create"]


def test_aware_times_are_taken_as_given(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    data = meeting_data(submissions_close_at="2026-12-01T18:00:00+01:00")
    meeting = service.create_meeting(db, admin, make_process(db), data)
    assert meeting.submissions_close_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def test_local_time_skipped_by_a_clock_change_is_refused(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    data = meeting_data(timezone="Europe/Zurich", submissions_open_at="2026-03-29T02:30")
    with pytest.raises(FormError) as exc:
        service.create_meeting(db, admin, make_process(db), data)
    assert "clock" in exc.value.fields["submissions_open_at"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": "2026-12-01"}, "ends_on"),
        ({"submissions_close_at": "2026-10-01T09:00"}, "submissions_close_at"),
        ({"submissions_close_at": "2026-09-01T09:00"}, "submissions_close_at"),
        ({"submissions_close_at": None}, "submissions_close_at"),
        ({"submissions_open_at": None}, "submissions_open_at"),
        ({"venue": "", "online": False}, "venue"),
    ],
)
def test_meeting_rules_across_fields(db: Session, changes: dict[str, object], field: str) -> None:
    admin = make_user(db, is_admin=True)
    with pytest.raises(FormError) as exc:
        service.create_meeting(db, admin, make_process(db), meeting_data(**changes))
    assert field in exc.value.fields


def test_meeting_without_window_and_online_only_is_fine(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    data = meeting_data(venue="", online=True, submissions_open_at=None, submissions_close_at=None)
    meeting = service.create_meeting(db, admin, make_process(db), data)
    assert meeting.submissions_open_at is None
    assert service.submission_status(meeting, datetime.now(UTC)) is SubmissionStatus.unscheduled


def test_meeting_slugs_are_unique_per_process(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    p1, p2 = make_process(db), make_process(db)
    service.create_meeting(db, admin, p1, meeting_data(slug="review"))
    service.create_meeting(db, admin, p2, meeting_data(slug="review"))
    auto = service.create_meeting(db, admin, p1, meeting_data(slug="", title="Review"))
    assert auto.slug == "review-2"
    with pytest.raises(FormError) as exc:
        service.create_meeting(db, admin, p1, meeting_data(slug="review"))
    assert "slug" in exc.value.fields


def test_partial_update_checks_the_merged_meeting(db: Session) -> None:
    admin = make_user(db, is_admin=True)
    meeting = service.create_meeting(db, admin, make_process(db), meeting_data())
    with pytest.raises(FormError):
        service.update_meeting(db, admin, meeting, MeetingUpdate(starts_on=date(2026, 12, 9)))
    assert meeting.starts_on == date(2026, 12, 2)
    service.update_meeting(db, admin, meeting, MeetingUpdate(timezone="Europe/Zurich"))
    assert meeting.submissions_close_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    service.update_meeting(
        db,
        admin,
        meeting,
        MeetingUpdate.model_validate({"submissions_close_at": "2026-12-01T18:00"}),
    )
    assert meeting.submissions_close_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert actions(db, "meeting", meeting.id) == [
        "meeting.create",
        "meeting.update",
        "meeting.update",
    ]


def test_update_schema_refuses_null_for_required_fields() -> None:
    with pytest.raises(ValueError, match="cannot be empty"):
        MeetingUpdate.model_validate({"title": None})
    assert MeetingUpdate.model_validate({"submissions_open_at": None}).changes() == {
        "submissions_open_at": None
    }


# --- public listing ------------------------------------------------------------------------------


def test_submission_status_boundaries(db: Session) -> None:
    opens = datetime(2026, 10, 1, tzinfo=UTC)
    closes = datetime(2026, 12, 1, tzinfo=UTC)
    meeting = make_meeting(
        db, make_process(db), submissions_open_at=opens, submissions_close_at=closes
    )
    second = timedelta(seconds=1)
    assert service.submission_status(meeting, opens - second) is SubmissionStatus.upcoming
    assert service.submission_status(meeting, opens) is SubmissionStatus.open
    assert service.submission_status(meeting, closes - second) is SubmissionStatus.open
    assert service.submission_status(meeting, closes) is SubmissionStatus.closed


def test_open_consultations_lists_current_processes_only(db: Session) -> None:
    now = datetime.now(UTC)
    today = now.date()
    current, past, no_meetings = make_process(db), make_process(db), make_process(db)
    upcoming = make_meeting(db, current)
    make_meeting(
        db,
        past,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=29),
        submissions_open_at=now - timedelta(days=90),
        submissions_close_at=now - timedelta(days=60),
    )
    late_window = make_meeting(
        db,
        current,
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=9),
        submissions_open_at=now - timedelta(days=1),
        submissions_close_at=now + timedelta(days=1),
    )
    listed = service.open_consultations(db, now)
    ids = [summary.process.id for summary in listed]
    assert current.id in ids
    assert past.id not in ids
    assert no_meetings.id not in ids
    mine = next(s for s in listed if s.process.id == current.id)
    assert {m.meeting.id for m in mine.meetings} == {upcoming.id, late_window.id}
    assert all(m.status is SubmissionStatus.open for m in mine.meetings)


def test_a_meeting_ending_today_in_its_own_time_zone_is_still_listed(db: Session) -> None:
    now = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 2 December, 09:00 in Auckland
    process = make_process(db)
    make_meeting(
        db,
        process,
        timezone="Pacific/Auckland",
        starts_on=date(2026, 12, 2),
        ends_on=date(2026, 12, 2),
        submissions_open_at=None,
        submissions_close_at=None,
    )
    assert [s.process.id for s in service.open_consultations(db, now)] == [process.id]
    later = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 3 December in Auckland
    assert service.open_consultations(db, later) == []
