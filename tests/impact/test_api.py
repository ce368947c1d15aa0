"""The impact JSON API with bearer tokens: the same rules as the pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from tests.factories import make_user
from tests.impact.factories import ImpactWorld, impact_world, make_recommendation
from tests.support.web import api_headers, sign_in

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(db: Session) -> ImpactWorld:
    return impact_world(db)


def _token(db: Session, user: User) -> dict[str, str]:
    _, raw = accounts.create_token(db, user, "test")
    db.flush()
    return api_headers(raw)


def test_public_reading(client: TestClient, db: Session, world: ImpactWorld) -> None:
    make_recommendation(db, world.meeting, number="D", adopted_on=None)
    db.flush()
    sign_in(client, None)
    listed = client.get(f"/api/v1/processes/{world.process.slug}/recommendations").json()
    assert [r["number"] for r in listed] == ["1"]
    detail = client.get(f"/api/v1/recommendations/{world.recommendation.id}").json()
    assert detail["addressed_countries"] == ["KG", "KZ"]
    participants = client.get(f"/api/v1/meetings/{world.meeting.id}/participants").json()
    assert {p["country"] for p in participants} >= {"KG", "KZ"}


def test_organiser_manages_through_the_api(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    headers = _token(db, world.organiser)
    created = client.post(
        f"/api/v1/meetings/{world.meeting.id}/recommendations",
        json={"number": "2", "text": "Text", "countries": ["kg"], "adopted_on": "2026-01-01"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    patched = client.patch(
        f"/api/v1/recommendations/{rid}",
        json={"number": "2", "text": "New", "regions": ["143"]},
        headers=headers,
    )
    assert patched.json()["addressee_scope"] == "regions"
    duplicate = client.post(
        f"/api/v1/meetings/{world.meeting.id}/recommendations",
        json={"number": "2", "text": "again"},
        headers=headers,
    )
    assert duplicate.status_code == 422
    person = make_user(db)
    db.flush()
    fp = client.post(
        f"/api/v1/processes/{world.process.slug}/focal-points",
        json={"email": person.email, "country": "TJ"},
        headers=headers,
    )
    assert fp.status_code == 201
    assert (
        client.delete(
            f"/api/v1/processes/{world.process.slug}/focal-points/{fp.json()['id']}",
            headers=headers,
        ).status_code
        == 204
    )
    rnd = client.post(
        f"/api/v1/processes/{world.process.slug}/reporting-rounds",
        json={
            "title": "R",
            "opens_at": "2026-01-01T00:00:00Z",
            "closes_at": "2026-02-01T00:00:00Z",
        },
        headers=headers,
    )
    assert rnd.status_code == 201
    part = client.post(
        f"/api/v1/meetings/{world.meeting.id}/participants", json={"country": "UZ"}, headers=headers
    )
    assert part.status_code == 201


def test_outsiders_cannot_manage(client: TestClient, db: Session, world: ImpactWorld) -> None:
    for user in (world.outsider, world.focal_kg, world.org_owner):
        headers = _token(db, user)
        response = client.post(
            f"/api/v1/meetings/{world.meeting.id}/recommendations",
            json={"number": "9", "text": "x"},
            headers=headers,
        )
        assert response.status_code == 403
        assert (
            client.patch(
                f"/api/v1/recommendations/{world.recommendation.id}",
                json={"number": "1", "text": "hijack"},
                headers=headers,
            ).status_code
            == 403
        )


def test_filing_reports_by_json_and_multipart(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    rid = world.recommendation.id
    focal = _token(db, world.focal_kg)
    first = client.post(
        f"/api/v1/recommendations/{rid}/countries/KG/official",
        json={
            "status": "in_progress",
            "reported_on": "2026-01-01",
            "links": ["https://x.example/a"],
        },
        headers=focal,
    )
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1
    second = client.post(
        f"/api/v1/recommendations/{rid}/countries/KG/official",
        data={"status": "implemented", "reported_on": "2026-06-01", "base_version": "1"},
        files={"file": ("proof.pdf", PDF, "application/pdf")},
        headers=focal,
    )
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["version"] == 2 and body["supersedes_id"] == first.json()["id"]
    file_item = next(e for e in body["evidence"] if e["kind"] == "file")
    assert client.get(f"/api/v1/evidence/{file_item['id']}/file").content == PDF
    stale = client.post(
        f"/api/v1/recommendations/{rid}/countries/KG/official",
        json={"status": "implemented", "reported_on": "2026-06-01", "base_version": "1"},
        headers=focal,
    )
    assert stale.status_code == 409
    other_country = client.post(
        f"/api/v1/recommendations/{rid}/countries/KZ/official",
        json={"status": "implemented", "reported_on": "2026-06-01"},
        headers=focal,
    )
    assert other_country.status_code == 403
    org = _token(db, world.org_member)
    assert (
        client.post(
            f"/api/v1/recommendations/{rid}/countries/KG/official",
            json={"status": "not_started", "reported_on": "2026-06-01", "base_version": "2"},
            headers=org,
        ).status_code
        == 403
    )
    shadow = client.post(
        f"/api/v1/recommendations/{rid}/countries/KG/shadow/{world.org.id}",
        json={"status": "not_started", "reported_on": "2026-06-01"},
        headers=org,
    )
    assert shadow.status_code == 201
    listed = client.get(f"/api/v1/recommendations/{rid}/reports?country=KG").json()
    assert sorted((r["kind"], r["version"]) for r in listed) == [
        ("official", 1),
        ("official", 2),
        ("shadow", 1),
    ]
    assert (
        client.get(f"/api/v1/reports/{shadow.json()['id']}").json()["organisation_id"]
        == world.org.id
    )
    bad = client.post(
        f"/api/v1/recommendations/{rid}/countries/KG/shadow/{world.org.id}",
        content=b"status=x",
        headers={**org, "Content-Type": "text/plain"},
    )
    assert bad.status_code == 415


def test_reports_cannot_be_edited_or_deleted(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    focal = _token(db, world.focal_kg)
    report = client.post(
        f"/api/v1/recommendations/{world.recommendation.id}/countries/KG/official",
        json={"status": "in_progress", "reported_on": "2026-01-01"},
        headers=focal,
    ).json()
    for method in ("PATCH", "PUT", "DELETE"):
        response = client.request(method, f"/api/v1/reports/{report['id']}", headers=focal, json={})
        assert response.status_code == 405


def test_import_through_the_api(client: TestClient, db: Session, world: ImpactWorld) -> None:
    headers = _token(db, world.organiser)
    url = f"/api/v1/meetings/{world.meeting.id}/recommendation-imports"
    bad = client.post(
        url, files={"file": ("r.csv", b"number,text\n1,dup\n", "text/csv")}, headers=headers
    )
    assert bad.status_code == 201 and bad.json()["error_count"] == 1
    assert client.post(f"{url}/{bad.json()['token']}/confirm", headers=headers).status_code == 422
    good = client.post(
        url, files={"file": ("r.csv", b"number,text\n7,Seven\n", "text/csv")}, headers=headers
    )
    confirmed = client.post(f"{url}/{good.json()['token']}/confirm", headers=headers)
    assert confirmed.status_code == 201 and confirmed.json()[0]["number"] == "7"
    outsider = _token(db, world.outsider)
    assert (
        client.post(
            url, files={"file": ("r.csv", b"number,text\n8,x\n", "text/csv")}, headers=outsider
        ).status_code
        == 403
    )


def test_import_file_too_large_is_refused_before_parsing(
    client: TestClient, db: Session, world: ImpactWorld
) -> None:
    headers = _token(db, world.organiser)
    big = b"number,text\n" + b"1,x\n" * 600_000  # about 2.4 MB
    response = client.post(
        f"/api/v1/meetings/{world.meeting.id}/recommendation-imports",
        files={"file": ("r.csv", big, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 413
    missing = client.post(
        f"/api/v1/meetings/{world.meeting.id}/recommendation-imports",
        json={},
        headers=headers,
    )
    assert missing.status_code == 422
