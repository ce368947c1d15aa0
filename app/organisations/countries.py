"""ISO 3166-1 alpha-2 countries from pycountry, with names in the interface language."""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry

from app import i18n

COUNTRY_CODES: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)


def normalise_code(value: str) -> str | None:
    """The upper-case alpha-2 code, or None when `value` names no country."""
    code = value.strip().upper()
    return code if code in COUNTRY_CODES else None


@lru_cache
def _translations(locale: str) -> gettext.NullTranslations:
    if locale == i18n.DEFAULT_LOCALE:
        return gettext.NullTranslations()
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


def country_name(code: str, locale: str | None = None) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code
    name = str(getattr(country, "common_name", None) or country.name)
    return _translations(locale or i18n.current_locale.get()).gettext(name)


@lru_cache
def country_choices(locale: str) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, for a <select>."""
    pairs = [(code, country_name(code, locale)) for code in COUNTRY_CODES]
    return sorted(pairs, key=lambda pair: _sort_key(pair[1]))


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
