"""The message catalogs' upkeep: extract interface text, merge it into each language, check them.

Used by `plenary i18n extract|update|check` and by the tests, so both apply the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from app.i18n import DEFAULT_LOCALE, DOMAIN, LOCALE_DIR, SUPPORTED_LOCALES, catalog_path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
SOURCE_DIRS = ("app", "templates")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
TRANSLATED_LOCALES = tuple(code for code in SUPPORTED_LOCALES if code != DEFAULT_LOCALE)
WIDTH = 100
# %(name)s, %(rho).2f, %s, %d …, and {name} / {0} as used with str.format.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-+#0]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


def _in_source(dirpath: str) -> bool:
    relative = Path(dirpath).resolve().relative_to(ROOT).parts
    return not relative or (
        relative[0] in SOURCE_DIRS
        and not any(part.startswith((".", "_")) or part == "static" for part in relative)
    )


def extract_catalog() -> Catalog:
    """Every wrapped interface string in app/ and templates/, as a catalog template."""
    with MAPPING.open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)  # type: ignore[no-untyped-call]
    catalog = Catalog(project="Plenary", version="0.1", charset="utf-8", fuzzy=False)
    found = extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
        directory_filter=_in_source,
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=WIDTH, ignore_obsolete=True, include_previous=False)


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=DOMAIN)


def extract() -> Catalog:
    catalog = extract_catalog()
    write_catalog(catalog, TEMPLATE)
    return catalog


def update() -> dict[str, list[str]]:
    """Re-extract, then merge into each language; returns the msgids each still lacks."""
    template = extract()
    missing: dict[str, list[str]] = {}
    for locale in TRANSLATED_LOCALES:
        path = catalog_path(locale)
        if path.exists():
            catalog = read_catalog(path, locale)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            catalog = Catalog(locale=locale, project="Plenary", version="0.1", fuzzy=False)
            catalog.update(template, no_fuzzy_matching=True)
        write_catalog(catalog, path)
        missing[locale] = [msgid_text(m) for m in catalog if m.id and not _is_translated(m)]
    return missing


def msgid_text(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _texts(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _is_translated(message: Message) -> bool:
    return all(text.strip() for text in _texts(message.string) or [""]) and not message.fuzzy


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def _lone_percents(text: str) -> int:
    """'%' signs that are neither a placeholder nor '%%' (they break `text % values`)."""
    return PLACEHOLDER.sub("", text.replace("%%", "")).count("%")


def translation_problems(message: Message) -> list[str]:
    """Why a catalog entry would show English or break at run time; empty when it is sound."""
    msgid = msgid_text(message)
    if message.fuzzy:
        return [f"fuzzy: {msgid!r}"]
    if not _is_translated(message):
        return [f"untranslated: {msgid!r}"]
    problems = []
    ids = _texts(message.id)
    allowed = {p for text in ids for p in placeholders(text)}
    for index, text in enumerate(_texts(message.string)):
        found = placeholders(text)
        if len(ids) == 1 and found != placeholders(ids[0]):
            problems.append(f"placeholders differ: {msgid!r} -> {text!r}")
        elif len(ids) > 1 and not set(found) <= allowed:
            problems.append(f"unknown placeholder in form {index}: {msgid!r} -> {text!r}")
        if _lone_percents(text) != _lone_percents(ids[0]):
            problems.append(f"stray '%': {msgid!r} -> {text!r}")
    return problems


def check() -> list[str]:
    """Everything that keeps the catalogs from matching the source and being fully translated."""
    problems = []
    source = {msgid_text(m) for m in extract_catalog() if m.id}
    if not TEMPLATE.exists():
        return [f"{TEMPLATE} is missing; run `plenary i18n update`"]
    template = {msgid_text(m) for m in read_catalog(TEMPLATE) if m.id}
    problems += [f"not in messages.pot: {msgid!r}" for msgid in sorted(source - template)]
    problems += [f"no longer in the source: {msgid!r}" for msgid in sorted(template - source)]
    for locale in TRANSLATED_LOCALES:
        path = catalog_path(locale)
        if not path.exists():
            problems.append(f"{path} is missing; run `plenary i18n update`")
            continue
        catalog = read_catalog(path, locale)
        present = {msgid_text(m) for m in catalog if m.id}
        problems += [f"{locale}: not merged: {msgid!r}" for msgid in sorted(template - present)]
        for message in catalog:
            if message.id:
                problems += [f"{locale}: {p}" for p in translation_problems(message)]
    return problems
