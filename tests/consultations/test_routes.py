from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole, RoleGrant
from tests.consultations.conftest import NOT_ORGANISING, ORGANISING, PERSONAS, World
from tests.factories import grant, make_agenda_item, make_meeting, make_user
from tests.support.web import post_form, sign_in

MEETING_FORM = {
    "title": "Second Review",
    "slug": "",
    "starts_on": "2026-12-02",
    "ends_on": "2026-12-03",
    "venue": "Bishkek",
    "timezone": "Asia/Bishkek",
    "languages": ["en", "ru"],
    "languages_other": "ky",
    "submissions_open_at": "2026-10-01T09:00",
    "submissions_close_at": "2026-12-01T18:00",
    "max_file_mb": "20",
    "summary_word_limit": "300",
    "papers_per_organisation": "3",
    "comment_mode": "open",
}


def organiser_pages(w: World) -> list[str]:
    p, m = f"/processes/{w.process.slug}", w.meeting_url
    return [
        f"{p}/edit",
        f"{p}/roles",
        f"{p}/meetings/new",
        f"{m}/edit",
        f"{m}/agenda",
        f"{m}/agenda/{w.item.id}/edit",
    ]


def organiser_posts(w: World) -> list[tuple[str, dict[str, object]]]:
    p, m, i = f"/processes/{w.process.slug}", w.meeting_url, w.item.id
    return [
        (
            f"{p}/edit",
            {"title": "Renamed", "slug": w.process.slug, "regions": "", "description": ""},
        ),
        (f"{p}/meetings", MEETING_FORM),
        (f"{m}/edit", {**MEETING_FORM, "slug": w.meeting.slug}),
        (f"{m}/agenda", {"number": "2", "title": "Next", "papers_open": "on"}),
        (f"{m}/agenda/{i}/edit", {"number": "1", "title": "Opening remarks"}),
        (f"{m}/agenda/{i}/move", {"direction": "down"}),
        (f"{m}/agenda/{i}/delete", {}),
        (f"{p}/roles", {"email": "x@example.org", "role": "moderator"}),
    ]


# --- the permission matrix -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_are_open_to_everyone(client: TestClient, world: World, persona: str) -> None:
    sign_in(client, world.people[persona])
    for url in ("/", "/processes"):
        assert client.get(url).status_code == 200, url
    process_page = client.get(f"/processes/{world.process.slug}")
    meeting_page = client.get(world.meeting_url)
    assert process_page.status_code == meeting_page.status_code == 200
    assert ("Edit process" in process_page.text) is (persona in ORGANISING)
    assert ("Manage agenda" in meeting_page.text) is (persona in ORGANISING)
    # The ways on to the process's follow-up, and to the meeting's questionnaires (signed in)
    slug = world.process.slug
    for path in (f"/processes/{slug}/recommendations", f"/processes/{slug}/dashboard"):
        assert f'href="{path}"' in process_page.text
        assert client.get(path).status_code == 200, path
    questionnaires = f'href="{world.meeting_url}/questionnaires"'
    assert (questionnaires in meeting_page.text) is (persona != "anonymous")


@pytest.mark.parametrize("persona", PERSONAS)
def test_organiser_pages(client: TestClient, world: World, persona: str) -> None:
    sign_in(client, world.people[persona])
    for url in organiser_pages(world):
        response = client.get(url, follow_redirects=False)
        if persona == "anonymous":
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/auth/signin?next=")
        elif persona in NOT_ORGANISING:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 200, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_organiser_actions(client: TestClient, db: Session, world: World, persona: str) -> None:
    make_user(db, email="x@example.org")
    sign_in(client, world.people[persona])
    for url, data in organiser_posts(world):
        response = post_form(client, url, data)
        expected = {"anonymous": 401, "organiser": 303, "admin": 303}.get(persona, 403)
        assert response.status_code == expected, (url, response.text[:300])
    db.expire_all()
    changed = db.get(Process, world.process.id)
    assert changed is not None
    assert (changed.title == "Renamed") is (persona in ORGANISING)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_create_processes(client: TestClient, world: World, persona: str) -> None:
    sign_in(client, world.people[persona])
    page = client.get("/processes/new", follow_redirects=False)
    created = post_form(client, "/processes", {"title": "New dialogue"})
    expected = {"anonymous": (303, 401), "admin": (200, 303)}.get(persona, (403, 403))
    assert (page.status_code, created.status_code) == expected


# --- processes -----------------------------------------------------------------------------------


def test_admin_creates_a_process_with_htmx(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.people["admin"])
    data = {"title": "Migration Dialogue", "slug": "", "regions": "Asia\nEurope, Africa"}
    response = post_form(client, "/processes", data, htmx=True)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/processes/migration-dialogue"
    process = db.scalar(select(Process).where(Process.slug == "migration-dialogue"))
    assert process is not None and process.regions == ["Asia", "Europe", "Africa"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "T", "slug": "Not a slug!"}, "slug"),
        ({"title": "T", "slug": "new"}, "slug"),
        ({"title": "T", "slug": "{taken}"}, "slug"),
    ],
)
def test_process_form_errors(
    client: TestClient, world: World, data: dict[str, str], field: str
) -> None:
    sign_in(client, world.people["admin"])
    data = {k: v.replace("{taken}", world.process.slug) for k, v in data.items()}
    response = post_form(client, "/processes", data, htmx=True)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert f'id="error-{field}"' in response.text
    full = post_form(client, "/processes", data)
    assert full.status_code == 422
    assert "<html" in full.text and f'id="error-{field}"' in full.text


def test_csrf_is_required(client: TestClient, world: World) -> None:
    sign_in(client, world.people["admin"])
    response = client.post("/processes", data={"title": "No token"})
    assert response.status_code == 403


# --- meetings ------------------------------------------------------------------------------------


def test_meeting_form_stores_local_times_in_utc_and_shows_them_local(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.people["organiser"])
    response = post_form(client, f"/processes/{world.process.slug}/meetings", MEETING_FORM)
    assert response.status_code == 303
    meeting = db.scalar(select(Meeting).where(Meeting.slug == "second-review"))
    assert meeting is not None
    assert meeting.submissions_close_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert meeting.languages == ["en", "ru", "ky"]
    page = client.get(f"/processes/{world.process.slug}/meetings/second-review")
    assert "Dec 1, 2026, 6:00\u202fPM (Asia/Bishkek)" in page.text
    assert "Kyrgyz" in page.text
    edit = client.get(f"/processes/{world.process.slug}/meetings/second-review/edit")
    assert 'value="2026-12-01T18:00"' in edit.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": "2026-12-01"}, "ends_on"),
        ({"starts_on": "not a date"}, "starts_on"),
        ({"starts_on": "0001-01-01"}, "starts_on"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"languages": [], "languages_other": ""}, "languages"),
        ({"languages_other": "xx"}, "languages"),
        ({"submissions_close_at": "2026-09-01T09:00"}, "submissions_close_at"),
        ({"submissions_close_at": ""}, "submissions_close_at"),
        ({"max_file_mb": "500"}, "max_file_mb"),
        ({"max_file_mb": ""}, "max_file_mb"),
        ({"comment_mode": "anything"}, "comment_mode"),
        ({"venue": "", "online": ""}, "venue"),
        ({"slug": "{taken}"}, "slug"),
        ({"title": "t" * 500}, "title"),
    ],
)
def test_meeting_form_errors(
    client: TestClient, world: World, changes: dict[str, object], field: str
) -> None:
    sign_in(client, world.people["organiser"])
    data = {**MEETING_FORM, **changes}
    if data["slug"] == "{taken}":
        data["slug"] = world.meeting.slug
    response = post_form(client, f"/processes/{world.process.slug}/meetings", data, htmx=True)
    assert response.status_code == 422, response.text[:300]
    assert f'id="error-{field}"' in response.text


def test_edit_meeting_keeps_its_slug_and_clears_the_window(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.people["organiser"])
    data = {
        **MEETING_FORM,
        "slug": world.meeting.slug,
        "submissions_open_at": "",
        "submissions_close_at": "",
    }
    response = post_form(client, f"{world.meeting_url}/edit", data)
    assert response.status_code == 303
    assert response.headers["location"] == world.meeting_url
    db.expire_all()
    meeting = db.get(Meeting, world.meeting.id)
    assert meeting is not None and meeting.submissions_close_at is None
    assert "Submission dates not announced yet" in client.get(world.meeting_url).text


@pytest.mark.parametrize("persona", PERSONAS)
def test_unknown_objects_are_404(client: TestClient, world: World, persona: str) -> None:
    sign_in(client, world.people[persona])
    assert client.get("/processes/no-such-process").status_code == 404
    assert client.get(f"/processes/{world.process.slug}/meetings/nope").status_code == 404
    assert (
        client.get(
            f"/processes/{world.other_process.slug}/meetings/{world.meeting.slug}"
        ).status_code
        == 404
    )


def test_forged_ids_are_404_for_organisers(client: TestClient, db: Session, world: World) -> None:
    foreign_meeting = make_meeting(db, world.other_process)
    foreign_item = make_agenda_item(db, foreign_meeting)
    foreign_grant = grant(db, make_user(db), world.other_process, ProcessRole.moderator)
    sign_in(client, world.people["organiser"])
    m = world.meeting_url
    assert client.get(f"{m}/agenda/{foreign_item.id}/edit").status_code == 404
    assert client.get(f"{m}/agenda/{2**62}/edit").status_code == 404
    assert client.get(f"{m}/agenda/abc/edit").status_code == 422
    assert post_form(client, f"{m}/agenda/{foreign_item.id}/delete").status_code == 404
    revoke = f"/processes/{world.process.slug}/roles/{foreign_grant.id}/revoke"
    assert post_form(client, revoke).status_code == 404
    assert (
        post_form(client, f"/processes/{world.process.slug}/roles/{2**62}/revoke").status_code
        == 404
    )
    db.expire_all()
    assert db.get(AgendaItem, foreign_item.id) is not None
    assert db.get(RoleGrant, foreign_grant.id) is not None


# --- agenda --------------------------------------------------------------------------------------


def test_move_with_htmx_swaps_the_list(client: TestClient, db: Session, world: World) -> None:
    second = make_agenda_item(db, world.meeting, number="2", title="Second")
    sign_in(client, world.people["organiser"])
    url = f"{world.meeting_url}/agenda/{second.id}/move"
    response = post_form(client, url, {"direction": "up"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="agenda-list">')
    assert "Item 2 moved." in response.text
    assert response.text.index("Second") < response.text.index("Opening")
    plain = post_form(client, url, {"direction": "down"})
    assert plain.status_code == 303
    assert plain.headers["location"].endswith(f"/agenda#item-{second.id}")
    assert post_form(client, url, {"direction": "sideways"}).status_code == 422


def test_only_the_ends_of_the_agenda_disable_moving(
    client: TestClient, db: Session, world: World
) -> None:
    second = make_agenda_item(db, world.meeting, number="2", title="Second")
    third = make_agenda_item(db, world.meeting, number="3", title="Third")
    sign_in(client, world.people["organiser"])
    page = client.get(f"{world.meeting_url}/agenda").text

    def disabled(direction: str, item_id: int) -> bool:
        tag = page.split(f'id="move-{direction}-{item_id}"')[1].split(">")[0]
        return "disabled" in tag

    assert disabled("up", world.item.id)
    assert not disabled("down", world.item.id)
    assert not disabled("up", second.id)
    assert not disabled("down", second.id)
    assert not disabled("up", third.id)
    assert disabled("down", third.id)


def test_agenda_form_errors(client: TestClient, world: World) -> None:
    sign_in(client, world.people["organiser"])
    url = f"{world.meeting_url}/agenda"
    for data, field in [
        ({"number": "1", "title": "Duplicate"}, "number"),
        ({"number": "two", "title": "Bad"}, "number"),
        ({"number": "3", "title": ""}, "title"),
        ({"number": "3", "title": "T", "closes_at": "yesterday"}, "closes_at"),
    ]:
        response = post_form(client, url, data, htmx=True)
        assert response.status_code == 422, data
        assert f'id="error-{field}"' in response.text, data


def test_delete_with_htmx(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.people["admin"])
    response = post_form(client, f"{world.meeting_url}/agenda/{world.item.id}/delete", htmx=True)
    assert response.status_code == 200
    assert "Item 1 deleted." in response.text
    assert "No agenda items yet." in response.text


def test_meeting_page_shows_agenda_in_order(client: TestClient, db: Session, world: World) -> None:
    make_agenda_item(db, world.meeting, number="2.a", title="Labour migration", position=0)
    page = client.get(world.meeting_url).text
    assert page.index("Labour migration") < page.index("Opening")
    assert "Open for papers" in page


# --- roles ---------------------------------------------------------------------------------------


def test_organiser_grants_and_revokes_moderators_only(
    client: TestClient, db: Session, world: World
) -> None:
    target = make_user(db, email="mod@example.org")
    sign_in(client, world.people["organiser"])
    url = f"/processes/{world.process.slug}/roles"
    page = client.get(url).text
    assert 'value="organiser"' not in page
    assert (
        post_form(client, url, {"email": "mod@example.org", "role": "organiser"}).status_code == 403
    )
    assert (
        post_form(client, url, {"email": "mod@example.org", "role": "moderator"}).status_code == 303
    )
    role_grant = db.scalar(select(RoleGrant).where(RoleGrant.user_id == target.id))
    assert role_grant is not None
    organiser_grant = db.scalar(
        select(RoleGrant).where(
            RoleGrant.role == ProcessRole.organiser, RoleGrant.process_id == world.process.id
        )
    )
    assert organiser_grant is not None
    assert post_form(client, f"{url}/{organiser_grant.id}/revoke").status_code == 403
    grant_id = role_grant.id
    assert post_form(client, f"{url}/{grant_id}/revoke").status_code == 303
    db.expunge_all()
    assert db.get(RoleGrant, grant_id) is None


def test_grant_form_errors(client: TestClient, world: World) -> None:
    sign_in(client, world.people["admin"])
    url = f"/processes/{world.process.slug}/roles"
    for data, field in [
        ({"email": "nobody@example.org", "role": "moderator"}, "email"),
        ({"email": "not-an-address", "role": "moderator"}, "email"),
        ({"email": "a@b.org", "role": "emperor"}, "role"),
    ]:
        response = post_form(client, url, data, htmx=True)
        assert response.status_code == 422, data
        assert f'id="error-{field}"' in response.text


def test_home_lists_open_consultations_with_status(client: TestClient, world: World) -> None:
    page = client.get("/").text
    assert "Asia Dialogue" in page
    assert "Bishkek Review" in page
    assert "Open for submissions until" in page
    assert "(Asia/Bishkek)" in page
    assert "Other Dialogue" not in page  # no meetings


def test_home_lists_my_processes(client: TestClient, world: World) -> None:
    sign_in(client, world.people["other_organiser"])
    page = client.get("/").text
    assert "Processes you organise or moderate" in page
    assert "Other Dialogue" in page
