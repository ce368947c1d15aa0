"""Interface language: a per-request locale and gettext callables that templates and code share.

The catalogs are the text files app/locale/<lang>/LC_MESSAGES/messages.po. They are read and
compiled in memory the first time a language is used (a few milliseconds), so a fresh clone needs
no build step and no binary .mo file is kept in git. English is the source language.
Extraction and updates: `plenary i18n extract|update|check` (app/i18n_catalog.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SUPPORTED_LOCALES = ("en", "fr", "es")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
# The language switcher shows each language in its own name.
LOCALE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache
def translations_for(locale: str) -> NullTranslations:
    """The compiled catalog of `locale`; untranslated and fuzzy entries fall back to English."""
    path = catalog_path(locale)
    if locale == DEFAULT_LOCALE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str) -> str:
    return translations_for(current_locale.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_locale.get()).ungettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Marks text for extraction where it is defined; gettext translates it where it is shown."""
    return message


@contextmanager
def using_locale(locale: str | None) -> Iterator[str]:
    """Text made inside the block is in `locale` (e.g. an e-mail in its recipient's language)."""
    chosen = locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
    token = current_locale.set(chosen)
    try:
        yield chosen
    finally:
        current_locale.reset(token)


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, most preferred first (q=0 means 'not this')."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip().lower()
        if tag and quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _q, _i, tag in sorted(weighted)]


def negotiate_locale(preferred: str | None, accept_language: str | None) -> str:
    """The user's own setting first, then the browser's Accept-Language, then English."""
    if preferred is not None and preferred in SUPPORTED_LOCALES:
        return preferred
    for tag in parse_accept_language(accept_language):
        base = tag.replace("_", "-").split("-")[0]
        if base in SUPPORTED_LOCALES:
            return base
    return DEFAULT_LOCALE
