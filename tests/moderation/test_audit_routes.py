"""The audit log's pages and export: who may read which, filters in the URL, CSV content."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import audit
from tests.moderation.test_audit_log import AuditWorld, build_audit_world
from tests.moderation.test_comment_queue import build_queue_world
from tests.support.web import post_form, sign_in


@pytest.fixture
def aw(db: Session) -> AuditWorld:
    return build_audit_world(db)


def history(aw: AuditWorld, name: str) -> str:
    kind, oid = aw.objects[name]
    return f"/audit/{kind}/{oid}"


def log(aw: AuditWorld, suffix: str = "") -> str:
    return f"/processes/{aw.process.slug}/audit{suffix}"


def test_anonymous_is_sent_to_sign_in(client: TestClient, aw: AuditWorld) -> None:
    sign_in(client, None)
    for url in (
        history(aw, "paper"),
        log(aw),
        log(aw, ".csv"),
        "/audit",
        "/audit.csv",
    ):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/auth/signin?next=")


@pytest.mark.parametrize("who", ["moderator", "organiser", "admin"])
def test_moderators_read_an_objects_history(client: TestClient, aw: AuditWorld, who: str) -> None:
    sign_in(client, getattr(aw, who))
    page = client.get(history(aw, "comment"))
    assert page.status_code == 200
    html = page.text
    assert "<code>comment.hide</code>" in html
    assert "Mo Moderator" in html
    assert '<del><span class="visually-hidden">before: </span>published</del>' in html
    assert '<ins><span class="visually-hidden">after: </span>hidden</ins>' in html
    assert "<caption>" in html and '<th scope="col">' in html
    assert 'href="/agenda-items/' in html  # a link to the comment itself


@pytest.mark.parametrize("who", ["other", "stranger"])
def test_others_cannot_read_an_objects_history(
    client: TestClient, aw: AuditWorld, who: str
) -> None:
    sign_in(client, getattr(aw, who))
    for name in ("paper", "comment", "meeting", "item", "process", "grant", "user"):
        assert client.get(history(aw, name)).status_code == 403, name


def test_unknown_objects_are_404(client: TestClient, aw: AuditWorld) -> None:
    sign_in(client, aw.moderator)
    for url in (
        "/audit/paper/999999",
        "/audit/paper/99999999999",
        "/audit/paper/-3",
        history(aw, "gone"),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/audit/paper/abc").status_code == 422
    sign_in(client, aw.admin)
    assert client.get(history(aw, "gone")).status_code == 200  # a deleted item: admins only


def test_verifiers_read_an_organisations_history(client: TestClient, aw: AuditWorld) -> None:
    sign_in(client, aw.other)  # a moderator elsewhere verifies organisations
    assert client.get(history(aw, "org")).status_code == 200
    sign_in(client, aw.stranger)
    assert client.get(history(aw, "org")).status_code == 403


def test_the_process_log_is_for_its_organisers_and_admins(
    client: TestClient, aw: AuditWorld
) -> None:
    for who in ("moderator", "other", "stranger"):
        sign_in(client, getattr(aw, who))
        assert client.get(log(aw)).status_code == 403, who
        assert client.get(log(aw, ".csv")).status_code == 403, who
    for who in ("organiser", "admin"):
        sign_in(client, getattr(aw, who))
        html = client.get(log(aw)).text
        assert "<code>comment.hide</code>" in html
        assert "<code>role.revoke</code>" in html
        assert f'href="{history(aw, "paper")}"' in html
        assert "<code>org.verify</code>" not in html  # not this process's
    assert client.get(log(aw).replace(aw.process.slug, "nope")).status_code == 404


def test_the_whole_log_is_for_admins(client: TestClient, aw: AuditWorld) -> None:
    sign_in(client, aw.organiser)
    assert client.get("/audit").status_code == 403
    assert client.get("/audit.csv").status_code == 403
    sign_in(client, aw.admin)
    html = client.get("/audit").text
    assert "<code>org.verify</code>" in html and "<code>user.admin</code>" in html


def test_filters_in_the_url_and_their_errors(client: TestClient, aw: AuditWorld) -> None:
    sign_in(client, aw.organiser)
    html = client.get(log(aw, "?action=comment.&actor=mo")).text
    assert "<code>comment.hide</code>" in html
    assert "<code>process.update</code>" not in html
    assert '<option value="comment." selected>' in html
    assert 'value="mo"' in html
    bad = client.get(log(aw, "?since=yesterday&until=2026-01-01"))
    assert bad.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in bad.text
    backwards = client.get(log(aw, "?since=2026-02-01&until=2026-01-01"))
    assert backwards.status_code == 422
    assert client.get(log(aw, ".csv?since=nope")).status_code == 422
    assert client.get(log(aw, "?actor=" + "x" * 201)).status_code == 422
    assert client.get(log(aw, "?cursor=0")).status_code == 422


def test_older_entries_link(client: TestClient, db: Session, aw: AuditWorld) -> None:
    made = [
        audit.record(db, aw.organiser, "test.page", "process", aw.process.id) for _ in range(60)
    ]
    sign_in(client, aw.organiser)
    html = client.get(log(aw, "?action=test.page")).text
    cursor = made[10].id  # the 50th newest
    assert f"?action=test.page&amp;cursor={cursor}" in html
    older = client.get(log(aw, f"?action=test.page&cursor={cursor}")).text
    assert older.count("<code>test.page</code>") == 10
    assert "Newest entries" in older


def test_csv_export_of_the_filtered_log(client: TestClient, aw: AuditWorld) -> None:
    sign_in(client, aw.organiser)
    response = client.get(log(aw, ".csv?object_type=paper"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="audit-{aw.process.slug}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["event_id", "time_utc", "actor_id", "actor", "action"]
    (row,) = rows[1:]
    assert row[3] == "'=HYPERLINK(1)"  # the actor's name, neutralised
    assert row[4:7] == ["paper.submit", "paper", str(aw.objects["paper"][1])]
    assert row[8] == '{"title": "P"}'

    everything = client.get(log(aw, ".csv")).content.decode("utf-8-sig")
    assert "comment.hide" in everything and "org.verify" not in everything
    sign_in(client, aw.admin)
    assert "org.verify" in client.get("/audit.csv").content.decode("utf-8-sig")


def test_events_keep_the_request_id(client: TestClient, db: Session) -> None:
    qw = build_queue_world(db)
    pending = qw.comments["pending"]
    sign_in(client, qw.moderator)
    url = f"/processes/{qw.process.slug}/meetings/{qw.meeting.slug}/comments/queue"
    headers = {"X-Request-ID": "req-0123456789"}
    post_form(client, url, {"ids": str(pending.id), "action": "publish"}, headers=headers)
    html = client.get(f"/audit/comment/{pending.id}").text
    assert "<code>comment.publish</code>" in html
    assert '<code class="audit-request">req-0123456789</code>' in html
