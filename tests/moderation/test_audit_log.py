"""Reading the audit log: which events belong to a process, filters, pages, diffs, and who may
read one object's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.consultations import agenda
from app.consultations import service as consultations
from app.consultations.models import Process, ProcessRole
from app.consultations.schemas import GrantCreate
from app.errors import Forbidden, NotFound
from app.moderation import audit_log
from app.moderation.audit_log import LogFilters
from app.moderation.models import ReasonCode
from tests.factories import (
    grant,
    make_agenda_item,
    make_comment,
    make_meeting,
    make_organisation,
    make_paper,
    make_process,
    make_user,
)


@dataclass
class AuditWorld:
    process: Process
    other_process: Process
    people: dict[str, User]
    objects: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (type, id)
    events: dict[str, AuditEvent] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        people: dict[str, User] = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def build_audit_world(db: Session) -> AuditWorld:
    """Events on every kind of object of one process, a few elsewhere, and the people."""
    process = make_process(db, title="Asia Dialogue")
    other_process = make_process(db, title="Other Dialogue")
    people = {
        "admin": make_user(db, name="Ada Admin", is_admin=True),
        "organiser": make_user(db, name="Olga Organiser", email="olga@un.example"),
        "moderator": make_user(db, name="Mo Moderator"),
        "other": make_user(db, name="Otto Elsewhere"),
        "stranger": make_user(db, name="Sam Stranger"),
        "owner": make_user(db, name="=HYPERLINK(1)"),
        "invitee": make_user(db, name="Ivy Invitee", email="ivy@example.org"),
    }
    grant(db, people["organiser"], process, ProcessRole.organiser)
    grant(db, people["moderator"], process, ProcessRole.moderator)
    grant(db, people["other"], other_process, ProcessRole.moderator)
    world = AuditWorld(process, other_process, people)
    meeting = make_meeting(db, process)
    item = make_agenda_item(db, meeting)
    gone = make_agenda_item(db, meeting)
    org = make_organisation(db, owner=people["owner"])
    paper = make_paper(db, meeting, org, people["owner"], [item])
    comment = make_comment(db, item, people["owner"])
    code = ReasonCode(process_id=process.id, code="off-topic", label="Off-topic")
    db.add(code)
    db.flush()
    elsewhere = make_meeting(db, other_process)
    organiser = people["organiser"]

    def record(name: str, actor: User | None, action: str, kind: str, oid: int, **kw: object):
        world.objects[name] = (kind, oid)
        world.events[name] = audit.record(db, actor, action, kind, oid, **kw)  # type: ignore[arg-type]

    record(
        "process",
        organiser,
        "process.update",
        "process",
        process.id,
        before={"title": "A"},
        after={"title": "Asia Dialogue"},
    )
    record("meeting", organiser, "meeting.update", "meeting", meeting.id, after={"venue": "X"})
    record("item", organiser, "agenda_item.update", "agenda_item", item.id, after={"title": "T"})
    record("paper", people["owner"], "paper.submit", "paper", paper.id, after={"title": "P"})
    record(
        "comment",
        people["moderator"],
        "comment.hide",
        "comment",
        comment.id,
        before={"status": "published", "hidden_reason": ""},
        after={"status": "hidden", "hidden_reason": "Spam"},
    )
    record("code", organiser, "reason_code.create", "reason_code", code.id, after={"code": "x"})
    role = consultations.grant_role(
        db, organiser, process, GrantCreate(email="ivy@example.org", role=ProcessRole.moderator)
    )
    consultations.revoke_grant(db, organiser, process, role.id)
    world.objects["grant"] = ("role_grant", role.id)
    gone_id = gone.id
    agenda.delete_item(db, organiser, gone)
    world.objects["gone"] = ("agenda_item", gone_id)
    record("org", people["admin"], "org.verify", "organisation", org.id, after={"v": "verified"})
    record("user", people["admin"], "user.admin", "user", people["invitee"].id)
    record("elsewhere", people["other"], "meeting.update", "meeting", elsewhere.id)
    return world


@pytest.fixture
def aw(db: Session) -> AuditWorld:
    return build_audit_world(db)


def event_ids(db: Session, process: Process | None, filters: LogFilters) -> list[int]:
    stmt = audit_log.log_statement(process.id if process else None, filters)
    return [event.id for event, _user in db.execute(stmt)]


def test_a_process_log_has_the_events_of_its_objects_only(db: Session, aw: AuditWorld) -> None:
    ids = event_ids(db, aw.process, LogFilters())
    mine = {aw.events[n].id for n in ("process", "meeting", "item", "paper", "comment", "code")}
    assert mine <= set(ids)
    assert ids == sorted(ids, reverse=True)
    for name in ("org", "user", "elsewhere"):
        assert aw.events[name].id not in ids
    kinds = {
        e.object_type for e, _ in db.execute(audit_log.log_statement(aw.process.id, LogFilters()))
    }
    assert "role_grant" in kinds  # the grant and its revocation, although the row is gone
    grants = LogFilters(object_type="role_grant")
    assert len(event_ids(db, aw.process, grants)) == 2
    assert event_ids(db, aw.other_process, grants) == []
    everything = event_ids(db, None, LogFilters())
    assert {aw.events["org"].id, aw.events["elsewhere"].id} <= set(everything)


def test_filters(db: Session, aw: AuditWorld) -> None:
    def names(filters: LogFilters) -> set[str]:
        found = set(event_ids(db, None, filters))
        return {name for name, event in aw.events.items() if event.id in found}

    assert names(LogFilters(actor=str(aw.moderator.id))) == {"comment"}
    assert names(LogFilters(actor="MODERATOR")) == {"comment"}
    assert names(LogFilters(actor="olga@un")) == {"process", "meeting", "item", "code"}
    assert names(LogFilters(actor="%")) == set()  # wildcards are literal
    assert names(LogFilters(actor="99999999999")) == set()
    assert names(LogFilters(action="comment.hide")) == {"comment"}
    assert names(LogFilters(action="meeting.")) == {"meeting", "elsewhere"}
    assert names(LogFilters(action="meeting")) == set()
    assert names(LogFilters(object_type="organisation")) == {"org"}


def test_date_range_is_in_whole_utc_days(db: Session, aw: AuditWorld) -> None:
    def at(day: int, hour: int) -> AuditEvent:
        event = AuditEvent(
            action="test.dated",
            object_type="process",
            object_id=aw.process.id,
            created_at=datetime(2026, 3, day, hour, tzinfo=UTC),
        )
        db.add(event)
        db.flush()
        return event

    early, start, end, late = at(1, 23), at(2, 0), at(3, 23), at(4, 0)
    filters = LogFilters(action="test.dated", since=date(2026, 3, 2), until=date(2026, 3, 3))
    assert event_ids(db, aw.process, filters) == [end.id, start.id]
    assert event_ids(db, aw.process, LogFilters(action="test.", until=date(2026, 3, 1))) == [
        early.id
    ]
    assert event_ids(db, aw.process, LogFilters(action="test.", since=date(2026, 3, 4))) == [
        late.id
    ]


def test_pages_by_keyset(db: Session, aw: AuditWorld) -> None:
    made = [
        audit.record(db, aw.organiser, "test.page", "process", aw.process.id).id for _ in range(120)
    ]
    seen: list[int] = []
    filters = LogFilters(action="test.page")
    while True:
        page = audit_log.event_page(db, audit_log.log_statement(aw.process.id, filters))
        seen += [view.event.id for view in page.events]
        if page.next_cursor is None:
            break
        filters = LogFilters(action="test.page", cursor=page.next_cursor)
    assert seen == made[::-1]


def test_diff_and_actor_names(db: Session, aw: AuditWorld) -> None:
    lines = audit_log.diff({"a": 1, "b": "x", "c": [1]}, {"a": 2, "b": "x", "d": None})
    assert [(d.field, d.before, d.after, d.changed) for d in lines] == [
        ("a", "1", "2", True),
        ("b", "x", "x", False),
        ("c", "[1]", None, True),
        ("d", None, "null", True),
    ]
    page = audit_log.event_page(
        db, audit_log.object_statement("comment", aw.objects["comment"][1], None)
    )
    (view,) = page.events
    assert view.actor_name == "Mo Moderator"
    assert [(d.field, d.before, d.after) for d in view.diff] == [
        ("status", "published", "hidden"),
        ("hidden_reason", "", "Spam"),
    ]


def test_filter_choices_list_each_value_once(db: Session, aw: AuditWorld) -> None:
    choices = audit_log.filter_choices(db)
    assert choices["actions"] == sorted(set(choices["actions"]))
    assert {"comment.hide", "role.grant", "role.revoke"} <= set(choices["actions"])
    assert {"comment", "role", "meeting"} <= set(choices["families"])
    assert {"organisation", "role_grant", "user"} <= set(choices["object_types"])


@pytest.mark.parametrize(
    "name", ["process", "meeting", "item", "paper", "comment", "code", "grant"]
)
def test_history_of_process_objects(db: Session, aw: AuditWorld, name: str) -> None:
    kind, oid = aw.objects[name]
    for who in ("moderator", "organiser", "admin"):
        assert audit_log.history_process(db, getattr(aw, who), kind, oid) == aw.process
    for who in ("other", "stranger"):
        with pytest.raises(Forbidden):
            audit_log.history_process(db, getattr(aw, who), kind, oid)


def test_history_of_objects_without_a_process(db: Session, aw: AuditWorld) -> None:
    kind, gone = aw.objects["gone"]  # a deleted agenda item: nobody can place it
    with pytest.raises(NotFound):
        audit_log.history_process(db, aw.organiser, kind, gone)
    assert audit_log.history_process(db, aw.admin, kind, gone) is None
    for bad in (0, -1, 2**40):
        with pytest.raises(NotFound):
            audit_log.history_process(db, aw.admin, "paper", bad)

    kind, org = aw.objects["org"]  # organisations: verifiers, i.e. moderators anywhere
    assert audit_log.history_process(db, aw.other, kind, org) is None
    with pytest.raises(Forbidden):
        audit_log.history_process(db, aw.stranger, kind, org)

    kind, user = aw.objects["user"]  # anything else: administrators only
    assert audit_log.history_process(db, aw.admin, kind, user) is None
    for who in ("organiser", "moderator"):
        with pytest.raises(Forbidden):
            audit_log.history_process(db, getattr(aw, who), kind, user)


def test_only_organisers_and_admins_read_a_process_log(db: Session, aw: AuditWorld) -> None:
    assert audit_log.can_read_log(db, aw.organiser, aw.process)
    assert audit_log.can_read_log(db, aw.admin, aw.process)
    assert audit_log.can_read_log(db, aw.admin, None)
    assert not audit_log.can_read_log(db, aw.moderator, aw.process)
    assert not audit_log.can_read_log(db, aw.organiser, aw.other_process)
    assert not audit_log.can_read_log(db, aw.organiser, None)


def test_export_rows(db: Session, aw: AuditWorld) -> None:
    rows = [
        audit_log.export_row(r)
        for r in db.execute(
            audit_log.export_statement(aw.process.id, LogFilters(action="comment."))
        )
    ]
    (row,) = rows
    assert row[0] == aw.events["comment"].id
    assert row[3:7] == ("Mo Moderator", "comment.hide", "comment", aw.objects["comment"][1])
    assert row[7] == '{"hidden_reason": "", "status": "published"}'
