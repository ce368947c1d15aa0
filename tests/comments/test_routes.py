"""The agenda item page and its forms, with htmx and as plain forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.comments.models import Comment, CommentReport, CommentStatus
from app.db import utcnow
from tests.comments.conftest import World
from tests.factories import make_comment
from tests.support.web import post_form, sign_in


def item_url(world: World) -> str:
    return f"/agenda-items/{world.item.id}"


def comments_of(db: Session, world: World) -> list[Comment]:
    stmt = select(Comment).where(Comment.agenda_item_id == world.item.id).order_by(Comment.id)
    return list(db.scalars(stmt))


# --- reading -------------------------------------------------------------------------------------


def test_anyone_reads_the_item_and_its_published_thread(
    client: TestClient, db: Session, world: World
) -> None:
    top = make_comment(db, world.item, world.author, body="<p>Visible words</p>")
    make_comment(db, world.item, world.member, parent_id=top.id, body="<p>A reply</p>")
    make_comment(db, world.item, world.member, status=CommentStatus.pending, body="<p>Wait</p>")
    make_comment(db, world.item, world.member, status=CommentStatus.hidden, body="<p>Rude</p>")
    response = client.get(item_url(world))
    assert response.status_code == 200
    page = response.text
    assert "Opening" in page and "Why we meet." in page
    assert "Visible words" in page and "A reply" in page
    assert "Wait" not in page and "Rude" not in page
    assert "This comment was hidden by a moderator." in page
    assert "Sign in to comment" in page and 'name="text"' not in page
    assert "aida@example.org" not in page and "Aida Author" in page


def test_the_meeting_page_links_to_each_items_comments(
    client: TestClient, db: Session, world: World
) -> None:
    make_comment(db, world.item, world.author)
    meeting = client.get(f"/processes/{world.process.slug}/meetings/{world.meeting.slug}")
    assert f'href="/agenda-items/{world.item.id}#comments"' in meeting.text
    link = client.get(f"{item_url(world)}/comment-link")
    assert link.status_code == 200 and "1 comment<" in link.text


@pytest.mark.parametrize(
    "path", ["/agenda-items/999999", "/agenda-items/abc", f"/agenda-items/{2**40}"]
)
def test_unknown_items_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
    assert client.get(f"{path}/comment-link").status_code == 404


def test_older_comments_load_by_page(client: TestClient, db: Session, world: World) -> None:
    ids = [make_comment(db, world.item, world.author, body=f"<p>n{n}</p>").id for n in range(25)]
    page = client.get(item_url(world)).text
    assert page.count('class="comment-thread"') == 20
    cursor = ids[5]
    assert f"?cursor={cursor}" in page
    more = client.get(f"{item_url(world)}?cursor={cursor}", headers={"HX-Request": "true"})
    assert more.status_code == 200 and "<html" not in more.text
    assert more.text.count('class="comment-thread"') == 5
    assert "?cursor=" not in more.text
    assert 'hx-swap-oob="innerHTML:#comment-status"' in more.text
    plain = client.get(f"{item_url(world)}?cursor={cursor}")  # without JavaScript: a page
    assert "<html" in plain.text and "Show the newest comments" in plain.text


def test_pending_comments_show_to_their_author_and_moderators(
    client: TestClient, db: Session, world: World
) -> None:
    make_comment(db, world.item, world.author, status=CommentStatus.pending, body="<p>Wait</p>")
    sign_in(client, world.author)
    page = client.get(item_url(world)).text
    assert "Wait" in page and "awaiting moderation" in page
    sign_in(client, world.moderator)
    page = client.get(item_url(world)).text
    assert "Wait" in page and ">Publish<" in page
    sign_in(client, world.stranger)
    assert "Wait" not in client.get(item_url(world)).text


# --- posting -------------------------------------------------------------------------------------


def test_a_plain_form_posts_and_redirects_to_the_comment(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.author)
    page = client.get(item_url(world)).text
    assert "On behalf of Steppe Voices" in page
    data = {"text": "From **us**", "organisation_id": str(world.organisation.id)}
    response = post_form(client, f"{item_url(world)}/comments", data)
    assert response.status_code == 303
    [comment] = comments_of(db, world)
    assert response.headers["location"] == f"{item_url(world)}?done=posted#comment-{comment.id}"
    page = client.get(response.headers["location"]).text
    assert "Aida Author for Steppe Voices" in page and "<strong>us</strong>" in page
    assert "Your comment was published." in page


def test_htmx_posting_answers_the_new_thread(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.author)
    response = post_form(client, f"{item_url(world)}/comments", {"text": "Hi"}, htmx=True)
    assert response.status_code == 200
    [comment] = comments_of(db, world)
    assert response.text.lstrip().startswith(f'<li class="comment-thread" id="thread-{comment.id}"')
    assert 'id="new-comment" class="comment-new" hx-swap-oob="true"' in response.text
    assert "Your comment was published." in response.text


def test_invalid_input_comes_back_in_place(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.author)
    url = f"{item_url(world)}/comments"
    plain = post_form(client, url, {"text": "   "})
    assert plain.status_code == 422 and "<html" in plain.text
    assert "Write your comment before posting it." in plain.text
    htmx = post_form(client, url, {"text": "x" * 5001}, htmx=True)
    assert htmx.status_code == 422
    assert htmx.headers["HX-Retarget"] == "#new-comment"
    assert "at most 5,000 characters" in htmx.text and 'aria-invalid="true"' in htmx.text
    assert 'role="alert"' in htmx.text
    assert comments_of(db, world) == []


def test_replies_by_htmx_and_plain_form(client: TestClient, db: Session, world: World) -> None:
    top = make_comment(db, world.item, world.author)
    reply = make_comment(db, world.item, world.author, parent_id=top.id)
    sign_in(client, world.member)
    url = f"{item_url(world)}/comments"
    response = post_form(client, url, {"text": "Agreed", "parent_id": str(reply.id)}, htmx=True)
    assert response.status_code == 200
    assert f'id="thread-{top.id}"' in response.text and "Agreed" in response.text
    plain = post_form(client, url, {"text": "Again", "parent_id": str(top.id)})
    assert plain.status_code == 303
    assert f"?cursor={top.id + 1}&done=replied#comment-" in plain.headers["location"]
    assert [c.parent_id for c in comments_of(db, world)[2:]] == [top.id, top.id]


def test_an_invalid_reply_reopens_its_form(client: TestClient, db: Session, world: World) -> None:
    top = make_comment(db, world.item, world.author)
    sign_in(client, world.member)
    url = f"{item_url(world)}/comments"
    plain = post_form(client, url, {"text": "", "parent_id": str(top.id)})
    assert plain.status_code == 422
    assert re.search(r'<details class="comment-action comment-reply" open>', plain.text)
    assert f'id="f-reply-{top.id}-text-error"' in plain.text
    htmx = post_form(client, url, {"text": "", "parent_id": str(top.id)}, htmx=True)
    assert htmx.status_code == 422 and f'id="thread-{top.id}"' in htmx.text


@pytest.mark.parametrize("parent", ["abc", "999999", "-1"])
def test_forged_parents_are_404(client: TestClient, world: World, parent: str) -> None:
    sign_in(client, world.member)
    response = post_form(client, f"{item_url(world)}/comments", {"text": "x", "parent_id": parent})
    assert response.status_code == 404


def test_refusals_are_clear(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.stranger)
    closed = post_form(client, f"/agenda-items/{world.closed_item.id}/comments", {"text": "x"})
    assert closed.status_code == 409 and "closed" in closed.text
    data = {"text": "x", "organisation_id": str(world.organisation.id)}
    on_behalf = post_form(client, f"{item_url(world)}/comments", data, htmx=True)
    assert on_behalf.status_code == 403 and "belong to" in on_behalf.text
    assert on_behalf.headers["HX-Retarget"] == "#toasts"
    for n in range(10):
        make_comment(db, world.item, world.stranger, created_at=utcnow() - timedelta(seconds=n))
    limited = post_form(client, f"{item_url(world)}/comments", {"text": "x"})
    assert limited.status_code == 429 and "wait a minute" in limited.text


def test_anonymous_posting_asks_to_sign_in(client: TestClient, world: World) -> None:
    sign_in(client, None)
    assert post_form(client, f"{item_url(world)}/comments", {"text": "x"}).status_code == 401


# --- editing, reporting, moderating --------------------------------------------------------------


def test_the_author_edits_within_the_window(client: TestClient, db: Session, world: World) -> None:
    comment = make_comment(db, world.item, world.author, created_at=utcnow())
    sign_in(client, world.author)
    page = client.get(item_url(world)).text
    assert f'action="/comments/{comment.id}/edit"' in page
    response = post_form(client, f"/comments/{comment.id}/edit", {"text": "New"}, htmx=True)
    assert response.status_code == 200 and "New" in response.text and "edited" in response.text
    invalid = post_form(client, f"/comments/{comment.id}/edit", {"text": ""}, htmx=True)
    assert invalid.status_code == 422 and "Write your comment" in invalid.text
    plain = post_form(client, f"/comments/{comment.id}/edit", {"text": "Newer"})
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"#comment-{comment.id}")


def test_late_or_foreign_edits_are_refused(client: TestClient, db: Session, world: World) -> None:
    old = make_comment(db, world.item, world.author, created_at=utcnow() - timedelta(minutes=16))
    fresh = make_comment(db, world.item, world.author, created_at=utcnow())
    sign_in(client, world.author)
    assert f'action="/comments/{old.id}/edit"' not in client.get(item_url(world)).text
    assert post_form(client, f"/comments/{old.id}/edit", {"text": "x"}).status_code == 403
    sign_in(client, world.member)
    assert post_form(client, f"/comments/{fresh.id}/edit", {"text": "x"}).status_code == 403
    sign_in(client, world.moderator)
    assert post_form(client, f"/comments/{fresh.id}/edit", {"text": "x"}).status_code == 403


def test_reporting_once(client: TestClient, db: Session, world: World) -> None:
    comment = make_comment(db, world.item, world.author)
    sign_in(client, world.member)
    url = f"/comments/{comment.id}/reports"
    empty = post_form(client, url, {"reason": ""}, htmx=True)
    assert empty.status_code == 422 and "Say briefly what is wrong" in empty.text
    response = post_form(client, url, {"reason": "Spam"}, htmx=True)
    assert response.status_code == 200 and "You reported this comment." in response.text
    assert post_form(client, url, {"reason": "Spam"}, htmx=True).status_code == 409
    sign_in(client, world.moderator)
    assert "reported 1 time" in client.get(item_url(world)).text


def test_moderators_publish_and_hide(client: TestClient, db: Session, world: World) -> None:
    comment = make_comment(db, world.item, world.author, status=CommentStatus.pending)
    sign_in(client, world.moderator)
    url = f"/comments/{comment.id}/moderation"
    published = post_form(client, url, {"action": "publish"}, htmx=True)
    assert published.status_code == 200 and "The comment is published." in published.text
    no_reason = post_form(client, url, {"action": "hide", "reason": ""}, htmx=True)
    assert no_reason.status_code == 422 and "Give the reason" in no_reason.text
    hidden = post_form(client, url, {"action": "hide", "reason": "Insulting"})
    assert hidden.status_code == 303
    db.refresh(comment)
    assert (comment.status, comment.hidden_reason) == (CommentStatus.hidden, "Insulting")
    page = client.get(item_url(world)).text
    assert "Reason: Insulting" in page
    sign_in(client, world.stranger)
    assert "Insulting" not in client.get(item_url(world)).text


@pytest.mark.parametrize("who", ["other_moderator", "stranger", "author"])
def test_others_cannot_moderate(client: TestClient, db: Session, world: World, who: str) -> None:
    comment = make_comment(db, world.item, world.author)
    sign_in(client, getattr(world, who))
    data = {"action": "hide", "reason": "x"}
    assert post_form(client, f"/comments/{comment.id}/moderation", data).status_code == 403
    db.refresh(comment)
    assert comment.status is CommentStatus.published


@pytest.mark.parametrize("action", ["edit", "reports", "moderation"])
def test_forged_comment_ids_are_404(client: TestClient, world: World, action: str) -> None:
    sign_in(client, world.admin)
    for comment_id in ("999999", str(2**40), "abc", "-1"):
        response = post_form(client, f"/comments/{comment_id}/{action}", {"text": "x"})
        assert response.status_code == 404


def test_pending_comments_of_others_are_404(client: TestClient, db: Session, world: World) -> None:
    comment = make_comment(db, world.item, world.author, status=CommentStatus.pending)
    sign_in(client, world.stranger)
    response = post_form(client, f"/comments/{comment.id}/reports", {"reason": "x"})
    assert response.status_code == 404
    assert db.scalars(select(CommentReport)).all() == []
