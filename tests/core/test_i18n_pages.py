"""Key pages rendered in French and Spanish: translated text, no English interface string left,
`<html lang>` set, and dates and times in the reader's language and the meeting's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import User
from app.consultations.models import Meeting, Process, ProcessRole
from app.i18n_catalog import TEMPLATE, msgid_text, placeholders, read_catalog
from tests.factories import (
    grant,
    make_agenda_item,
    make_meeting,
    make_organisation,
    make_paper,
    make_process,
    make_user,
)
from tests.support.web import sign_in

ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class _Texts(HTMLParser):
    """Visible text nodes and the labelling attributes, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        self.texts += [" ".join(v.split()) for k, v in attrs if k in ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.append(text)


def parse(html: str) -> _Texts:
    parser = _Texts()
    parser.feed(html)
    return parser


@cache
def english_interface_strings(locale: str) -> frozenset[str]:
    """Whole English msgids (no placeholders) whose translation differs from the English."""
    strings = set()
    with i18n.using_locale(locale):
        for message in read_catalog(TEMPLATE):
            msgid = msgid_text(message) if message.id else ""
            if not msgid or placeholders(msgid) or "%" in msgid:
                continue
            if i18n.gettext(msgid) != msgid:
                strings.add(" ".join(msgid.split()))
    return frozenset(strings)


def untranslated(html: str, locale: str) -> list[str]:
    english = english_interface_strings(locale)
    return [text for text in parse(html).texts if text in english]


@dataclass
class World:
    process: Process
    meeting: Meeting
    member: User
    organiser: User
    paper_id: int

    @property
    def meeting_url(self) -> str:
        return f"/processes/{self.process.slug}/meetings/{self.meeting.slug}"


@pytest.fixture
def world(db: Session) -> World:
    process = make_process(db, title="Dialogue on migration")
    meeting = make_meeting(
        db,
        process,
        title="Regional consultation",
        timezone="Asia/Bishkek",
        venue="Bishkek",
        starts_on=date(2031, 3, 4),
        ends_on=date(2031, 3, 5),
        submissions_open_at=datetime(2026, 1, 1, tzinfo=UTC),
        submissions_close_at=datetime(2031, 2, 10, 12, 0, tzinfo=UTC),
        max_file_mb=20,
    )
    item = make_agenda_item(db, meeting, number="1", title="Labour migration", position=1)
    member, organiser = make_user(db), make_user(db)
    grant(db, organiser, process, ProcessRole.organiser)
    org = make_organisation(db, owner=member)
    paper = make_paper(db, meeting, org, submitter=member, items=[item])
    return World(process, meeting, member, organiser, paper.id)


# page -> (who is signed in, text each language must show, English that must not remain)
PAGES = {
    "home": (
        None,
        {"fr": ["Consultations ouvertes"], "es": ["Consultas abiertas"]},
        ["Open consultations", "Sign in", "Skip to main content"],
    ),
    "meeting": (
        None,
        {"fr": ["Fuseau horaire", "Clôture des dépôts"], "es": ["Zona horaria", "Programa"]},
        ["Time zone", "Submissions close", "Agenda"],
    ),
    "signin": (
        None,
        {"fr": ["Se connecter", "Aucun fournisseur"], "es": ["Iniciar sesión", "Todavía no hay"]},
        [
            "No sign-in provider is configured yet. "
            "An administrator must set PLENARY_OIDC_PROVIDERS."
        ],
    ),
    "organisation form": (
        "member",
        {"fr": ["Nouvelle organisation", "Sigle"], "es": ["Nueva organización", "Sigla"]},
        ["New organisation", "Acronym", "Create organisation", "Choose a type"],
    ),
    "submit form": (
        "member",
        {"fr": ["Déposer le document", "Langue du document"], "es": ["Presentar el documento"]},
        ["Submit the paper", "Language of the paper", "Agenda items the paper addresses"],
    ),
    "moderation queue": (
        "organiser",
        {  # paper languages (content) are named in their own language, then in the reader's
            "fr": ["Filtrer la file", "Raccourcis clavier", "русский (russe)"],
            "es": ["Filtrar la cola", "русский (ruso)", "English (inglés)"],
        },
        ["Filter the queue", "Keyboard shortcuts", "Clear the filters", "Accept"],
    ),
    "dossier": (
        "organiser",
        {"fr": ["Compiler le dossier maintenant"], "es": ["Compilar el expediente ahora"]},
        ["Build the dossier now", "Builds", "No builds yet."],
    ),
}


def page_url(page: str, world: World) -> str:
    return {
        "home": "/",
        "meeting": world.meeting_url,
        "signin": "/auth/signin",
        "organisation form": "/organisations/new",
        "submit form": f"{world.meeting_url}/papers/new",
        "moderation queue": f"{world.meeting_url}/queue",
        "dossier": f"{world.meeting_url}/dossier",
    }[page]


@pytest.mark.parametrize("locale", ["fr", "es"])
@pytest.mark.parametrize("page", list(PAGES))
def test_key_pages_are_wholly_translated(
    client: TestClient, db: Session, world: World, page: str, locale: str
) -> None:
    who, expected, english = PAGES[page]
    sign_in(client, getattr(world, who) if who else None)
    url = page_url(page, world)
    db.expunge_all()

    html_en = client.get(url, headers={"Accept-Language": "en"}).text
    for text in english:  # the English strings named here are really on the page
        assert text in parse(html_en).texts, (page, text)
    assert set(english) <= set(untranslated(html_en, locale))  # and the detector sees them

    response = client.get(url, headers={"Accept-Language": f"{locale}-{locale.upper()},en;q=0.5"})
    assert response.status_code == 200
    parsed = parse(response.text)
    assert parsed.lang == locale
    for text in expected[locale]:
        assert text in response.text, (page, locale, text)
    for text in english:
        assert text not in parsed.texts, (page, locale, text)
    assert untranslated(response.text, locale) == [], (page, locale)


def test_meeting_times_are_in_the_readers_language_and_the_meetings_zone(
    client: TestClient, world: World
) -> None:
    """12:00 UTC is 18:00 in Bishkek; the zone is named; month names in the language."""
    html_fr = client.get(world.meeting_url, headers={"Accept-Language": "fr"}).text
    assert re.search(r"10 févr\. 2031,? 18:00 \(Asia/Bishkek\)", html_fr)
    assert re.search(r"4\W{0,3}5 mars 2031", html_fr)
    html_es = client.get(world.meeting_url, headers={"Accept-Language": "es"}).text
    assert re.search(r"10 feb 2031,? 18:00 \(Asia/Bishkek\)", html_es)
    html_en = client.get(world.meeting_url, headers={"Accept-Language": "en"}).text
    assert re.search(r"Feb 10, 2031,? 6:00\W?PM \(Asia/Bishkek\)", html_en)


def test_the_language_switcher_is_an_accessible_form_in_every_page(client: TestClient) -> None:
    html = client.get("/", headers={"Accept-Language": "es"}).text
    form = re.search(r'<form method="post" action="/auth/locale".*?</form>', html, re.S)
    assert form is not None
    assert '<label for="locale-select">Idioma de la interfaz</label>' in form.group(0)
    assert 'name="csrf_token"' in form.group(0)
    for code, name in i18n.LOCALE_NAMES.items():
        assert f'<option value="{code}" lang="{code}"' in form.group(0)
        assert name in form.group(0)
    assert re.search(r'<option value="es" lang="es" selected>', form.group(0))
