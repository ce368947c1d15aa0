"""Submission windows, in the meeting's time zone; agenda items closed to papers; late-submission
exceptions granted by organisers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.errors import FormError
from app.storage import LocalStorage
from app.submissions import window
from app.submissions.models import LateException
from app.submissions.schemas import LateExceptionCreate
from app.submissions.window import SubmissionsClosed
from tests.factories import make_agenda_item
from tests.submissions.conftest import World, a_pdf, assert_nothing_stored, paper_count, upload
from tests.support.web import post_form, sign_in

OPENS = datetime(2031, 3, 10, 3, 0, tzinfo=UTC)  # 09:00 in Bishkek (UTC+6)
CLOSES = datetime(2031, 4, 1, 17, 59, tzinfo=UTC)  # 23:59 in Bishkek


@pytest.fixture
def scheduled(db: Session, world: World) -> World:
    world.meeting.submissions_open_at = OPENS
    world.meeting.submissions_close_at = CLOSES
    db.flush()
    return world


# --- the rules, at exact instants ---------------------------------------------------------------


def test_the_window_opens_at_its_opening_instant_and_closes_at_its_closing_instant(
    scheduled: World,
) -> None:
    meeting, items = scheduled.meeting, [scheduled.item]
    with pytest.raises(SubmissionsClosed) as early:
        window.check_open(meeting, items, None, OPENS - timedelta(microseconds=1))
    assert early.value.message == (
        "Submissions to this meeting open on Mar 10, 2031, 9:00\u202fAM (Asia/Bishkek)."
    )
    window.check_open(meeting, items, None, OPENS)
    window.check_open(meeting, items, None, CLOSES - timedelta(microseconds=1))
    with pytest.raises(SubmissionsClosed) as late:
        window.check_open(meeting, items, None, CLOSES)
    assert late.value.message == (
        "Submissions to this meeting closed on Apr 1, 2031, 11:59\u202fPM (Asia/Bishkek)."
    )
    assert late.value.status == 403


def test_local_times_follow_the_meeting_time_zone_across_a_clock_change(
    scheduled: World,
) -> None:
    scheduled.meeting.timezone = "America/New_York"  # DST starts on 9 March 2031
    with pytest.raises(SubmissionsClosed) as caught:
        window.check_open(scheduled.meeting, [scheduled.item], None, CLOSES)
    assert "Apr 1, 2031, 1:59\u202fPM (America/New_York)" in caught.value.message  # UTC-4
    with pytest.raises(SubmissionsClosed) as early:
        window.check_open(scheduled.meeting, [scheduled.item], None, OPENS - timedelta(days=5))
    assert "Mar 9, 2031" in early.value.message  # the opening day in New York (UTC-4 by then)
    assert "11:00\u202fPM" in early.value.message


def test_an_unscheduled_meeting_takes_no_papers(scheduled: World) -> None:
    scheduled.meeting.submissions_open_at = None
    with pytest.raises(SubmissionsClosed, match="has not been announced"):
        window.check_open(scheduled.meeting, [scheduled.item], None, OPENS)


def test_an_item_closes_on_its_own_time_and_one_closed_to_papers_never_opens(
    db: Session, scheduled: World
) -> None:
    early_item = make_agenda_item(
        db, scheduled.meeting, number="4", closes_at=OPENS + timedelta(days=1)
    )
    now = OPENS + timedelta(days=2)
    window.check_open(scheduled.meeting, [scheduled.item], None, now)
    with pytest.raises(FormError) as caught:
        window.check_open(scheduled.meeting, [early_item, scheduled.closed_item], None, now)
    message = caught.value.fields["agenda_item_ids"]
    assert "Papers on agenda item 4 closed on Mar 11, 2031, 9:00\u202fAM" in message
    assert "Agenda item 3 does not take papers." in message


def test_a_late_exception_opens_the_window_for_one_organisation_until_its_time(
    scheduled: World,
) -> None:
    exception = LateException(
        meeting_id=scheduled.meeting.id,
        organisation_id=scheduled.org.id,
        until=CLOSES + timedelta(days=2),
    )
    after_close = CLOSES + timedelta(days=1)
    window.check_open(scheduled.meeting, [scheduled.item], exception, after_close)
    with pytest.raises(SubmissionsClosed):
        window.check_open(scheduled.meeting, [scheduled.item], None, after_close)
    with pytest.raises(SubmissionsClosed):
        window.check_open(scheduled.meeting, [scheduled.item], exception, exception.until)
    with pytest.raises(SubmissionsClosed):  # not before the opening either
        window.check_open(scheduled.meeting, [scheduled.item], exception, OPENS - timedelta(1))
    assert window.deadline(scheduled.meeting, [scheduled.item], exception) == exception.until
    assert window.deadline(scheduled.meeting, [scheduled.item], None) == CLOSES


# --- through the route -----------------------------------------------------------------------


def test_a_submission_before_the_window_is_refused_with_the_local_opening_time(
    client: TestClient, db: Session, scheduled: World, storage: LocalStorage
) -> None:
    sign_in(client, scheduled.member)
    response = upload(client, scheduled.submit_url, scheduled.fields(), a_pdf())
    assert response.status_code == 403
    assert "open on Mar 10, 2031, 9:00" in response.text
    assert "(Asia/Bishkek)" in response.text
    assert_nothing_stored(db, storage)


def test_a_submission_after_the_window_is_refused(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    now = datetime.now(UTC)
    world.meeting.submissions_open_at = now - timedelta(days=10)
    world.meeting.submissions_close_at = now - timedelta(minutes=1)
    db.flush()
    sign_in(client, world.member)
    response = upload(client, world.api_submit_url, world.fields(csrf_token=None), a_pdf(),
                      headers={"X-CSRF-Token": "test-csrf-token"})  # fmt: skip
    assert response.status_code == 403
    body = response.json()["error"]
    assert body["code"] == "submissions_closed"
    assert body["message"].startswith("Submissions to this meeting closed on ")
    assert_nothing_stored(db, storage)
    page = client.get(f"{world.meeting_url}/papers/new")
    assert "closed on" in page.text and 'name="file"' not in page.text


def test_items_closed_to_papers_are_refused(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    fields = world.fields(agenda_item_ids=[str(world.item.id), str(world.closed_item.id)])
    response = upload(client, world.submit_url, fields, a_pdf())
    assert response.status_code == 422
    assert "Agenda item 3 does not take papers." in response.text
    assert_nothing_stored(db, storage)


def test_an_agenda_item_of_another_meeting_is_not_found(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    from tests.factories import make_meeting

    other = make_agenda_item(db, make_meeting(db, world.process))
    sign_in(client, world.member)
    for forged in (str(other.id), "999999", "99999999999999"):
        response = upload(client, world.submit_url, world.fields(agenda_item_ids=[forged]),
                          a_pdf())  # fmt: skip
        assert response.status_code in (404, 422), forged
    assert_nothing_stored(db, storage)


def test_a_late_exception_lets_one_organisation_in(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    now = datetime.now(UTC)
    world.meeting.submissions_open_at = now - timedelta(days=10)
    world.meeting.submissions_close_at = now - timedelta(hours=1)
    db.add(
        LateException(
            meeting_id=world.meeting.id, organisation_id=world.org.id, until=now + timedelta(days=1)
        )
    )
    db.flush()
    sign_in(client, world.member)
    page = client.get(f"{world.meeting_url}/papers/new")
    assert 'name="file"' in page.text and "late submission" in page.text
    assert upload(client, world.submit_url, world.fields(), a_pdf()).status_code == 303
    sign_in(client, world.other_owner)
    refused = upload(
        client, world.submit_url, world.fields(organisation_id=str(world.other_org.id)), a_pdf()
    )
    assert refused.status_code == 403
    assert paper_count(db) == 1


# --- organisers grant and revoke exceptions -----------------------------------------------------


def test_an_organiser_grants_an_exception_in_the_meeting_time_zone(
    client: TestClient, db: Session, world: World
) -> None:
    url = f"{world.meeting_url}/late-exceptions"
    sign_in(client, world.organiser)
    assert client.get(url).status_code == 200
    day = datetime.now(UTC) + timedelta(days=40)
    until = day.replace(hour=18, minute=0, second=0, microsecond=0)
    local = until.strftime("%Y-%m-%dT18:00")
    response = post_form(
        client,
        url,
        {"organisation_id": str(world.org.id), "until": local, "reason": "Flooded office"},
    )
    assert response.status_code == 303
    exception = db.scalars(select(LateException)).one()
    assert exception.until == until.replace(hour=12)  # 18:00 in Bishkek is 12:00 UTC
    assert exception.reason == "Flooded office"
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "paper.late_exception.grant")
    ).one()
    assert event.after and event.after["organisation_id"] == world.org.id
    assert world.org.name in client.get(url).text

    revoke = post_form(client, f"{url}/{exception.id}/revoke")
    assert revoke.status_code == 303
    assert db.scalars(select(LateException)).all() == []
    assert db.scalars(
        select(AuditEvent).where(AuditEvent.action == "paper.late_exception.revoke")
    ).one()


def test_an_exception_must_end_after_the_deadline(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.organiser)
    url = f"{world.meeting_url}/late-exceptions"
    too_early = post_form(client, url, {"organisation_id": str(world.org.id),
                                        "until": "2020-01-01T10:00"})  # fmt: skip
    assert too_early.status_code == 422
    assert "Choose a time in the future." in too_early.text
    close = world.meeting.submissions_close_at
    assert close is not None
    before_close = (close - timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    response = post_form(client, url, {"organisation_id": str(world.org.id), "until": before_close})
    assert response.status_code == 422
    assert "after the meeting&#39;s deadline" in response.text
    missing = post_form(client, url, {"organisation_id": "", "until": ""})
    assert missing.status_code == 422
    assert db.scalars(select(LateException)).all() == []


@pytest.mark.parametrize("who", ["moderator", "other_organiser", "other_moderator", "member"])
def test_only_organisers_manage_exceptions(
    client: TestClient, db: Session, world: World, who: str
) -> None:
    sign_in(client, getattr(world, who))
    url = f"{world.meeting_url}/late-exceptions"
    assert client.get(url).status_code == 403
    response = post_form(client, url, {"organisation_id": str(world.org.id),
                                       "until": "2099-01-01T10:00"})  # fmt: skip
    assert response.status_code == 403
    assert db.scalars(select(LateException)).all() == []


def test_granting_twice_moves_the_time(db: Session, world: World) -> None:
    until = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=60)
    data = LateExceptionCreate(organisation_id=world.org.id, until=until)
    first = window.grant_late_exception(db, world.organiser, world.meeting, data)
    later = LateExceptionCreate(organisation_id=world.org.id, until=until + timedelta(days=1))
    second = window.grant_late_exception(db, world.organiser, world.meeting, later)
    assert first.id == second.id  # the same row, moved
    bishkek = ZoneInfo("Asia/Bishkek")
    assert second.until == (until + timedelta(days=1)).replace(tzinfo=bishkek).astimezone(UTC)
    assert len(window.list_late_exceptions(db, world.meeting)) == 1
