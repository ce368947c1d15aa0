from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.consultations import agenda, service
from app.consultations.models import AgendaItem, Meeting
from app.consultations.schemas import AgendaItemCreate, AgendaItemUpdate
from app.errors import FormError
from tests.factories import make_agenda_item, make_meeting, make_process, make_user

OPENS = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def meeting(db: Session) -> Meeting:
    return make_meeting(
        db,
        make_process(db),
        timezone="Asia/Bishkek",
        submissions_open_at=OPENS,
        submissions_close_at=CLOSES,
    )


def numbers(db: Session, meeting: Meeting) -> list[str]:
    return [item.number for item in agenda.list_items(db, meeting)]


def add(db: Session, meeting: Meeting, number: str, **kw: object) -> AgendaItem:
    admin = make_user(db, is_admin=True)
    data = AgendaItemCreate.model_validate({"number": number, "title": f"Item {number}", **kw})
    return agenda.add_item(db, admin, meeting, data)


# --- adding and editing --------------------------------------------------------------------------


def test_items_are_appended_in_order_and_audited(db: Session, meeting: Meeting) -> None:
    first = add(db, meeting, "1")
    add(db, meeting, "2.A")
    add(db, meeting, "2.b.ii")
    assert numbers(db, meeting) == ["1", "2.a", "2.b.ii"]
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == first.id))
    assert "agenda_item.create" in list(events)


@pytest.mark.parametrize("number", ["", "a", "2.", ".2", "2..a", "2 a", "1234", "2.a.b.c.d", "2-a"])
def test_bad_numbers_are_refused(number: str) -> None:
    with pytest.raises(ValueError, match="number such as"):
        AgendaItemCreate.model_validate({"number": number, "title": "T"})


def test_numbers_are_unique_per_meeting(db: Session, meeting: Meeting) -> None:
    add(db, meeting, "2.a")
    with pytest.raises(FormError) as exc:
        add(db, meeting, "2.A")
    assert "number" in exc.value.fields
    other = make_meeting(db, make_process(db))
    add(db, other, "2.a")  # another meeting may reuse it


def test_update_keeps_own_number_and_refuses_anothers(db: Session, meeting: Meeting) -> None:
    admin = make_user(db, is_admin=True)
    one, two = add(db, meeting, "1"), add(db, meeting, "2")
    agenda.update_item(db, admin, meeting, one, AgendaItemUpdate(number="1", title="Renamed"))
    assert one.title == "Renamed"
    with pytest.raises(FormError):
        agenda.update_item(db, admin, meeting, two, AgendaItemUpdate(number="1"))
    assert two.number == "2"


def test_own_closing_time_is_local_to_the_meeting(db: Session, meeting: Meeting) -> None:
    item = add(db, meeting, "3", closes_at="2026-11-15T18:00")
    assert item.closes_at == datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


# --- order ---------------------------------------------------------------------------------------


def test_move_up_and_down(db: Session, meeting: Meeting) -> None:
    admin = make_user(db, is_admin=True)
    one, two, three = (add(db, meeting, n) for n in ("1", "2", "3"))
    agenda.move_item(db, admin, meeting, three, agenda.Direction.up)
    assert numbers(db, meeting) == ["1", "3", "2"]
    agenda.move_item(db, admin, meeting, one, agenda.Direction.down)
    assert numbers(db, meeting) == ["3", "1", "2"]
    agenda.move_item(db, admin, meeting, three, agenda.Direction.up)  # already first
    agenda.move_item(db, admin, meeting, two, agenda.Direction.down)  # already last
    assert numbers(db, meeting) == ["3", "1", "2"]
    assert [i.position for i in agenda.list_items(db, meeting)] == [1, 2, 3]


def test_move_to_index_is_clamped(db: Session, meeting: Meeting) -> None:
    admin = make_user(db, is_admin=True)
    one = add(db, meeting, "1")
    add(db, meeting, "2")
    add(db, meeting, "3")
    agenda.update_item(db, admin, meeting, one, AgendaItemUpdate(position=99))
    assert numbers(db, meeting) == ["2", "3", "1"]
    agenda.move_item_to(db, admin, meeting, one, 0)
    assert numbers(db, meeting) == ["1", "2", "3"]


def test_positions_survive_gaps_from_factories(db: Session, meeting: Meeting) -> None:
    admin = make_user(db, is_admin=True)
    a = make_agenda_item(db, meeting, number="1", position=10)
    make_agenda_item(db, meeting, number="2", position=10)
    agenda.move_item(db, admin, meeting, a, agenda.Direction.down)
    assert numbers(db, meeting) == ["2", "1"]


def test_delete(db: Session, meeting: Meeting) -> None:
    admin = make_user(db, is_admin=True)
    one = add(db, meeting, "1")
    add(db, meeting, "2")
    agenda.delete_item(db, admin, one)
    assert numbers(db, meeting) == ["2"]


# --- is_open_for_papers --------------------------------------------------------------------------


def item(db: Session, meeting: Meeting, **kw: object) -> AgendaItem:
    return make_agenda_item(db, meeting, **kw)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (OPENS - SECOND, False),
        (OPENS, True),
        (CLOSES - SECOND, True),
        (CLOSES, False),
        (CLOSES + timedelta(days=1), False),
    ],
)
def test_open_within_the_meeting_window(
    db: Session, meeting: Meeting, now: datetime, expected: bool
) -> None:
    assert service.is_open_for_papers(item(db, meeting), meeting, now) is expected


def test_item_closing_earlier_wins(db: Session, meeting: Meeting) -> None:
    own = CLOSES - timedelta(days=10)
    early = item(db, meeting, closes_at=own)
    assert service.is_open_for_papers(early, meeting, own - SECOND)
    assert not service.is_open_for_papers(early, meeting, own)
    assert service.papers_close_at(early, meeting) == own


def test_item_closing_later_does_not_extend_the_window(db: Session, meeting: Meeting) -> None:
    late = item(db, meeting, closes_at=CLOSES + timedelta(days=10))
    assert not service.is_open_for_papers(late, meeting, CLOSES + SECOND)
    assert service.papers_close_at(late, meeting) == CLOSES


def test_item_closed_for_papers(db: Session, meeting: Meeting) -> None:
    closed = item(db, meeting, papers_open=False)
    assert not service.is_open_for_papers(closed, meeting, OPENS + SECOND)


def test_meeting_without_window_is_never_open(db: Session) -> None:
    unscheduled = make_meeting(
        db, make_process(db), submissions_open_at=None, submissions_close_at=None
    )
    assert not service.is_open_for_papers(item(db, unscheduled), unscheduled, OPENS)


def test_naive_now_is_a_programming_error(db: Session, meeting: Meeting) -> None:
    with pytest.raises(ValueError, match="aware"):
        service.is_open_for_papers(item(db, meeting), meeting, datetime(2026, 11, 1))


def test_other_time_zones_compare_as_instants(db: Session, meeting: Meeting) -> None:
    from zoneinfo import ZoneInfo

    just_before_close = datetime(2026, 12, 1, 17, 59, tzinfo=ZoneInfo("Asia/Bishkek"))
    assert service.is_open_for_papers(item(db, meeting), meeting, just_before_close)
