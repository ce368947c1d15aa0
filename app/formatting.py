"""Dates, times and language names shown in the interface language (Babel), as Jinja filters.

Times are stored in UTC and shown in the time zone they belong to (a meeting's), with its IANA name,
so a reader in another country is never misled about a deadline.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_time
from babel.numbers import format_decimal

from app import i18n


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def _here() -> Locale:
    """The interface language's Babel locale (parsed once: a page formats hundreds of values)."""
    return _locale(i18n.current_locale.get())


def local_datetime(value: datetime | None, timezone: str, *, with_zone: bool = True) -> str:
    """'Dec 1, 2026, 6:00 PM (Asia/Bishkek)' — medium date, short time, in `timezone`."""
    if value is None:
        return ""
    locale = _here()
    local = value.astimezone(ZoneInfo(timezone))
    pattern = str(locale.datetime_formats["medium"])
    text = pattern.format(
        format_time(local, "short", locale=locale), format_date(local, "medium", locale=locale)
    )
    return f"{text} ({timezone})" if with_zone else text


def long_date(value: date | None) -> str:
    if value is None:
        return ""
    return str(format_date(value, "medium", locale=_here()))


def date_range(start: date, end: date) -> str:
    """E.g. 'Dec 1 - 3, 2026' in English; a single day when start and end are the same."""
    return str(format_interval(start, end, "yMMMd", locale=_here()))


def language_name(code: str) -> str:
    """The name of an ISO 639-1 language in the interface language; the code if unknown."""
    return _language_name_in(_here(), code)


def _language_name_in(locale: Locale, code: str) -> str:
    name = locale.languages.get(code)
    return str(name) if name else code


def number(value: float | None) -> str:
    """'12,500' in English, '12 500' in French, '12.500' in Spanish."""
    if value is None:
        return ""
    return str(format_decimal(value, locale=_here()))


def content_language(code: str) -> str:
    """A paper's language (content, not interface): its own name, then its name in the interface
    language, e.g. 'Русский (russe)' in French; 'other' is 'Another language'."""
    if code == "other":
        return i18n.gettext("Another language")
    return _content_language(code, i18n.current_locale.get())


@lru_cache(maxsize=1024)
def _content_language(code: str, interface: str) -> str:
    """Cached per (code, interface language)."""
    try:
        own = _locale(code)
    except (ValueError, TypeError):
        return code
    native = own.get_display_name(code) or code
    here = _language_name_in(_locale(interface), code)
    if native.casefold() == here.casefold():
        return native
    return f"{native} ({here})"
