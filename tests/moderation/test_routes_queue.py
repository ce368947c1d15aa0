"""The queue page: filters in the URL, pages, htmx swaps, bulk actions, release, exports."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.moderation import repository
from app.submissions.models import Paper, PaperStatus
from tests.factories import make_meeting, make_paper
from tests.moderation.papers_world import T0, Triage, post
from tests.support.smtp import SmtpServer
from tests.support.web import sign_in

S = PaperStatus


def fresh(db: Session, paper: Paper) -> Paper:
    loaded = repository.get_paper(db, paper.id, fresh=True)
    assert loaded is not None
    return loaded


def ref(db: Session, paper: Paper) -> str:
    return f"{paper.id}:{fresh(db, paper).lock_version}"


def test_the_queue_page_lists_the_meetings_papers(
    client: TestClient, db: Session, triage: Triage
) -> None:
    paper = triage.paper(db, title="Safe corridors")
    sign_in(client, triage.moderator)
    response = client.get(triage.queue_url)
    assert response.status_code == 200
    assert "Safe corridors" in response.text and paper.tracking_number in response.text
    assert 'hx-push-url="true"' in response.text
    assert 'src="/static/moderation.js"' in response.text
    assert "Keyboard shortcuts" in response.text
    assert "Release" not in response.text  # nothing staged


def test_htmx_gets_only_the_results(client: TestClient, db: Session, triage: Triage) -> None:
    triage.paper(db, title="Safe corridors")
    sign_in(client, triage.moderator)
    response = client.get(triage.queue_url + "?status=submitted", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="queue-results"')
    assert "<html" not in response.text and "Safe corridors" in response.text


def test_blank_filters_from_a_get_form_mean_no_filter(
    client: TestClient, db: Session, triage: Triage
) -> None:
    triage.paper(db, title="Safe corridors")
    sign_in(client, triage.moderator)
    url = (
        triage.queue_url + "?q=&status=&item=&language=&org_type=&country=&region=&verified="
        "&assignee=&flag=&cluster=&sort=&cursor=&mode="
    )
    response = client.get(url)
    assert response.status_code == 200 and "Safe corridors" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "status=approved",
        "country=XX",
        "region=999",
        "item=abc",
        "assignee=someone",
        "flag=shiny",
        "sort=size",
        "cursor=forged",
        "cluster=-1",
        "q=" + "x" * 1001,
    ],
)
def test_bad_filters_are_4xx(client: TestClient, db: Session, triage: Triage, query: str) -> None:
    sign_in(client, triage.moderator)
    response = client.get(f"{triage.queue_url}?{query}")
    assert response.status_code == 422
    api = client.get(f"/api/v1/meetings/{triage.meeting.id}/papers?{query}")
    assert api.status_code == 422 and "error" in api.json()


def test_filters_and_search_in_the_url(client: TestClient, db: Session, triage: Triage) -> None:
    from app.submissions import search

    triage.paper(db, title="Cheaper remittances")
    triage.paper(db, title="Fair recruitment", status=S.accepted, announced_status=S.accepted)
    for paper in triage.papers:
        search.index_paper(db, paper.id)
    sign_in(client, triage.moderator)
    page = client.get(triage.queue_url + "?q=recruitment&status=accepted&country=kg&region=143")
    assert page.status_code == 200
    assert "Fair recruitment" in page.text and "Cheaper remittances" not in page.text
    assert 'value="recruitment"' in page.text  # the form shows the view it made
    exported = "queue.csv?status=accepted&amp;country=KG&amp;region=143&amp;q=recruitment"
    assert exported in page.text  # exports keep the filters


def test_next_page_links_walk_the_whole_queue(
    client: TestClient, db: Session, triage: Triage
) -> None:
    for n in range(53):
        triage.paper(db, title=f"Paper number {n:03d}", submitted_at=T0 + timedelta(minutes=n))
    sign_in(client, triage.moderator)
    seen: list[str] = []
    url: str | None = triage.queue_url + "?sort=-title"
    pages = 0
    while url:
        response = client.get(url.replace("&amp;", "&"), headers={"HX-Request": "true"})
        assert response.status_code == 200
        seen += re.findall(r"data-open>Paper number (\d{3})<", response.text)
        found = re.search(r'href="([^"]+)" rel="next"', response.text)
        url = found.group(1) if found else None
        pages += 1
    assert pages == 2
    assert seen == [f"{n:03d}" for n in reversed(range(53))]


def test_bulk_accept_reports_a_conflict_and_does_the_others(
    client: TestClient, db: Session, triage: Triage
) -> None:
    a, b, c = triage.paper(db), triage.paper(db), triage.paper(db)
    refs = [ref(db, a), ref(db, b), ref(db, c)]
    sign_in(client, triage.moderator2)  # someone else decides on b first
    post(
        client,
        f"/papers/{b.id}/decisions",
        {"to_status": "rejected", "reason": "No.", "lock_version": refs[1].split(":")[1]},
    )
    sign_in(client, triage.moderator)
    response = post(
        client,
        triage.queue_url + "/bulk",
        {"action": "accepted", "paper": refs, "staged": "1", "next": triage.queue_url},
        htmx=True,
    )
    assert response.status_code == 409
    assert "2 papers done" in response.text and "changed meanwhile" in response.text
    assert fresh(db, a).status is S.accepted and fresh(db, c).status is S.accepted
    assert fresh(db, a).announced_status is S.submitted  # staged
    assert fresh(db, b).status is S.rejected  # not overwritten


def test_bulk_without_javascript_redirects_and_shows_the_summary_once(
    client: TestClient, db: Session, triage: Triage
) -> None:
    a, b = triage.paper(db), triage.paper(db)
    sign_in(client, triage.moderator)
    back = triage.queue_url + "?sort=-received"
    response = post(
        client,
        triage.queue_url + "/bulk",
        {"action": "in_review", "paper": [ref(db, a), ref(db, b)], "next": back},
    )
    assert response.status_code == 303 and response.headers["location"] == back
    assert "2 papers done" in client.get(back).text
    assert "2 papers done" not in client.get(back).text
    assert fresh(db, a).status is S.in_review


def test_bulk_refusals(client: TestClient, db: Session, triage: Triage) -> None:
    paper = triage.paper(db)
    elsewhere = make_paper(db, make_meeting(db, triage.process), triage.org)
    sign_in(client, triage.moderator)
    url = triage.queue_url + "/bulk"
    no_reason = post(client, url, {"action": "rejected", "paper": [ref(db, paper)]}, htmx=True)
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.text
    assert fresh(db, paper).status is S.submitted
    for data in (
        {"action": "explode", "paper": [ref(db, paper)]},
        {"action": "accepted", "paper": ["1;DROP"]},
        {"action": "accepted"},
        {"action": "assign", "assignee": str(triage.stranger.id), "paper": [ref(db, paper)]},
        {"action": "route", "agenda_item_id": "999999", "paper": [ref(db, paper)]},
    ):
        assert post(client, url, data, htmx=True).status_code == 422, data
    forged = post(
        client,
        url,
        {"action": "accepted", "paper": [ref(db, paper), ref(db, elsewhere), "999999:1"]},
        htmx=True,
    )
    assert forged.status_code == 200
    assert "not in this meeting" in forged.text
    assert fresh(db, paper).status is S.accepted and fresh(db, elsewhere).status is S.submitted


def test_bulk_on_the_whole_page_assign_and_route(
    client: TestClient, db: Session, triage: Triage
) -> None:
    a = triage.paper(db, status=S.accepted, announced_status=S.accepted)
    b = triage.paper(db, status=S.accepted, announced_status=S.accepted)
    sign_in(client, triage.moderator)
    url = triage.queue_url + "/bulk"
    everything = {"all": "1", "page_paper": [ref(db, a), ref(db, b)], "paper": []}
    assign = {**everything, "action": "assign", "assignee": str(triage.moderator2.id)}
    assert post(client, url, assign, htmx=True).status_code == 200
    assert {fresh(db, p).assignee_id for p in (a, b)} == {triage.moderator2.id}
    route = {"action": "route", "agenda_item_id": str(triage.item2.id)}
    route |= {"all": "1", "page_paper": [ref(db, a), ref(db, b)]}
    assert post(client, url, route, htmx=True).status_code == 200
    assert {fresh(db, p).routed_item_id for p in (a, b)} == {triage.item2.id}


def test_a_cluster_is_decided_at_once(client: TestClient, db: Session, triage: Triage) -> None:
    twins = [triage.paper(db) for _ in range(3)]
    for twin in twins:
        twin.duplicate_group = twins[0].id
    loner = triage.paper(db)
    db.flush()
    sign_in(client, triage.moderator)
    page = client.get(f"{triage.queue_url}?cluster={twins[0].id}")
    assert page.text.count("3 near-identical papers") == 3
    refs = re.findall(r'name="page_paper" value="([^"]+)"', page.text)
    assert len(refs) == 3
    data = {"action": "rejected", "reason_code": "off-topic", "all": "1", "page_paper": refs}
    post(client, triage.queue_url + "/bulk", data)
    assert {fresh(db, t).status for t in twins} == {S.rejected}
    assert fresh(db, loner).status is S.submitted


def test_release_by_an_organiser(
    client: TestClient,
    db: Session,
    triage: Triage,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    paper = triage.paper(db)
    sign_in(client, triage.moderator)
    post(
        client,
        f"/papers/{paper.id}/decisions",
        {"to_status": "accepted", "staged": "1", "lock_version": fresh(db, paper).lock_version},
    )
    page = client.get(triage.queue_url)
    assert "1 staged decision" in page.text and "Release 1 staged decision" not in page.text
    assert post(client, triage.queue_url + "/release", {}).status_code == 403
    sign_in(client, triage.organiser)
    assert "Release 1 staged decision" in client.get(triage.queue_url).text
    run_jobs()
    assert mailbox.messages == []
    response = post(client, triage.queue_url + "/release", {})
    assert response.status_code == 303
    assert fresh(db, paper).announced_status is S.accepted
    assert "1 staged decisions released" in client.get(triage.queue_url).text
    run_jobs()
    assert mailbox.wait_for(1, to=triage.owner.email)


def test_exports_follow_the_filters(client: TestClient, db: Session, triage: Triage) -> None:
    triage.paper(db, title="=cmd|' /C calc'!A0")
    triage.paper(db, title="Rejected one", status=S.rejected, announced_status=S.rejected)
    sign_in(client, triage.moderator)
    csv = client.get(triage.queue_url + ".csv?status=submitted")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("tracking_number,title,organisation")
    assert len(lines) == 2 and "'=cmd" in lines[1] and "Rejected one" not in csv.text
    xlsx = client.get(triage.queue_url + ".xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 3
