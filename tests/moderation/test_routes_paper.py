"""A paper's moderation page and its actions (plain forms and htmx rows), the conflict path,
the inline preview, reason codes, and what the organisation sees while a decision is staged."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.moderation import repository
from app.storage import get_storage
from app.submissions.models import Paper, PaperStatus, PaperVersion
from tests.moderation.papers_world import Triage, post
from tests.support import sample_files as samples
from tests.support.web import api_headers, sign_in

S = PaperStatus


def fresh(db: Session, paper: Paper) -> Paper:
    loaded = repository.get_paper(db, paper.id, fresh=True)
    assert loaded is not None
    return loaded


def lock(db: Session, paper: Paper) -> int:
    return fresh(db, paper).lock_version


def claimed_by_someone_else(client: TestClient, db: Session, triage: Triage) -> tuple[Paper, int]:
    """A paper, and the lock version the first moderator saw before the second claimed it;
    the client is signed in as the first moderator again."""
    paper = triage.paper(db)
    seen = lock(db, paper)
    sign_in(client, triage.moderator2)
    post(client, f"/papers/{paper.id}/assignment", {"assignee": "me", "lock_version": seen})
    sign_in(client, triage.moderator)
    return paper, seen


def test_the_moderation_page(client: TestClient, db: Session, triage: Triage) -> None:
    paper = triage.paper(db, title="Safe corridors")
    older = triage.paper(db, title="An older paper")
    sign_in(client, triage.moderator)
    page = client.get(f"/papers/{paper.id}/moderation")
    assert page.status_code == 200
    assert "Safe corridors" in page.text
    assert f'src="/papers/{paper.id}/versions/1/preview"' in page.text  # a PDF: framed
    assert "Awaiting verification" in page.text  # the organisation's standing
    assert "An older paper" in page.text and f"/papers/{older.id}/moderation" in page.text
    assert "Not scanned" in page.text
    assert "No decision yet." in page.text


def test_decide_from_the_page_and_see_the_history(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db)
    sign_in(client, triage.moderator)
    response = post(
        client,
        f"/papers/{paper.id}/decisions",
        {
            "to_status": "rejected",
            "reason_code": "off-topic",
            "reason": "Wrong meeting.",
            "staged": "1",
            "lock_version": lock(db, paper),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/papers/{paper.id}/moderation"
    page = client.get(f"/papers/{paper.id}/moderation").text
    assert "Not on the agenda" in page and "Wrong meeting." in page
    assert "staged, not released" in page and "Revert the staged decision" in page
    assert "Decision" in page and "Mina Mod" in page  # audit history


def test_a_stale_form_on_the_page_is_a_409_with_the_current_state(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db)
    seen = lock(db, paper)
    sign_in(client, triage.moderator2)
    post(client, f"/papers/{paper.id}/decisions", {"to_status": "accepted", "lock_version": seen})
    sign_in(client, triage.moderator)
    response = post(
        client,
        f"/papers/{paper.id}/decisions",
        {"to_status": "rejected", "reason_code": "off-topic", "lock_version": seen},
    )
    assert response.status_code == 409
    assert "Not saved: the paper changed" in response.text
    assert "it is now accepted" in response.text
    assert f'name="lock_version" value="{lock(db, paper)}"' in response.text  # fresh form
    assert fresh(db, paper).status is S.accepted


def test_htmx_row_actions_answer_with_the_row(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db, title="Safe corridors")
    sign_in(client, triage.moderator)
    base = {"view": "row", "next": triage.queue_url, "mode": "staged"}
    claimed = post(
        client,
        f"/papers/{paper.id}/assignment",
        {**base, "assignee": "me", "lock_version": lock(db, paper)},
        htmx=True,
    )
    assert claimed.status_code == 200
    assert claimed.text.lstrip().startswith(f'<tr id="paper-{paper.id}"')
    assert "Mina Mod" in claimed.text and "Unassign" in claimed.text
    accepted = post(
        client,
        f"/papers/{paper.id}/decisions",
        {**base, "to_status": "accepted", "staged": "1", "lock_version": lock(db, paper)},
        htmx=True,
    )
    assert accepted.status_code == 200 and "staged" in accepted.text
    paper = fresh(db, paper)
    assert (paper.status, paper.announced_status) == (S.accepted, S.submitted)


def test_a_stale_row_is_a_409_with_the_fresh_row(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper, seen = claimed_by_someone_else(client, db, triage)
    response = post(
        client,
        f"/papers/{paper.id}/decisions",
        {"view": "row", "to_status": "accepted", "lock_version": seen},
        htmx=True,
    )
    assert response.status_code == 409
    assert response.text.lstrip().startswith("<tr")
    assert "Someone else changed" in response.text and "Milo Mod" in response.text
    assert f'value="{paper.id}:{lock(db, paper)}"' in response.text
    assert fresh(db, paper).status is S.submitted


def test_rejecting_from_a_row_without_a_reason(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db)
    sign_in(client, triage.moderator)
    response = post(
        client,
        f"/papers/{paper.id}/decisions",
        {"view": "row", "to_status": "rejected", "lock_version": lock(db, paper)},
        htmx=True,
    )
    assert response.status_code == 422
    assert "Give a reason" in response.text and "<details" in response.text
    assert fresh(db, paper).status is S.submitted


def test_a_row_fetches_its_reject_form_with_the_lock_it_was_shown_with(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db, title="Safe corridors")
    seen = lock(db, paper)
    sign_in(client, triage.moderator)
    queue_page = client.get(triage.queue_url).text
    assert '<details class="row-reject"' not in queue_page  # no form per row
    link = re.search(rf'hx-get="(/papers/{paper.id}/moderation/reject-form\?[^"]+)"', queue_page)
    assert link is not None and f"lock_version={seen}" in link.group(1)

    form = client.get(html.unescape(link.group(1)), headers={"HX-Request": "true"})
    assert form.status_code == 200 and "<html" not in form.text
    assert f'name="lock_version" value="{seen}"' in form.text
    assert 'name="to_status" value="rejected"' in form.text
    assert 'name="staged" value="1"' in form.text  # the queue's default mode
    assert 'name="csrf_token"' in form.text and 'name="view" value="row"' in form.text
    assert 'value="off-topic"' in form.text and "autofocus" in form.text

    base = {"view": "row", "mode": "staged", "next": triage.queue_url, "staged": "1"}
    rejected = post(
        client,
        f"/papers/{paper.id}/decisions",
        {**base, "to_status": "rejected", "reason_code": "off-topic", "lock_version": seen},
        htmx=True,
    )
    assert rejected.status_code == 200
    assert rejected.text.lstrip().startswith(f'<tr id="paper-{paper.id}"')
    paper = fresh(db, paper)
    assert (paper.status, paper.announced_status) == (S.rejected, S.submitted)


def test_a_reject_form_asked_for_a_stale_row_answers_with_the_fresh_row(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper, seen = claimed_by_someone_else(client, db, triage)
    url = f"/papers/{paper.id}/moderation/reject-form?lock_version={seen}&mode=now"
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "closest tr"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert response.text.lstrip().startswith(f'<tr id="paper-{paper.id}"')
    assert "Someone else changed" in response.text and "Milo Mod" in response.text
    assert fresh(db, paper).status is S.submitted


def test_without_javascript_reject_opens_the_papers_decision_form(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db)
    sign_in(client, triage.moderator)
    url = f"/papers/{paper.id}/moderation/reject-form?lock_version={lock(db, paper)}"
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/papers/{paper.id}/moderation?decide=rejected#decide-heading"
    )
    page = client.get(response.headers["location"]).text
    assert re.search(r'id="to-rejected" name="to_status" value="rejected" checked', page)
    assert not re.search(r'value="accepted" checked', page)
    unknown = client.get(f"/papers/{paper.id}/moderation?decide=withdrawn").text
    assert " checked>" not in unknown.split('class="decision-form"')[1].split("</fieldset>")[0]
    missing = client.get(f"/papers/{paper.id}/moderation/reject-form")
    assert missing.status_code == 422


def test_bad_input_is_4xx(client: TestClient, db: Session, triage: Triage) -> None:
    paper = triage.paper(db)
    withdrawn = triage.paper(db, status=S.withdrawn, announced_status=S.withdrawn)
    sign_in(client, triage.moderator)
    v = lock(db, paper)
    cases = [
        (f"/papers/{paper.id}/decisions", {"to_status": "approved", "lock_version": v}, 422),
        (f"/papers/{paper.id}/decisions", {"to_status": "withdrawn", "lock_version": v}, 422),
        (f"/papers/{paper.id}/decisions", {"to_status": "accepted"}, 422),
        (f"/papers/{paper.id}/decisions", {"to_status": "accepted", "lock_version": "x"}, 422),
        (f"/papers/{paper.id}/decisions", {"to_status": "accepted", "lock_version": -1}, 422),
        (f"/papers/{withdrawn.id}/decisions", {"to_status": "accepted", "lock_version": 2}, 409),
        (f"/papers/{paper.id}/decisions/999999/revert", {"lock_version": v}, 404),
        (f"/papers/{paper.id}/assignment", {"assignee": "999999", "lock_version": v}, 422),
        (f"/papers/{paper.id}/assignment", {"assignee": "someone", "lock_version": v}, 422),
        (f"/papers/{paper.id}/route", {"agenda_item_id": triage.item.id, "lock_version": v}, 409),
        (f"/papers/{paper.id}/route", {"agenda_item_id": "", "lock_version": v}, 422),
        ("/papers/999999/decisions", {"to_status": "accepted", "lock_version": 1}, 404),
        ("/papers/0/decisions", {"to_status": "accepted", "lock_version": 1}, 404),
    ]
    for url, data, status in cases:
        assert post(client, url, data).status_code == status, (url, data)
    assert fresh(db, paper).status is S.submitted


def test_revert_route_and_assign_from_the_page(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db)
    sign_in(client, triage.moderator)
    post(
        client,
        f"/papers/{paper.id}/decisions",
        {"to_status": "accepted", "staged": "1", "lock_version": lock(db, paper)},
    )
    (decision,) = repository.decisions_of(db, paper.id)
    route = {"agenda_item_id": triage.item2.id, "lock_version": lock(db, paper)}
    assert post(client, f"/papers/{paper.id}/route", route).status_code == 303
    assert fresh(db, paper).routed_item_id == triage.item2.id
    assign = {"assignee": str(triage.moderator2.id), "lock_version": lock(db, paper)}
    assert post(client, f"/papers/{paper.id}/assignment", assign).status_code == 303
    revert = {"lock_version": lock(db, paper)}
    url = f"/papers/{paper.id}/decisions/{decision.id}/revert"
    assert post(client, url, revert).status_code == 303
    paper = fresh(db, paper)
    assert paper.status is S.submitted and paper.routed_item_id is None
    assert paper.assignee_id == triage.moderator2.id


def test_the_inline_preview(
    client: TestClient, db: Session, triage: Triage, settings: Settings
) -> None:
    paper = triage.paper(db)
    stored = get_storage(settings).put_stream([samples.pdf_document(1)], max_bytes=10**7)
    version = db.get(PaperVersion, fresh(db, paper).versions[0].id)
    assert version is not None
    version.file_key = stored.key
    db.flush()
    sign_in(client, triage.moderator)
    response = client.get(f"/papers/{paper.id}/versions/1/preview")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert client.get(f"/papers/{paper.id}/versions/9/preview").status_code == 404
    page = client.get(f"/papers/{paper.id}/moderation")
    assert page.headers["x-frame-options"] == "DENY"  # only the preview may be framed
    sign_in(client, triage.member)
    assert client.get(f"/papers/{paper.id}/versions/1/preview").status_code == 403


def test_reason_codes_page(client: TestClient, db: Session, triage: Triage) -> None:
    url = f"/processes/{triage.process.slug}/reason-codes"
    sign_in(client, triage.moderator)
    assert client.get(url).status_code == 403
    assert post(client, url, {"code": "late", "label": "Too late"}).status_code == 403
    sign_in(client, triage.organiser)
    assert "Not on the agenda" in client.get(url).text
    assert post(client, url, {"code": "late", "label": "Received too late"}).status_code == 303
    bad = post(client, url, {"code": "Not a code!", "label": ""}, htmx=True)
    assert bad.status_code == 422 and 'id="reason-form"' in bad.text
    assert post(client, url, {"code": "late", "label": "Again"}).status_code == 422
    off = f"{url}/{triage.off_topic.id}/deactivate"
    assert post(client, off, {}).status_code == 303
    assert "deactivated" in client.get(url).text
    assert post(client, f"{url}/999999/activate", {}).status_code == 404
    assert post(client, f"{url}/{triage.off_topic.id}/activate", {}).status_code == 303


def test_the_organisation_sees_the_announced_status_until_release(
    client: TestClient, db: Session, triage: Triage, run_jobs: Callable[[], int]
) -> None:
    paper = triage.paper(db, title="Safe corridors")
    sign_in(client, triage.moderator)
    post(
        client,
        f"/papers/{paper.id}/decisions",
        {
            "to_status": "rejected",
            "reason_code": "off-topic",
            "staged": "1",
            "lock_version": lock(db, paper),
        },
    )
    sign_in(client, triage.member)
    for url in (
        f"/papers/{paper.id}",
        f"/organisations/{triage.org.id}/submissions",
        f"/papers/{paper.id}/receipt",
    ):
        text = client.get(url).text
        assert "Not accepted" not in text and "Submitted" in text, url
    assert client.get(f"/api/v1/papers/{paper.id}", headers=api_headers()).json()["status"] == (
        "submitted"
    )
    sign_in(client, triage.moderator)
    assert client.get(f"/api/v1/papers/{paper.id}", headers=api_headers()).json()["status"] == (
        "rejected"
    )
    assert "the organisation sees" in client.get(f"/papers/{paper.id}").text
    sign_in(client, triage.organiser)
    post(client, f"{triage.queue_url}/release", {})
    sign_in(client, triage.member)
    text = client.get(f"/organisations/{triage.org.id}/submissions").text
    assert "Not accepted" in text and "Decision announced" in text
