"""The impact pages: public reading, reporting forms, organiser management, imports."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.impact.models import (
    AddresseeScope,
    FocalPoint,
    FollowUpReport,
    MeetingParticipant,
    Recommendation,
    ReportEvidence,
    ReportingRound,
    ReportKind,
)
from tests.factories import make_paper, make_user
from tests.impact.factories import ImpactWorld, impact_world, make_recommendation
from tests.support.web import TEST_CSRF, post_form, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(db: Session) -> ImpactWorld:
    return impact_world(db)


def _reports(db: Session) -> list[FollowUpReport]:
    query = select(FollowUpReport).options(selectinload(FollowUpReport.evidence))
    return list(db.scalars(query.order_by(FollowUpReport.id)))


def test_public_pages_show_adopted_recommendations_and_hide_drafts(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    draft = make_recommendation(
        db, world.meeting, number="D-9", text="Secret draft", adopted_on=None
    )
    db.flush()
    sign_in(client, None)
    page = client.get(f"/processes/{world.process.slug}/recommendations")
    assert page.status_code == 200
    assert world.recommendation.text in page.text
    assert "Secret draft" not in page.text
    assert client.get(f"/recommendations/{draft.id}").status_code == 404
    detail = client.get(f"/recommendations/{world.recommendation.id}")
    assert detail.status_code == 200
    assert "Kyrgyzstan" in detail.text and "Kazakhstan" in detail.text
    sign_in(client, world.organiser)
    assert "Secret draft" in client.get(f"/processes/{world.process.slug}/recommendations").text
    assert client.get(f"/recommendations/{draft.id}").status_code == 200


def test_focal_point_files_through_the_form_with_a_file(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    rid = world.recommendation.id
    sign_in(client, world.focal_kg)
    form = client.get(f"/recommendations/{rid}/countries/KG/official")
    assert form.status_code == 200 and 'name="status"' in form.text
    response = client.post(
        f"/recommendations/{rid}/countries/KG/official",
        data={
            "csrf_token": TEST_CSRF,
            "base_version": "0",
            "status": "partially_implemented",
            "reported_on": "2026-05-01",
            "narrative": "Labour inspections now cover domestic work.",
            "links": "https://gov.example/decree",
            "file_title": "Decree 12",
        },
        files={"file": ("decree.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/recommendations/{rid}/countries/KG"
    (report,) = _reports(db)
    kinds = sorted(e.kind.value for e in report.evidence)
    assert kinds == ["file", "link"]
    file_item = next(e for e in report.evidence if e.kind.value == "file")
    assert file_item.media_type == "application/pdf" and file_item.title == "Decree 12"
    history = client.get(f"/recommendations/{rid}/countries/KG")
    assert "Labour inspections" in history.text and "Partially implemented" in history.text
    sign_in(client, None)  # evidence of a public recommendation is public
    download = client.get(f"/evidence/{file_item.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")


def test_refused_file_leaves_no_report(client: TestClient, db: Session, world: ImpactWorld) -> None:
    sign_in(client, world.focal_kg)
    response = client.post(
        f"/recommendations/{world.recommendation.id}/countries/KG/official",
        data={"csrf_token": TEST_CSRF, "status": "implemented", "reported_on": "2026-05-01"},
        files={"file": ("run.exe", b"MZ\x90\x00binary", "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 415
    assert "Nothing was stored" in response.text
    assert _reports(db) == []


def test_form_errors_are_shown_not_500(client: TestClient, db: Session, world: ImpactWorld) -> None:
    sign_in(client, world.focal_kg)
    response = post_form(
        client,
        f"/recommendations/{world.recommendation.id}/countries/KG/official",
        {"status": "bogus", "reported_on": "not a date", "narrative": "Long text I typed"},
    )
    assert response.status_code == 422
    assert "Choose one of the options." in response.text
    assert "Long text I typed" in response.text  # what was typed is not lost
    sign_in(client, world.focal_kg)
    multipart = client.post(
        f"/recommendations/{world.recommendation.id}/countries/KG/official",
        data={
            "csrf_token": TEST_CSRF,
            "status": "implemented",
            "reported_on": "2026-01-01",
            "narrative": "Typed before the file",
            "links": "not a url",
        },
        files={"file": ("a.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert multipart.status_code == 422
    assert "Typed before the file" in multipart.text and "full web address" in multipart.text
    assert _reports(db) == []


def test_a_second_version_with_stale_base_is_refused(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    url = f"/recommendations/{world.recommendation.id}/countries/KG/official"
    sign_in(client, world.focal_kg)
    first = {"status": "in_progress", "reported_on": "2026-01-01", "base_version": "0"}
    assert post_form(client, url, first).status_code == 303
    assert post_form(client, url, first).status_code == 409
    second = {"status": "implemented", "reported_on": "2026-06-01", "base_version": "1"}
    assert post_form(client, url, second).status_code == 303
    assert [r.version for r in _reports(db)] == [1, 2]


def test_permission_refusals_on_the_forms(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    rid = world.recommendation.id
    data = {"status": "implemented", "reported_on": "2026-01-01"}
    sign_in(client, world.focal_kg)
    assert client.get(f"/recommendations/{rid}/countries/KZ/official").status_code == 403
    assert (
        post_form(client, f"/recommendations/{rid}/countries/KZ/official", data).status_code == 403
    )
    sign_in(client, world.org_owner)  # an organisation cannot touch the official report
    assert (
        post_form(client, f"/recommendations/{rid}/countries/KG/official", data).status_code == 403
    )
    ok = post_form(client, f"/recommendations/{rid}/countries/KG/shadow/{world.org.id}", data)
    assert ok.status_code == 303
    sign_in(client, world.outsider)
    refused = post_form(client, f"/recommendations/{rid}/countries/KG/shadow/{world.org.id}", data)
    assert refused.status_code == 403
    assert [r.kind for r in _reports(db)] == [ReportKind.shadow]


def test_organiser_records_recommendation_participants_focal_points_rounds(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    base = f"/processes/{world.process.slug}/meetings/{world.meeting.slug}"
    sign_in(client, world.organiser)
    assert client.get(base + "/recommendations/new").status_code == 200
    bad = post_form(client, base + "/recommendations", {"number": "1", "text": "dup"})
    assert bad.status_code == 422 and "Another recommendation" in bad.text
    created = post_form(
        client,
        base + "/recommendations",
        {"number": "2", "text": "Regional body", "regions": ["143", "151"], "adopted_on": ""},
    )
    assert created.status_code == 303
    rec = db.scalars(select(Recommendation).where(Recommendation.number == "2")).one()
    assert rec.regions == ["143", "151"] and rec.adopted_on is None
    assert client.get(f"/recommendations/{rec.id}/edit").status_code == 200
    assert post_form(client, base + "/participants", {"country": "tj"}).status_code == 303
    assert post_form(client, base + "/participants", {"country": "??"}).status_code == 422
    csv = b"country,organisation\nUZ,\n,Migrant Forum\n"
    imported = client.post(
        base + "/participants/import",
        data={"csrf_token": TEST_CSRF},
        files={"file": ("p.csv", csv, "text/csv")},
        follow_redirects=False,
    )
    assert imported.status_code == 303
    names = {p.country or p.name for p in db.scalars(select(MeetingParticipant))}
    assert {"TJ", "UZ", "Migrant Forum"} <= names
    person = make_user(db)
    db.flush()
    hub = f"/processes/{world.process.slug}/impact"
    assert client.get(hub).status_code == 200
    granted = post_form(client, hub + "/focal-points", {"email": person.email, "country": "UZ"})
    assert granted.status_code == 303
    assert (
        db.scalars(select(FocalPoint).where(FocalPoint.user_id == person.id)).one().country == "UZ"
    )
    made = post_form(
        client,
        hub + "/rounds",
        {"title": "2027", "opens_at": "2027-01-01T00:00", "closes_at": "2027-03-01T00:00"},
    )
    assert made.status_code == 303
    assert db.scalars(select(ReportingRound)).one().title == "2027"


def test_citation_and_organisation_page(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    from tests.factories import accept_and_route

    paper = accept_and_route(db, make_paper(db, world.meeting, world.org, world.org_owner), None)
    db.flush()
    rid = world.recommendation.id
    sign_in(client, world.organiser)
    page = client.get(f"/recommendations/{rid}")
    assert paper.title in page.text  # offered as a citation
    assert (
        post_form(
            client, f"/recommendations/{rid}/citations", {"paper_id": str(paper.id)}
        ).status_code
        == 303
    )
    sign_in(client, world.org_member)
    mine = client.get(f"/organisations/{world.org.id}/recommendations")
    assert mine.status_code == 200 and world.recommendation.text[:40] in mine.text
    sign_in(client, world.outsider)
    assert client.get(f"/organisations/{world.org.id}/recommendations").status_code == 403


def test_import_preview_and_confirm_pages(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    base = f"/processes/{world.process.slug}/meetings/{world.meeting.slug}/recommendations/import"
    sign_in(client, world.organiser)
    assert client.get(base).status_code == 200
    bad = client.post(
        base,
        data={"csrf_token": TEST_CSRF},
        files={"file": ("r.csv", b"number,text,countries\n5,x,QQ\n", "text/csv")},
        follow_redirects=False,
    )
    assert bad.status_code == 303
    preview = client.get(bad.headers["location"])
    assert "Unknown country codes: QQ." in preview.text
    assert "Save these recommendations" not in preview.text
    good = client.post(
        base,
        data={"csrf_token": TEST_CSRF},
        files={"file": ("r.csv", b"number,text\n5,Five\n6,Six\n", "text/csv")},
        follow_redirects=False,
    )
    token = good.headers["location"].rsplit("/", 1)[1]
    assert "Save these recommendations" in client.get(good.headers["location"]).text
    assert post_form(client, f"{base}/{token}/confirm", {}).status_code == 303
    numbers = set(db.scalars(select(Recommendation.number)))
    assert {"5", "6"} <= numbers
    unreadable = client.post(
        base,
        data={"csrf_token": TEST_CSRF},
        files={"file": ("r.csv", b"", "text/csv")},
        follow_redirects=False,
    )
    assert unreadable.status_code == 422


def test_csrf_is_required_on_the_upload_forms(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    sign_in(client, world.focal_kg)
    response = client.post(
        f"/recommendations/{world.recommendation.id}/countries/KG/official",
        data={"status": "implemented", "reported_on": "2026-01-01"},
        files={"file": ("a.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert _reports(db) == []
    assert db.scalars(select(ReportEvidence)).first() is None


def test_follow_up_page_lists_a_focal_points_work(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    other = make_recommendation(
        db,
        world.meeting,
        number="9",
        text="Only for Kazakhstan",
        addressee_scope=AddresseeScope.countries,
        countries=["KZ"],
    )
    db.flush()
    sign_in(client, None)
    public = client.get("/follow-up")
    assert public.status_code == 200 and world.process.title in public.text
    sign_in(client, world.focal_kg)
    mine = client.get("/follow-up")
    assert f"/recommendations/{world.recommendation.id}/countries/KG/official" in mine.text
    assert f"/recommendations/{other.id}/countries/KG/official" not in mine.text
    assert "No report yet" in mine.text
    sign_in(client, world.org_member)
    assert world.org.name in client.get("/follow-up").text
