from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.consultations.models import AgendaItem, ProcessRole, RoleGrant
from tests.consultations.conftest import ORGANISING, PERSONAS, World
from tests.factories import grant, make_agenda_item, make_meeting, make_user
from tests.support.web import api_headers, sign_in

API = "/api/v1"
MEETING = {
    "title": "Second Review",
    "starts_on": "2026-12-02",
    "ends_on": "2026-12-03",
    "venue": "Bishkek",
    "timezone": "Asia/Bishkek",
    "languages": ["en", "ru"],
    "submissions_open_at": "2026-10-01T09:00:00",
    "submissions_close_at": "2026-12-01T18:00:00",
}


def call(client: TestClient, method: str, url: str, body: object = None) -> object:
    return client.request(method, API + url, json=body, headers=api_headers())


# --- reads are public ----------------------------------------------------------------------------


def test_public_reads_work_anonymously(client: TestClient, world: World) -> None:
    processes = client.get(f"{API}/processes").json()
    assert {p["slug"] for p in processes} >= {world.process.slug, world.other_process.slug}
    detail = client.get(f"{API}/processes/{world.process.slug}").json()
    assert detail["regions"] == ["Central Asia"]
    assert detail["meetings"][0]["submission_status"] == "open"
    meetings = client.get(f"{API}/processes/{world.process.slug}/meetings").json()
    assert [m["id"] for m in meetings] == [world.meeting.id]
    meeting = client.get(f"{API}/meetings/{world.meeting.id}").json()
    assert meeting["agenda_items"][0]["number"] == "1"
    items = client.get(f"{API}/meetings/{world.meeting.id}/agenda-items").json()
    assert [i["id"] for i in items] == [world.item.id]


def test_unknown_objects_are_404_with_an_error_body(client: TestClient) -> None:
    for url in (
        "/processes/nope",
        "/processes/nope/meetings",
        "/meetings/999999",
        f"/meetings/{2**63}",
    ):
        response = client.get(API + url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


def test_a_bad_token_is_refused_even_for_public_reads(client: TestClient) -> None:
    response = client.get(f"{API}/processes", headers=api_headers("pln_bogus"))
    assert response.status_code == 401


# --- the permission matrix -----------------------------------------------------------------------


def organiser_calls(w: World) -> list[tuple[str, str, object, int]]:
    p, m, i = w.process.slug, w.meeting.id, w.item.id
    return [
        ("PATCH", f"/processes/{p}", {"title": "Renamed"}, 200),
        ("GET", f"/processes/{p}/grants", None, 200),
        ("POST", f"/processes/{p}/grants", {"email": "x@example.org", "role": "moderator"}, 201),
        ("POST", f"/processes/{p}/meetings", MEETING, 201),
        ("PATCH", f"/meetings/{m}", {"venue": "Almaty"}, 200),
        ("POST", f"/meetings/{m}/agenda-items", {"number": "2", "title": "Next"}, 201),
        ("PATCH", f"/agenda-items/{i}", {"title": "Opening remarks", "position": 5}, 200),
        ("DELETE", f"/agenda-items/{i}", None, 204),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_organiser_endpoints(client: TestClient, db: Session, world: World, persona: str) -> None:
    make_user(db, email="x@example.org")
    sign_in(client, world.people[persona])
    for method, url, body, ok in organiser_calls(world):
        response = call(client, method, url, body)
        expected = 401 if persona == "anonymous" else ok if persona in ORGANISING else 403
        assert response.status_code == expected, (method, url, response.text)  # type: ignore[attr-defined]
        if expected >= 400:
            assert response.json()["error"]["code"] in {"not_authenticated", "forbidden"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_create_processes(client: TestClient, world: World, persona: str) -> None:
    sign_in(client, world.people[persona])
    response = call(client, "POST", "/processes", {"title": "Migration Dialogue"})
    expected = {"anonymous": 401, "admin": 201}.get(persona, 403)
    assert response.status_code == expected  # type: ignore[attr-defined]


def test_bearer_token_without_csrf(client: TestClient, db: Session, world: World) -> None:
    admin = world.people["admin"]
    assert admin is not None
    _token, raw = accounts.create_token(db, admin, "script")
    db.flush()
    response = client.post(
        f"{API}/processes",
        json={"title": "Via token", "slug": "via-token"},
        headers=api_headers(raw),
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "via-token"


def test_session_writes_need_the_csrf_header(client: TestClient, world: World) -> None:
    sign_in(client, world.people["admin"])
    response = client.post(f"{API}/processes", json={"title": "No header"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"


# --- meetings and local times --------------------------------------------------------------------


def test_meeting_times_are_local_to_the_meeting(client: TestClient, world: World) -> None:
    sign_in(client, world.people["organiser"])
    created = call(client, "POST", f"/processes/{world.process.slug}/meetings", MEETING)
    body = created.json()  # type: ignore[attr-defined]
    assert body["slug"] == "second-review"
    closes = datetime.fromisoformat(body["submissions_close_at"])
    assert closes == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    patched = call(client, "PATCH", f"/meetings/{body['id']}", {"timezone": "Europe/Zurich"})
    assert patched.json()["submissions_close_at"] == body["submissions_close_at"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MEETING, "ends_on": "2026-12-01"}, "ends_on"),
        ({**MEETING, "timezone": "Nowhere/Land"}, "timezone"),
        ({**MEETING, "languages": []}, "languages"),
        ({**MEETING, "languages": ["english"]}, "languages"),
        ({**MEETING, "submissions_close_at": "2026-09-01T00:00:00"}, "submissions_close_at"),
        ({**MEETING, "max_file_mb": 201}, "max_file_mb"),
        ({**MEETING, "title": "x" * 201}, "title"),
        ({**MEETING, "unexpected": 1}, "unexpected"),
        ({k: v for k, v in MEETING.items() if k != "title"}, "title"),
    ],
)
def test_meeting_input_errors(
    client: TestClient, world: World, body: dict[str, object], field: str
) -> None:
    sign_in(client, world.people["organiser"])
    response = call(client, "POST", f"/processes/{world.process.slug}/meetings", body)
    assert response.status_code == 422  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "invalid"
    assert field in error["fields"], error


def test_patch_refuses_null_for_required_fields(client: TestClient, world: World) -> None:
    sign_in(client, world.people["organiser"])
    response = call(client, "PATCH", f"/meetings/{world.meeting.id}", {"title": None})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "title" in response.json()["error"]["fields"]  # type: ignore[attr-defined]
    cleared = call(
        client,
        "PATCH",
        f"/meetings/{world.meeting.id}",
        {"submissions_open_at": None, "submissions_close_at": None},
    )
    assert cleared.json()["submission_status"] == "unscheduled"  # type: ignore[attr-defined]


def test_duplicate_slugs_and_numbers_are_422(client: TestClient, world: World) -> None:
    sign_in(client, world.people["admin"])
    process = call(client, "POST", "/processes", {"title": "T", "slug": world.process.slug})
    assert process.status_code == 422  # type: ignore[attr-defined]
    assert "slug" in process.json()["error"]["fields"]  # type: ignore[attr-defined]
    item = call(
        client,
        "POST",
        f"/meetings/{world.meeting.id}/agenda-items",
        {"number": "1", "title": "Again"},
    )
    assert item.status_code == 422  # type: ignore[attr-defined]
    assert "number" in item.json()["error"]["fields"]  # type: ignore[attr-defined]


def test_malformed_json_is_422(client: TestClient, world: World) -> None:
    sign_in(client, world.people["admin"])
    headers = {**api_headers(), "Content-Type": "application/json"}
    response = client.post(f"{API}/processes", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


# --- agenda items --------------------------------------------------------------------------------


def test_agenda_reorder_through_patch(client: TestClient, db: Session, world: World) -> None:
    second = make_agenda_item(db, world.meeting, number="2")
    sign_in(client, world.people["organiser"])
    response = call(client, "PATCH", f"/agenda-items/{second.id}", {"position": 0})
    assert response.json()["position"] == 1  # type: ignore[attr-defined]
    items = client.get(f"{API}/meetings/{world.meeting.id}/agenda-items").json()
    assert [i["number"] for i in items] == ["2", "1"]


def test_agenda_item_of_another_process_is_403_for_organisers(
    client: TestClient, db: Session, world: World
) -> None:
    foreign = make_agenda_item(db, make_meeting(db, world.other_process))
    sign_in(client, world.people["organiser"])
    assert call(client, "DELETE", f"/agenda-items/{foreign.id}").status_code == 403  # type: ignore[attr-defined]
    assert call(client, "DELETE", f"/agenda-items/{2**62}").status_code == 404  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(AgendaItem, foreign.id) is not None


# --- grants --------------------------------------------------------------------------------------


def test_grants_round_trip(client: TestClient, db: Session, world: World) -> None:
    target = make_user(db, email="Target@Example.org", name="Target")
    sign_in(client, world.people["admin"])
    url = f"/processes/{world.process.slug}/grants"
    created = call(client, "POST", url, {"email": "target@example.org", "role": "organiser"})
    assert created.status_code == 201  # type: ignore[attr-defined]
    body = created.json()  # type: ignore[attr-defined]
    assert (body["user_id"], body["user_name"], body["role"]) == (target.id, "Target", "organiser")
    listed = call(client, "GET", url).json()  # type: ignore[attr-defined]
    assert body["id"] in {g["id"] for g in listed}
    assert call(client, "DELETE", f"{url}/{body['id']}").status_code == 204  # type: ignore[attr-defined]
    assert call(client, "DELETE", f"{url}/{body['id']}").status_code == 404  # type: ignore[attr-defined]


def test_grant_errors(client: TestClient, db: Session, world: World) -> None:
    foreign = grant(db, make_user(db), world.other_process, ProcessRole.moderator)
    sign_in(client, world.people["organiser"])
    url = f"/processes/{world.process.slug}/grants"
    unknown = call(client, "POST", url, {"email": "nobody@example.org", "role": "moderator"})
    assert unknown.status_code == 422  # type: ignore[attr-defined]
    assert "email" in unknown.json()["error"]["fields"]  # type: ignore[attr-defined]
    bad_role = call(client, "POST", url, {"email": "a@b.org", "role": "emperor"})
    assert "role" in bad_role.json()["error"]["fields"]  # type: ignore[attr-defined]
    assert call(client, "DELETE", f"{url}/{foreign.id}").status_code == 404  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(RoleGrant, foreign.id) is not None
