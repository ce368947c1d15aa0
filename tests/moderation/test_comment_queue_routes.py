"""The comment queue's pages: who may see and use them, filters in the URL, forms with and
without htmx, the hidden-comment marker in threads, and the streamed export."""

from __future__ import annotations

import csv
import io

import openpyxl  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.comments.models import Comment, CommentStatus
from app.moderation import comment_queue as queue
from tests.factories import make_comment
from tests.moderation.test_comment_queue import QueueWorld, build_queue_world
from tests.support.web import post_form, sign_in


@pytest.fixture
def qw(db: Session) -> QueueWorld:
    return build_queue_world(db)


def status(db: Session, comment: Comment) -> CommentStatus:
    db.refresh(comment)
    return comment.status


def url(qw: QueueWorld, suffix: str = "") -> str:
    return f"/processes/{qw.process.slug}/meetings/{qw.meeting.slug}/comments/queue{suffix}"


def test_anonymous_is_sent_to_sign_in(client: TestClient, qw: QueueWorld) -> None:
    sign_in(client, None)
    response = client.get(url(qw), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/signin?next=")
    assert post_form(client, url(qw), {"ids": "1", "action": "publish"}).status_code == 401


@pytest.mark.parametrize("who", ["stranger", "other"])
def test_outsiders_and_moderators_of_other_processes_are_refused(
    client: TestClient, db: Session, qw: QueueWorld, who: str
) -> None:
    sign_in(client, getattr(qw, who))
    assert client.get(url(qw)).status_code == 403
    assert client.get(url(qw, ".csv")).status_code == 403
    pending = qw.comments["pending"]
    response = post_form(client, url(qw), {"ids": str(pending.id), "action": "publish"})
    assert response.status_code == 403
    assert status(db, pending) is CommentStatus.pending


@pytest.mark.parametrize("who", ["moderator", "organiser", "admin"])
def test_moderators_organisers_and_admins_see_the_queue(
    client: TestClient, qw: QueueWorld, who: str
) -> None:
    sign_in(client, getattr(qw, who))
    page = client.get(url(qw))
    assert page.status_code == 200
    html = page.text
    assert f'id="queue-comment-{qw.comments["pending"].id}"' in html
    assert f'id="queue-comment-{qw.comments["reported"].id}"' in html
    assert f'id="queue-comment-{qw.comments["published"].id}"' not in html
    assert "Author for Steppe Voices" in html
    assert "Insults a delegate" in html and "Off-topic" in html
    assert "2 open reports" in html
    assert qw.comments["pending"].body in html  # the stored, sanitised HTML
    assert '<th scope="col">' in html and "<caption>" in html
    assert 'for="select-' in html


def test_unknown_meeting_and_bad_filters(client: TestClient, qw: QueueWorld) -> None:
    sign_in(client, qw.moderator)
    assert client.get(url(qw).replace(qw.meeting.slug, "nope")).status_code == 404
    assert client.get(url(qw) + "?status=deleted").status_code == 422
    assert client.get(url(qw) + "?item=abc").status_code == 422
    assert client.get(url(qw) + "?cursor=99999999999").status_code == 422
    assert client.get(url(qw) + "?item=").status_code == 200


def test_filters_live_in_the_url(client: TestClient, qw: QueueWorld) -> None:
    sign_in(client, qw.moderator)
    html = client.get(url(qw) + f"?status=all&item={qw.other_item.id}&order=newest").text
    published, hidden = qw.comments["published"], qw.comments["hidden"]
    assert html.index(f"queue-comment-{hidden.id}") < html.index(f"queue-comment-{published.id}")
    assert f"queue-comment-{qw.comments['pending'].id}" not in html
    assert "Reason: Spam" in html
    assert f'<option value="{qw.other_item.id}" selected>' in html


def test_next_page_link_keeps_the_filters(client: TestClient, db: Session, qw: QueueWorld) -> None:
    made = [make_comment(db, qw.item, qw.author, status=CommentStatus.pending) for _ in range(55)]
    sign_in(client, qw.moderator)
    html = client.get(url(qw) + "?status=pending").text
    cursor = made[48].id  # the 50th pending comment (the world has one before these)
    assert f"?status=pending&amp;cursor={cursor}" in html
    second = client.get(url(qw) + f"?status=pending&cursor={cursor}").text
    assert f"queue-comment-{made[49].id}" in second
    assert f"queue-comment-{made[48].id}" not in second
    assert "First page" in second


def test_publish_without_javascript_redirects_back_to_the_view(
    client: TestClient, db: Session, qw: QueueWorld
) -> None:
    sign_in(client, qw.moderator)
    pending = qw.comments["pending"]
    data = {"ids": str(pending.id), "action": "publish", "status": "review", "order": "newest"}
    response = post_form(client, url(qw), data)
    assert response.status_code == 303
    assert response.headers["location"] == (
        url(qw) + "?order=newest&done=publish&changed=1&unchanged=0"
    )
    assert status(db, pending) is CommentStatus.published
    page = client.get(response.headers["location"]).text
    assert "1 comment published." in page


def test_hiding_needs_a_reason_and_leaves_a_marker_in_the_thread(
    client: TestClient, db: Session, qw: QueueWorld
) -> None:
    sign_in(client, qw.moderator)
    reported = qw.comments["reported"]
    form = {"ids": str(reported.id), "action": "hide", "form": f"row-{reported.id}"}
    response = post_form(client, url(qw), form)
    assert response.status_code == 422
    assert "Give the reason for hiding" in response.text
    assert f'id="row-{reported.id}-reason"' in response.text
    assert status(db, reported) is CommentStatus.published

    response = post_form(client, url(qw), {**form, "reason": "Insults a delegate"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="comment-queue"')
    assert 'hx-swap-oob="innerHTML:#queue-status"' in response.text
    assert "1 comment hidden." in response.text
    assert status(db, reported) is CommentStatus.hidden

    sign_in(client, None)
    thread = client.get(f"/agenda-items/{qw.item.id}").text
    assert "This comment was hidden by a moderator." in thread
    assert reported.body not in thread


def test_dismiss_reports_keeps_it_published(
    client: TestClient, db: Session, qw: QueueWorld
) -> None:
    sign_in(client, qw.organiser)
    reported = qw.comments["reported"]
    response = post_form(client, url(qw), {"ids": str(reported.id), "action": "dismiss"})
    assert response.status_code == 303
    assert status(db, reported) is CommentStatus.published
    assert "Reports dismissed on 1 comment." in client.get(response.headers["location"]).text


def test_bulk_actions_on_a_selection_and_on_the_page(
    client: TestClient, db: Session, qw: QueueWorld
) -> None:
    sign_in(client, qw.moderator)
    more = [make_comment(db, qw.item, qw.author, status=CommentStatus.pending) for _ in range(3)]
    chosen = [qw.comments["pending"].id, more[0].id]
    response = post_form(client, url(qw), {"ids": chosen, "action": "publish"}, htmx=True)
    assert response.status_code == 200
    assert "2 comments published." in response.text
    assert [status(db, c) for c in (qw.comments["pending"], more[0], more[1])] == [
        CommentStatus.published,
        CommentStatus.published,
        CommentStatus.pending,
    ]

    empty = post_form(client, url(qw), {"action": "hide", "reason": "x"}, htmx=True)
    assert empty.status_code == 422
    assert "Select at least one comment." in empty.text

    no_reason = post_form(client, url(qw), {"ids": [more[1].id], "action": "hide"})
    assert no_reason.status_code == 422
    assert 'id="bulk-reason-error"' in no_reason.text

    page_ids = [qw.comments["reported"].id, more[1].id, more[2].id]
    data = {"scope": "page", "page_ids": page_ids, "ids": [], "action": "hide", "reason": "Spam"}
    response = post_form(client, url(qw), data)
    assert response.status_code == 303
    assert "changed=3" in response.headers["location"]
    assert {status(db, c) for c in (qw.comments["reported"], more[1], more[2])} == {
        CommentStatus.hidden
    }


def test_forged_ids_are_404_and_change_nothing(
    client: TestClient, db: Session, qw: QueueWorld
) -> None:
    sign_in(client, qw.moderator)
    pending = qw.comments["pending"]
    for bad in (str(qw.foreign_comment.id), "abc", "99999999999"):
        response = post_form(client, url(qw), {"ids": [pending.id, bad], "action": "publish"})
        assert response.status_code == 404, bad
    assert status(db, pending) is CommentStatus.pending
    assert qw.foreign_comment.status is CommentStatus.pending


def test_actions_need_the_csrf_token(client: TestClient, db: Session, qw: QueueWorld) -> None:
    sign_in(client, qw.moderator)
    pending = qw.comments["pending"]
    data = {"ids": str(pending.id), "action": "publish", "csrf_token": "forged"}
    assert post_form(client, url(qw), data).status_code == 403
    assert status(db, pending) is CommentStatus.pending


def test_export_streams_the_filtered_queue(client: TestClient, db: Session, qw: QueueWorld) -> None:
    evil = make_comment(db, qw.item, None, status=CommentStatus.pending)
    evil.hidden_reason = '=HYPERLINK("http://evil")'
    db.flush()
    sign_in(client, qw.moderator)
    response = client.get(url(qw, ".csv") + "?status=pending&cursor=5")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="comments-{qw.meeting.slug}-pending.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == queue.EXPORT_HEADER
    assert [int(r[0]) for r in rows[1:]] == [qw.comments["pending"].id, evil.id]
    assert rows[2][7] == '\'=HYPERLINK("http://evil")'

    response = client.get(url(qw, ".xlsx") + "?status=all")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 5  # header + the world's four comments + the one above
    assert client.get(url(qw, ".pdf")).status_code in (404, 405)
