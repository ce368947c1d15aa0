"""Which language a request gets: the user's setting, then Accept-Language, then English;
and how the choice is kept (on the user when signed in, in the session cookie otherwise)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import formatting, i18n
from app.accounts import service as accounts
from app.accounts.models import User
from app.config import Settings
from app.errors import NotFound
from tests.factories import make_user
from tests.support.web import post_form, sign_in


def lang_of(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', html)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("preferred", "header", "expected"),
    [
        ("fr", "es-ES,es;q=0.9,en;q=0.8", "fr"),  # the user's setting beats the browser
        (None, "es-ES,es;q=0.9,en;q=0.8", "es"),
        (None, "de-CH, de;q=0.9, fr;q=0.5", "fr"),  # the first supported one
        (None, "en;q=0.2, es;q=0.7", "es"),  # by quality, not by position
        (None, "fr;q=0, es;q=0.1", "es"),  # q=0 means "not this one"
        (None, "de, it", "en"),  # nothing supported: English
        (None, "", "en"),
        (None, None, "en"),
        ("xx", "es", "es"),  # an unknown setting is ignored
        (None, "fr;q=abc, es;q=0.5", "es"),  # a malformed quality counts as 0
    ],
)
def test_negotiation(preferred: str | None, header: str | None, expected: str) -> None:
    assert i18n.negotiate_locale(preferred, header) == expected


def test_accept_language_chooses_when_nothing_is_set(client: TestClient) -> None:
    assert lang_of(client.get("/", headers={"Accept-Language": "es-MX"}).text) == "es"
    assert lang_of(client.get("/", headers={"Accept-Language": "fr-CA"}).text) == "fr"
    assert lang_of(client.get("/", headers={"Accept-Language": "ja"}).text) == "en"


def test_a_visitors_choice_is_kept_in_the_session_cookie(client: TestClient) -> None:
    sign_in(client, None)
    response = post_form(client, "/auth/locale", {"locale": "es", "next": "/?page=2"})
    assert response.status_code == 303
    assert response.headers["location"] == "/?page=2"
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"}).text) == "es"
    post_form(client, "/auth/logout")  # signing out keeps the language
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"}).text) == "es"


def test_a_signed_in_users_choice_is_stored_on_the_user(
    client: TestClient, db: Session, settings: Settings
) -> None:
    user = make_user(db)
    sign_in(client, user)
    db.expunge_all()
    assert post_form(client, "/auth/locale", {"locale": "fr"}).status_code == 303
    assert db.get(User, user.id).locale == "fr"  # type: ignore[union-attr]
    assert lang_of(client.get("/", headers={"Accept-Language": "es"}).text) == "fr"


def test_the_users_setting_beats_accept_language_after_signing_in(
    client: TestClient, db: Session, settings: Settings
) -> None:
    """A new session (another browser) starts in the language stored on the user."""
    settings.demo = True
    user = accounts.create_demo_user(db, "reader", "Demo Reader", "r@demo.invalid")
    user.locale = "es"
    db.flush()
    sign_in(client, None)
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"}).text) == "fr"
    assert post_form(client, f"/auth/demo/{user.id}").status_code == 303
    page = client.get("/", headers={"Accept-Language": "fr"}).text
    assert lang_of(page) == "es"
    assert "Cerrar sesión" in page


def test_an_unknown_language_resets_to_negotiation(client: TestClient) -> None:
    sign_in(client, None)
    post_form(client, "/auth/locale", {"locale": "es"})
    post_form(client, "/auth/locale", {"locale": "klingon"})
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"}).text) == "fr"


def test_errors_are_in_the_requests_language(client: TestClient) -> None:
    page = client.get("/processes/no-such-process", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert "Ce processus de consultation n'existe pas." in html.unescape(page.text)
    api = client.get("/api/v1/processes/no-such-process", headers={"Accept-Language": "es"})
    if api.status_code == 404 and api.headers["content-type"].startswith("application/json"):
        assert "No existe" in api.json()["error"]["message"]
    with i18n.using_locale("es"):
        assert NotFound().message == "Esta página u objeto no existe."
    assert NotFound().message == "This page or object does not exist."


def test_form_errors_from_pydantic_are_translated(
    client: TestClient, db: Session, settings: Settings
) -> None:
    sign_in(client, make_user(db))
    db.expunge_all()
    response = post_form(
        client,
        "/organisations",
        {"name": "", "type": "ngo", "country": "KG"},
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 422
    assert "Este campo es obligatorio." in response.text or "Escriba un texto." in response.text


@pytest.mark.parametrize(
    ("locale", "number", "day", "interval"),
    [
        ("en", "1,234,567.5", "Mar 4, 2031", "Mar 4 \u2013 5, 2031"),
        ("fr", "1\u202f234\u202f567,5", "4 mars 2031", "4\u20135 mars 2031"),
        ("es", "1.234.567,5", "4 mar 2031", "4\u20135 mar 2031"),
    ],
)
def test_dates_and_numbers_in_the_interface_language(
    locale: str, number: str, day: str, interval: str
) -> None:
    def plain(text: str) -> str:
        return text.replace("\u2009", " ").replace("\xa0", " ").replace(" \u2013 ", "\u2013")

    with i18n.using_locale(locale):
        assert formatting.number(1234567.5) == number
        assert formatting.long_date(date(2031, 3, 4)) == day
        assert plain(formatting.date_range(date(2031, 3, 4), date(2031, 3, 5))) == plain(interval)
        when = formatting.local_datetime(datetime(2031, 2, 10, 12, 0, tzinfo=UTC), "Asia/Bishkek")
        assert when.endswith("(Asia/Bishkek)")
        assert "18:00" in when or "6:00" in when


def test_content_languages_are_named_in_the_interface_language() -> None:
    """A paper's language is content: its own name, then its name for this reader."""
    with i18n.using_locale("fr"):
        assert formatting.content_language("ru") == "русский (russe)"
        assert formatting.content_language("fr") == "français"
        assert formatting.content_language("other") == "Une autre langue"
    with i18n.using_locale("es"):
        assert formatting.content_language("en") == "English (inglés)"
