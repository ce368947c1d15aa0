from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.comments import service, threads
from app.comments.models import Comment, CommentReport, CommentStatus
from app.comments.schemas import CommentCreate, CommentUpdate, ModerationRequest, ReportCreate
from app.consultations.models import AgendaItem
from app.errors import Conflict, Forbidden, NotFound
from tests.comments.conftest import World
from tests.factories import make_comment, make_user

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def post(
    db: Session,
    user: User,
    item: AgendaItem,
    text: str = "Hello",
    *,
    now: datetime = NOW,
    **kw: object,
) -> Comment:
    data = CommentCreate.model_validate({"text": text, **kw})
    return service.post_comment(db, user, item, data, now=now)


def audit_actions(db: Session, comment_id: int) -> list[str]:
    stmt = select(AuditEvent.action).where(
        AuditEvent.object_type == "comment", AuditEvent.object_id == comment_id
    )
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def page_ids(db: Session, user: User | None, item: AgendaItem) -> list[int]:
    viewer = service.viewer_for(db, user, item)
    return [t.id for t in threads.list_threads(db, viewer, item, now=NOW).threads]


# --- posting -------------------------------------------------------------------------------------


def test_a_comment_is_published_sanitised_and_audited(db: Session, world: World) -> None:
    comment = post(db, world.author, world.item, "Hi <b>there</b>\n\n- one")
    assert comment.status is CommentStatus.published
    assert comment.body == "<p>Hi &lt;b&gt;there&lt;/b&gt;</p><ul><li>one</li></ul>"
    assert comment.created_at == NOW and comment.edited_at is None
    assert audit_actions(db, comment.id) == ["comment.create"]


def test_members_comment_on_behalf_of_their_organisation(db: Session, world: World) -> None:
    comment = post(db, world.member, world.item, organisation_id=world.organisation.id)
    assert comment.organisation_id == world.organisation.id


@pytest.mark.parametrize("org_id", ["mine", 2**31 - 1])
def test_nobody_comments_on_behalf_of_an_organisation_they_are_not_in(
    db: Session, world: World, org_id: object
) -> None:
    organisation_id = world.organisation.id if org_id == "mine" else org_id
    with pytest.raises(Forbidden):
        post(db, world.stranger, world.item, organisation_id=organisation_id)


def test_closed_items_take_no_comments(db: Session, world: World) -> None:
    with pytest.raises(service.CommentsClosed) as caught:
        post(db, world.author, world.closed_item)
    assert caught.value.status == 409


def test_replies_are_one_level_deep(db: Session, world: World) -> None:
    top = post(db, world.author, world.item, "Top")
    reply = post(db, world.member, world.item, "Reply", parent_id=top.id)
    answer = post(db, world.author, world.item, "Reply to reply", parent_id=reply.id)
    assert reply.parent_id == top.id
    assert answer.parent_id == top.id  # attached to the thread, not nested
    view = threads.thread_of(db, service.viewer_for(db, None, world.item), answer, now=NOW)
    assert view.id == top.id
    assert [r.id for r in view.replies] == [reply.id, answer.id]


def test_replies_need_a_visible_published_parent_on_the_same_item(
    db: Session, world: World
) -> None:
    elsewhere = make_comment(db, world.closed_item, world.author)
    pending = make_comment(db, world.item, world.author, status=CommentStatus.pending)
    hidden = make_comment(db, world.item, world.author, status=CommentStatus.hidden)
    for parent_id in (elsewhere.id, pending.id, 2**31 - 1):
        with pytest.raises(NotFound):
            post(db, world.stranger, world.item, parent_id=parent_id)
    with pytest.raises(Conflict):
        post(db, world.author, world.item, parent_id=pending.id)  # the author sees it
    with pytest.raises(Conflict):
        post(db, world.stranger, world.item, parent_id=hidden.id)


def test_posting_is_rate_limited_per_user(db: Session, world: World) -> None:
    for n in range(service.RATE_LIMIT):
        post(db, world.author, world.item, f"n{n}", now=NOW + timedelta(seconds=n))
    with pytest.raises(service.RateLimited) as caught:
        post(db, world.author, world.item, now=NOW + timedelta(seconds=30))
    assert caught.value.status == 429
    post(db, world.member, world.item, now=NOW + timedelta(seconds=30))  # others may post
    post(db, world.author, world.item, now=NOW + timedelta(seconds=61))  # a minute later


# --- pre-moderation and visibility ---------------------------------------------------------------


def test_premoderated_comments_wait_and_are_seen_by_author_and_moderators(
    db: Session, world: World
) -> None:
    item = world.premoderated_item
    comment = post(db, world.author, item)
    assert comment.status is CommentStatus.pending
    for user in (world.author, world.moderator, world.organiser, world.admin):
        assert page_ids(db, user, item) == [comment.id]
    for outsider in (None, world.stranger, world.other_moderator):
        assert page_ids(db, outsider, item) == []
    assert post(db, world.moderator, item).status is CommentStatus.published


def test_hidden_comments_leave_a_marker_without_the_body(db: Session, world: World) -> None:
    hidden = make_comment(db, world.item, world.author, status=CommentStatus.hidden)
    for user, body in ((None, None), (world.stranger, None), (world.moderator, hidden.body)):
        viewer = service.viewer_for(db, user, world.item)
        [view] = threads.list_threads(db, viewer, world.item, now=NOW).threads
        assert view.body_html == body


def test_threads_page_by_keyset_newest_first(db: Session, world: World) -> None:
    ids = [make_comment(db, world.item, world.author).id for _ in range(45)]
    viewer = service.viewer_for(db, None, world.item)
    first = threads.list_threads(db, viewer, world.item)
    assert [t.id for t in first.threads] == ids[::-1][:20]
    second = threads.list_threads(db, viewer, world.item, cursor=first.next_cursor)
    assert [t.id for t in second.threads] == ids[::-1][20:40]
    last = threads.list_threads(db, viewer, world.item, cursor=second.next_cursor)
    assert [t.id for t in last.threads] == ids[::-1][40:]
    assert last.next_cursor is None


def test_authors_are_named_without_their_email(db: Session, world: World) -> None:
    nameless = make_user(db, name="", email="secret@example.org")
    make_comment(db, world.item, nameless)
    make_comment(db, world.item, world.member, organisation_id=world.organisation.id)
    make_comment(db, world.item, None)
    viewer = service.viewer_for(db, None, world.item)
    views = threads.list_threads(db, viewer, world.item).threads
    names = [(v.author_name, v.organisation_name) for v in views]
    assert names == [
        ("Former participant", None),
        ("Mika Member", "Steppe Voices"),
        (f"Participant {nameless.id}", None),
    ]


# --- editing -------------------------------------------------------------------------------------


def test_the_author_edits_within_fifteen_minutes(db: Session, world: World) -> None:
    comment = post(db, world.author, world.item, "First")
    later = NOW + timedelta(minutes=14)
    service.edit_comment(db, world.author, comment, CommentUpdate(text="*Second*"), now=later)
    assert comment.body == "<p><em>Second</em></p>" and comment.edited_at == later
    assert audit_actions(db, comment.id) == ["comment.create", "comment.edit"]
    too_late = NOW + timedelta(minutes=16)
    with pytest.raises(Forbidden):
        service.edit_comment(db, world.author, comment, CommentUpdate(text="Third"), now=too_late)
    with pytest.raises(Forbidden):
        service.edit_comment(db, world.member, comment, CommentUpdate(text="Mine"), now=NOW)


def test_an_unchanged_edit_leaves_no_mark(db: Session, world: World) -> None:
    comment = post(db, world.author, world.item, "Same")
    service.edit_comment(db, world.author, comment, CommentUpdate(text=" Same "), now=NOW)
    assert comment.edited_at is None


def test_editing_a_published_premoderated_comment_sends_it_back(db: Session, world: World) -> None:
    comment = post(db, world.author, world.premoderated_item)
    comment.status = CommentStatus.published
    service.edit_comment(db, world.author, comment, CommentUpdate(text="Changed"), now=NOW)
    assert comment.status is CommentStatus.pending


# --- reports and moderation ----------------------------------------------------------------------


def test_one_report_per_user_and_comment(db: Session, world: World) -> None:
    comment = post(db, world.author, world.item)
    reason = ReportCreate(reason="Off topic")
    report = service.report_comment(db, world.member, comment, reason, now=NOW)
    assert report.reason == "Off topic"
    with pytest.raises(Conflict) as caught:
        service.report_comment(db, world.member, comment, reason, now=NOW)
    assert caught.value.code == "already_reported"
    service.report_comment(db, world.stranger, comment, reason, now=NOW)
    with pytest.raises(Conflict):
        service.report_comment(db, world.author, comment, reason, now=NOW)
    assert audit_actions(db, comment.id) == ["comment.create", "comment.report", "comment.report"]
    counts = {}
    for user in (world.moderator, world.stranger):
        viewer = service.viewer_for(db, user, world.item)
        counts[user.name] = threads.comment_view(db, viewer, comment).report_count
    assert counts == {"Mo Moderator": 2, "Sam Stranger": 0}


def test_moderators_publish_and_hide_with_a_reason(db: Session, world: World) -> None:
    comment = post(db, world.author, world.premoderated_item)
    publish = ModerationRequest(action="publish")
    service.moderate_comment(db, world.moderator, comment, publish, now=NOW)
    assert comment.status is CommentStatus.published
    assert comment.moderated_by_id == world.moderator.id
    service.report_comment(db, world.member, comment, ReportCreate(reason="Rude"), now=NOW)
    hide = ModerationRequest(action="hide", reason="Insults")
    service.moderate_comment(db, world.organiser, comment, hide, now=NOW)
    assert (comment.status, comment.hidden_reason) == (CommentStatus.hidden, "Insults")
    report = db.scalars(select(CommentReport).where(CommentReport.comment_id == comment.id)).one()
    assert report.resolved_at == NOW
    actions = audit_actions(db, comment.id)
    assert actions[-3:] == ["comment.publish", "comment.report", "comment.hide"]


@pytest.mark.parametrize("who", ["other_moderator", "stranger", "author"])
def test_only_this_process_moderators_moderate(db: Session, world: World, who: str) -> None:
    comment = post(db, world.author, world.item)
    hide = ModerationRequest(action="hide", reason="No")
    with pytest.raises(Forbidden):
        service.moderate_comment(db, getattr(world, who), comment, hide, now=NOW)
    assert comment.status is CommentStatus.published
