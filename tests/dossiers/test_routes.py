"""The dossier pages: who sees what, composing with and without htmx, builds and downloads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.dossiers.models import DossierBuild
from app.dossiers.schemas import SUMMARY_MAX_CHARS
from tests.dossiers.world import DossierWorld
from tests.factories import make_comment
from tests.support.web import post_form, sign_in

RunJobs = Callable[[], int]


def _as(client: TestClient, dw: DossierWorld, who: str) -> TestClient:
    user: User | None = None if who == "anonymous" else getattr(dw, who)
    return sign_in(client, user)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 303),
        ("stranger", 403),
        ("owner", 403),  # submitted a paper: still no business with the dossier
        ("other_organiser", 403),
        ("other_moderator", 403),
        ("moderator", 200),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_who_sees_the_dossier_page(
    client: TestClient, dw: DossierWorld, who: str, status: int
) -> None:
    dw.paper(title="Fair recruitment")
    response = _as(client, dw, who).get(dw.url, follow_redirects=False)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"].startswith("/auth/signin")
    if status == 200:
        assert "Fair recruitment" in response.text
        assert ("Move up" in response.text) is (who != "moderator")  # moderators only read
        assert ("Build the dossier now" in response.text) is (who != "moderator")


@pytest.mark.parametrize("who", ["anonymous", "stranger", "moderator", "other_organiser"])
def test_only_organisers_compose_and_build(
    client: TestClient, db: Session, dw: DossierWorld, who: str
) -> None:
    paper = dw.paper()
    _as(client, dw, who)
    section = f"{dw.url}/sections/{dw.item.id}"
    expected = 401 if who == "anonymous" else 403
    for url, data in [
        (f"{section}/papers/{paper.id}/move", {"direction": "up"}),
        (f"{section}/summary", {"summary": "x"}),
        (f"{section}/digest", {"comment_ids": []}),
        (f"{dw.url}/builds", {}),
    ]:
        assert post_form(client, url, data).status_code == expected, url
    assert db.scalar(select(DossierBuild)) is None


def test_moving_papers_with_htmx_and_without(client: TestClient, dw: DossierWorld) -> None:
    a, b = dw.paper(title="Alpha"), dw.paper(title="Beta")
    sign_in(client, dw.organiser)
    section = f"{dw.url}/sections/{dw.item.id}"
    url = f"{section}/papers/{b.id}/move"
    response = post_form(client, url, {"direction": "up"}, htmx=True)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<section class="dossier-section" id="section-')
    assert html.index("Beta") < html.index("Alpha")
    assert 'hx-swap-oob="innerHTML:#dossier-status">New order of item 1 saved.' in html
    assert f'id="move-up-{b.id}" disabled' in html  # first now
    plain = post_form(client, f"{section}/papers/{a.id}/move", {"direction": "up"})
    assert plain.status_code == 303
    assert plain.headers["location"] == f"{dw.url}#section-{dw.item.id}"
    page = client.get(dw.url).text
    assert page.index("Alpha") < page.index("Beta")
    assert post_form(client, url, {"direction": "sideways"}).status_code == 422
    other = f"{dw.url}/sections/{dw.item2.id}/papers/{a.id}/move"
    assert post_form(client, other, {"direction": "up"}).status_code == 404


def test_summary_form(client: TestClient, dw: DossierWorld) -> None:
    sign_in(client, dw.organiser)
    url = f"{dw.url}/sections/{dw.item.id}/summary"
    response = post_form(client, url, {"summary": "Delegates <b>should</b> read this."}, htmx=True)
    assert response.status_code == 200
    assert "Delegates &lt;b&gt;should&lt;/b&gt; read this." in response.text
    assert "Summary of item 1 saved." in response.text
    too_long = post_form(client, url, {"summary": "x" * (SUMMARY_MAX_CHARS + 1)}, htmx=True)
    assert too_long.status_code == 422
    assert 'aria-invalid="true"' in too_long.text and "field-error" in too_long.text
    page = post_form(client, url, {"summary": "x" * (SUMMARY_MAX_CHARS + 1)})
    assert page.status_code == 422 and "<h1>" in page.text
    assert (
        post_form(client, f"{dw.url}/sections/999999/summary", {"summary": "x"}).status_code == 404
    )


def test_digest_form(client: TestClient, db: Session, dw: DossierWorld) -> None:
    comment = make_comment(db, dw.item, dw.owner, body="<p>Please hear the workers.</p>")
    other = make_comment(db, dw.item2, dw.owner)
    sign_in(client, dw.organiser)
    url = f"{dw.url}/sections/{dw.item.id}/digest"
    response = post_form(client, url, {"comment_ids": [str(comment.id)]}, htmx=True)
    assert response.status_code == 200
    assert (
        f'value="{comment.id}" aria-describedby="comment-body-{comment.id}" checked'
        in response.text
    )
    wrong = post_form(client, url, {"comment_ids": [str(other.id)]}, htmx=True)
    assert wrong.status_code == 422 and "published comments on this agenda item" in wrong.text
    sign_in(client, dw.moderator)
    assert "Please hear the workers." in client.get(dw.url).text  # the chosen digest, read-only


def test_build_flow_progress_and_downloads(
    client: TestClient, db: Session, dw: DossierWorld, run_jobs: RunJobs
) -> None:
    dw.paper(pages=2, title="Fair recruitment")
    sign_in(client, dw.organiser)
    started = post_form(client, f"{dw.url}/builds")
    assert started.status_code == 303 and started.headers["location"] == f"{dw.url}/builds/1"
    page = client.get(f"{dw.url}/builds/1")
    assert page.status_code == 200
    assert 'hx-trigger="every 1s"' in page.text and "<progress" in page.text
    assert 'role="status" aria-live="polite"' in page.text
    assert "Fair recruitment" in page.text  # the included versions
    for kind in ("pdf", "zip"):
        assert client.get(f"{dw.url}/builds/1/{kind}").status_code == 409
        assert client.get(f"{dw.url}/latest/{kind}").status_code == 404
    fragment = client.get(f"{dw.url}/builds/1/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'hx-trigger="every 1s"' in fragment.text
    assert "<html" not in fragment.text
    token = fragment.text.split("seen=")[1].split('"')[0]
    unchanged = client.get(f"{dw.url}/builds/1/progress?seen={token}")
    assert unchanged.status_code == 204  # nothing new: htmx swaps nothing, keeps polling

    assert run_jobs() == 1
    done = client.get(f"{dw.url}/builds/1/progress?seen={token}")
    assert done.status_code == 200
    assert "hx-trigger" not in done.text  # finished: polling stops
    assert "Download PDF" in done.text and 'value="100"' in done.text
    pdf = client.get(f"{dw.url}/builds/1/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    disposition = pdf.headers["content-disposition"]
    assert disposition == f'attachment; filename="dossier-{dw.meeting.slug}-v1.pdf"'
    archive = client.get(f"{dw.url}/latest/zip")
    assert archive.status_code == 200 and archive.content.startswith(b"PK")
    assert f"dossier-{dw.meeting.slug}-v1.zip" in archive.headers["content-disposition"]
    build = db.scalars(select(DossierBuild)).one()
    db.refresh(build)
    assert build.pdf_sha256 in client.get(f"{dw.url}/builds/1").text

    sign_in(client, dw.moderator)  # moderators download too
    assert client.get(f"{dw.url}/latest/pdf").status_code == 200
    sign_in(client, dw.other_organiser)
    assert client.get(f"{dw.url}/builds/1/pdf").status_code == 403
    assert client.get(f"{dw.url}/builds/1").status_code == 403
    sign_in(client, dw.organiser)
    assert client.get(f"{dw.url}/builds/2").status_code == 404
    assert client.get(f"{dw.url}/builds/0/pdf").status_code == 404


def test_meeting_page_links_to_the_dossier_for_staff_only(
    client: TestClient, dw: DossierWorld
) -> None:
    meeting_url = f"/processes/{dw.process.slug}/meetings/{dw.meeting.slug}"
    sign_in(client, dw.organiser)
    assert f'href="{dw.url}"' in client.get(meeting_url).text
    sign_in(client, dw.moderator)
    assert f'href="{dw.url}"' in client.get(meeting_url).text
    sign_in(client, dw.stranger)
    assert f'href="{dw.url}"' not in client.get(meeting_url).text
