"""The comment moderation queue: which comments it shows, pages, and the decisions on them."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.comments import service as comments
from app.comments.models import Comment, CommentReport, CommentStatus
from app.comments.schemas import ReportCreate
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole
from app.errors import Forbidden, NotFound
from app.moderation import comment_queue as queue
from app.moderation.comment_queue import QueueAction, QueueFilters, QueueOrder, QueueStatus
from tests.factories import (
    grant,
    make_agenda_item,
    make_comment,
    make_meeting,
    make_organisation,
    make_process,
    make_user,
)


@dataclass
class QueueWorld:
    process: Process
    meeting: Meeting
    item: AgendaItem
    other_item: AgendaItem
    foreign_comment: Comment  # in another process's meeting
    comments: dict[str, Comment]
    people: dict[str, User]

    def __getattr__(self, name: str) -> User:
        people: dict[str, User] = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def report(db: Session, comment: Comment, reporter: User, reason: str) -> None:
    comments.report_comment(db, reporter, comment, ReportCreate(reason=reason))


def build_queue_world(db: Session) -> QueueWorld:
    """A meeting with a pending, a reported, a published and a hidden comment, and people."""
    process = make_process(db, title="Asia Dialogue")
    meeting = make_meeting(db, process, title="Bishkek Review", timezone="Asia/Bishkek")
    item = make_agenda_item(db, meeting, number="1", title="Opening")
    other_item = make_agenda_item(db, meeting, number="2", title="Labour")
    other_process = make_process(db)
    elsewhere = make_agenda_item(db, make_meeting(db, other_process), number="1")
    people = {
        name: make_user(db, name=name.title())
        for name in ("author", "reporter", "second", "moderator", "organiser", "other", "stranger")
    }
    people["admin"] = make_user(db, name="Admin", is_admin=True)
    org = make_organisation(db, owner=people["author"], name="Steppe Voices")
    grant(db, people["moderator"], process, ProcessRole.moderator)
    grant(db, people["organiser"], process, ProcessRole.organiser)
    grant(db, people["other"], other_process, ProcessRole.moderator)
    author = people["author"]
    made = {
        "pending": make_comment(db, item, author, status=CommentStatus.pending),
        "reported": make_comment(db, item, author, organisation_id=org.id),
        "published": make_comment(db, other_item, author),
        "hidden": make_comment(
            db, other_item, author, status=CommentStatus.hidden, hidden_reason="Spam"
        ),
    }
    report(db, made["reported"], people["reporter"], "Insults a delegate")
    report(db, made["reported"], people["second"], "Off-topic")
    foreign = make_comment(db, elsewhere, author, status=CommentStatus.pending)
    return QueueWorld(process, meeting, item, other_item, foreign, made, people)


@pytest.fixture
def qw(db: Session) -> QueueWorld:
    return build_queue_world(db)


def ids(page: queue.QueuePage) -> list[int]:
    return [row.id for row in page.rows]


def test_review_shows_pending_and_reported_with_reasons(db: Session, qw: QueueWorld) -> None:
    page = queue.queue_page(db, qw.meeting, QueueFilters())
    assert ids(page) == [qw.comments["pending"].id, qw.comments["reported"].id]
    reported = page.rows[1]
    assert reported.reasons == ["Insults a delegate", "Off-topic"]
    assert reported.report_count == 2
    assert (reported.author_name, reported.organisation_name) == ("Author", "Steppe Voices")
    assert reported.item.number == "1"
    assert page.counts == {"pending": 1, "reported": 1}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (QueueStatus.pending, ["pending"]),
        (QueueStatus.reported, ["reported"]),
        (QueueStatus.published, ["reported", "published"]),
        (QueueStatus.hidden, ["hidden"]),
        (QueueStatus.all, ["pending", "reported", "published", "hidden"]),
    ],
)
def test_status_filters(
    db: Session, qw: QueueWorld, status: QueueStatus, expected: list[str]
) -> None:
    page = queue.queue_page(db, qw.meeting, QueueFilters(status=status))
    assert ids(page) == [qw.comments[name].id for name in expected]


def test_agenda_item_filter_and_other_meetings_stay_out(db: Session, qw: QueueWorld) -> None:
    page = queue.queue_page(db, qw.meeting, QueueFilters(QueueStatus.all, qw.other_item.id))
    assert ids(page) == [qw.comments["published"].id, qw.comments["hidden"].id]
    everything = ids(queue.queue_page(db, qw.meeting, QueueFilters(QueueStatus.all)))
    assert qw.foreign_comment.id not in everything


def test_keyset_pages_both_ways(db: Session, qw: QueueWorld) -> None:
    extra = [
        make_comment(db, qw.item, qw.author, status=CommentStatus.pending).id for _ in range(120)
    ]
    expected = [qw.comments["pending"].id, *extra]
    seen: list[int] = []
    filters = QueueFilters(QueueStatus.pending)
    while True:
        page = queue.queue_page(db, qw.meeting, filters)
        assert len(page.rows) <= queue.PAGE_SIZE
        seen += ids(page)
        if page.next_cursor is None:
            break
        filters = QueueFilters(QueueStatus.pending, cursor=page.next_cursor)
    assert seen == expected

    newest = QueueFilters(QueueStatus.pending, order=QueueOrder.newest)
    first = queue.queue_page(db, qw.meeting, newest)
    assert ids(first) == expected[::-1][:50]
    assert first.next_cursor == expected[::-1][49]
    second = queue.queue_page(db, qw.meeting, replace(newest, cursor=first.next_cursor))
    assert ids(second) == expected[::-1][50:100]


def _actions(db: Session, comment: Comment) -> list[str]:
    stmt = select(AuditEvent.action).where(
        AuditEvent.object_type == "comment", AuditEvent.object_id == comment.id
    )
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def _open_reports(db: Session, comment: Comment) -> int:
    stmt = select(CommentReport).where(
        CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None)
    )
    return len(list(db.scalars(stmt)))


def test_publish_and_hide_go_through_the_comments_service(db: Session, qw: QueueWorld) -> None:
    pending, reported = qw.comments["pending"], qw.comments["reported"]
    result = queue.apply_action(db, qw.moderator, qw.meeting, [pending.id], QueueAction.publish)
    assert (result.changed, result.unchanged) == (1, 0)
    assert pending.status is CommentStatus.published
    assert pending.moderated_by_id == qw.moderator.id
    assert _actions(db, pending)[-1] == "comment.publish"

    queue.apply_action(db, qw.moderator, qw.meeting, [reported.id], QueueAction.hide, "Abuse")
    assert (reported.status, reported.hidden_reason) == (CommentStatus.hidden, "Abuse")
    assert _open_reports(db, reported) == 0
    assert _actions(db, reported)[-1] == "comment.hide"
    assert ids(queue.queue_page(db, qw.meeting, QueueFilters())) == []


def test_dismissing_reports_keeps_the_comment_published(db: Session, qw: QueueWorld) -> None:
    reported = qw.comments["reported"]
    result = queue.apply_action(db, qw.organiser, qw.meeting, [reported.id], QueueAction.dismiss)
    assert result.changed == 1
    assert reported.status is CommentStatus.published
    assert _open_reports(db, reported) == 0
    assert _actions(db, reported)[-1] == "comment.dismiss_reports"
    assert reported.id not in ids(queue.queue_page(db, qw.meeting, QueueFilters()))
    # A new report brings it back.
    report(db, reported, qw.stranger, "Still offensive")
    assert reported.id in ids(queue.queue_page(db, qw.meeting, QueueFilters()))


def test_bulk_counts_what_needed_no_change(db: Session, qw: QueueWorld) -> None:
    chosen = [qw.comments[name].id for name in ("pending", "published", "hidden", "reported")]
    result = queue.apply_action(db, qw.admin, qw.meeting, chosen, QueueAction.publish)
    assert (result.changed, result.unchanged) == (3, 1)  # "published" had nothing to change
    assert all(qw.comments[n].status is CommentStatus.published for n in qw.comments)
    assert _actions(db, qw.comments["published"]) == []
    result = queue.apply_action(db, qw.admin, qw.meeting, chosen, QueueAction.dismiss)
    assert (result.changed, result.unchanged) == (0, 4)


def test_a_selection_with_a_foreign_or_unknown_comment_changes_nothing(
    db: Session, qw: QueueWorld
) -> None:
    pending = qw.comments["pending"]
    for bad in (qw.foreign_comment.id, 10**9, 2**40):
        with pytest.raises(NotFound):
            queue.apply_action(db, qw.moderator, qw.meeting, [pending.id, bad], QueueAction.publish)
    assert pending.status is CommentStatus.pending


def test_only_moderators_of_the_process_may_act(db: Session, qw: QueueWorld) -> None:
    pending = qw.comments["pending"]
    for outsider in (qw.other, qw.stranger):
        with pytest.raises(Forbidden):
            queue.apply_action(db, outsider, qw.meeting, [pending.id], QueueAction.publish)
    assert pending.status is CommentStatus.pending


def test_the_action_form_checks_its_input() -> None:
    form = queue.QueueActionForm
    with pytest.raises(ValueError, match="at least one"):
        form.model_validate({"ids": [], "action": "publish"})
    with pytest.raises(ValueError, match="at most 100"):
        form.model_validate({"ids": list(range(1, 102)), "action": "publish"})
    with pytest.raises(ValueError, match="reason for hiding"):
        form.model_validate({"ids": [1], "action": "hide", "reason": "  "})
    with pytest.raises(ValueError, match="action"):
        form.model_validate({"ids": [1], "action": "delete"})
    assert form.model_validate({"ids": [1], "action": "hide", "reason": " x "}).reason == "x"


def test_export_statement_covers_every_page(db: Session, qw: QueueWorld) -> None:
    for _ in range(60):
        make_comment(db, qw.item, None, status=CommentStatus.pending)
    stmt = queue.export_statement(qw.meeting.id, QueueFilters(QueueStatus.pending, cursor=1))
    rows = [queue.export_row(row) for row in db.execute(stmt)]
    assert len(rows) == 61
    assert rows[0][0] == qw.comments["pending"].id
    assert rows[0][3:7] == ("pending", "Author", "", 0)
    assert rows[-1][4] == "Former participant"
    reported = queue.export_statement(qw.meeting.id, QueueFilters(QueueStatus.reported))
    (row,) = [queue.export_row(r) for r in db.execute(reported)]
    assert row[5:7] == ("Steppe Voices", 2)
