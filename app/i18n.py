"""Interface language: a per-request locale and gettext callables that templates and code share.

Catalogs live in app/locale/<lang>/LC_MESSAGES/messages.mo (Babel); without one, text is English.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

SUPPORTED_LOCALES = ("en", "fr", "es")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@lru_cache
def translations_for(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale])


def gettext(message: str) -> str:
    return translations_for(current_locale.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_locale.get()).ungettext(singular, plural, n)


def negotiate_locale(preferred: str | None, accept_language: str | None) -> str:
    """The user's own setting first, then the browser's Accept-Language, then English."""
    if preferred in SUPPORTED_LOCALES:
        return preferred
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        base = tag.split("-")[0]
        if base in SUPPORTED_LOCALES:
            return base
    return DEFAULT_LOCALE
