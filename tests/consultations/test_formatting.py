"""app/formatting.py (the Jinja filters for meeting dates and times) is tested here, beside its
only user so far."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from app import formatting, i18n

CLOSE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def french() -> Iterator[None]:
    token = i18n.current_locale.set("fr")
    yield
    i18n.current_locale.reset(token)


def test_local_datetime_in_the_meetings_zone() -> None:
    assert (
        formatting.local_datetime(CLOSE, "Asia/Bishkek")
        == "Dec 1, 2026, 6:00\u202fPM (Asia/Bishkek)"
    )
    assert formatting.local_datetime(CLOSE, "UTC", with_zone=False) == "Dec 1, 2026, 12:00\u202fPM"
    assert formatting.local_datetime(None, "UTC") == ""


@pytest.mark.usefixtures("french")
def test_local_datetime_follows_the_interface_language() -> None:
    assert formatting.local_datetime(CLOSE, "Asia/Bishkek") == "1 déc. 2026, 18:00 (Asia/Bishkek)"
    assert formatting.language_name("en") == "anglais"


def test_dates_and_languages() -> None:
    assert (
        formatting.date_range(date(2026, 12, 1), date(2026, 12, 3))
        == "Dec 1\u2009\u2013\u20093, 2026"
    )
    assert formatting.date_range(date(2026, 12, 1), date(2026, 12, 1)) == "Dec 1, 2026"
    assert formatting.long_date(date(2026, 12, 1)) == "Dec 1, 2026"
    assert formatting.language_name("ky") == "Kyrgyz"
    assert formatting.language_name("zz") == "zz"
