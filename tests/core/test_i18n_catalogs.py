"""The message catalogs: complete, sound, and in step with the source.

When a test here fails after you added or changed interface text, run `plenary i18n update`,
translate the new entries in app/locale/{fr,es}/LC_MESSAGES/messages.po, and run it again.
"""

from __future__ import annotations

import pytest
from babel.messages.catalog import Message

from app import i18n, i18n_catalog
from app.i18n_catalog import TRANSLATED_LOCALES, msgid_text, read_catalog

HOW_TO_FIX = (
    "run `.venv/bin/plenary i18n update`, translate the new entries in "
    "app/locale/{fr,es}/LC_MESSAGES/messages.po, then `.venv/bin/plenary i18n check`"
)


def _template_ids() -> set[str]:
    return {msgid_text(m) for m in read_catalog(i18n_catalog.TEMPLATE) if m.id}


def test_the_pot_is_up_to_date_with_the_source() -> None:
    """Every wrapped string in app/ and templates/ is in messages.pot, and nothing stale is."""
    source = i18n_catalog.extract_catalog()
    extracted = {msgid_text(m): m for m in source if m.id}
    template = _template_ids()
    missing = {
        msgid: sorted({loc for loc, _line in extracted[msgid].locations})
        for msgid in sorted(extracted.keys() - template)
    }
    assert not missing, f"strings missing from messages.pot ({HOW_TO_FIX}): {missing}"
    stale = sorted(template - extracted.keys())
    assert not stale, f"messages.pot has strings the source no longer has ({HOW_TO_FIX}): {stale}"


@pytest.mark.parametrize("locale", TRANSLATED_LOCALES)
def test_every_string_has_a_sound_translation(locale: str) -> None:
    """Non-empty, not fuzzy, same placeholders as the English, every plural form filled."""
    catalog = read_catalog(i18n.catalog_path(locale), locale)
    present = {msgid_text(m) for m in catalog if m.id}
    not_merged = sorted(_template_ids() - present)
    assert not not_merged, f"{locale}: not merged from messages.pot ({HOW_TO_FIX}): {not_merged}"
    problems = [p for m in catalog if m.id for p in i18n_catalog.translation_problems(m)]
    assert not problems, f"{locale} ({HOW_TO_FIX}):\n" + "\n".join(problems)
    plural = next(m for m in catalog if m.pluralizable)
    assert isinstance(plural.string, tuple) and len(plural.string) == catalog.num_plurals


def test_the_checks_catch_what_they_are_for() -> None:
    problems = i18n_catalog.translation_problems
    assert problems(Message("Hello %(name)s", "Bonjour %(nom)s"))
    assert problems(Message("Hello %(name)s", "Bonjour"))
    assert problems(Message("Page {page}", "Page {pag}"))
    assert problems(Message("Hello", ""))
    assert problems(Message("Hello", "Bonjour", flags=["fuzzy"]))
    assert problems(Message("Done", "100 % fait"))  # a lone % breaks `text % values`
    assert problems(Message(("%(num)s item", "%(num)s items"), ("%(num)s élément", "")))
    assert not problems(Message("Hello %(name)s", "Bonjour %(name)s"))
    assert not problems(Message(("one item", "%(num)s items"), ("un élément", "%(num)s éléments")))


def test_the_catalogs_load_from_the_po_files_without_a_build_step() -> None:
    """No compiled .mo is needed (nor kept in git): the .po is read on first use."""
    assert not list(i18n.LOCALE_DIR.rglob("*.mo"))
    for locale in TRANSLATED_LOCALES:
        i18n.translations_for.cache_clear()
        with i18n.using_locale(locale):
            assert i18n.gettext("Sign in") != "Sign in"
            assert i18n.gettext("a string that is not in any catalog") == (
                "a string that is not in any catalog"
            )
    with i18n.using_locale("en"):
        assert i18n.gettext("Sign in") == "Sign in"


def test_the_cli_check_passes() -> None:
    assert i18n_catalog.check() == []
