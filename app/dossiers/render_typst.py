"""Typesetting of the dossier's generated pages and page stamps with Typst.

User text is never written into Typst source: the templates in templates/dossiers/ are fixed
files, and the data reaches them as one JSON document in `sys.inputs`, which they place as
strings (Typst does not parse a string as markup). Two compiles per dossier: the generated
pages (one document, whatever the number of sections and papers) and the stamps.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typst

from app.dossiers.render_spec import DossierError, DossierSpec, PaperSpec, SectionSpec

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "dossiers"
FONT = "Libertinus Serif"  # embedded in Typst; other scripts fall back to any installed font

_LANGUAGE = re.compile(r"[a-z]{2,3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def compiler(font_paths: Sequence[Path] = ()) -> typst.Compiler:
    return typst.Compiler(root=TEMPLATE_DIR, font_paths=[str(path) for path in font_paths])


def typeset_stamps(
    engine: typst.Compiler, spec: DossierSpec, first: int, last: int, total: int
) -> bytes:
    """One page per number from `first` to `last`, each just the size of its stamp."""
    data = {
        "first": first,
        "last": last,
        "total": total,
        "template": _clean(spec.labels.page_stamp),
        "font": FONT,
        "lang": _language(spec.language),
    }
    return typeset(engine, "stamps.typ", data, spec)


def typeset(
    engine: typst.Compiler, template: str, data: dict[str, Any], spec: DossierSpec
) -> bytes:
    try:
        output = engine.compile(
            input=str(TEMPLATE_DIR / template),
            format="pdf",
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            timestamp=creation_date(spec),
            pdf_tags=False,
        )
    except typst.TypstError as exc:  # a template bug, or a font problem: never user text
        raise DossierError(f"typesetting {template} failed: {exc.message}") from exc
    if not isinstance(output, bytes):
        raise DossierError(f"typesetting {template} produced no PDF")
    return output


def creation_date(spec: DossierSpec) -> datetime:
    """The build time as Typst takes it (UTC, whole seconds); also the PDF's creation date."""
    return spec.built_at.astimezone(UTC).replace(microsecond=0)


def body_data(
    spec: DossierSpec, numbers: dict[str, str] | None = None, digits: int = 4
) -> dict[str, Any]:
    """The template's data. `numbers`: the contents' page numbers by target name, or None on
    the first pass; `digits`: how many digits the widest page number may have.

    Nothing here depends on the papers' page counts, so the first pass can start before the
    papers are opened."""
    labels = {name: _clean(value) for name, value in dataclasses.asdict(spec.labels).items()}
    built_text = spec.built_at_text or spec.built_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    sections = []
    annex = []
    paper_index = 0
    for section_index, section in enumerate(spec.sections):
        heading = _format(labels["item"], number=section.number) + ": " + _clean(section.title)
        papers = []
        for paper in section.papers:
            if paper.pdf_path is None:
                annex.append(_annex_row(section, paper))
                continue
            papers.append(
                {
                    "index": paper_index,
                    "tracking": _clean(paper.tracking_number),
                    "title": _clean(paper.title),
                    "organisations": _clean("; ".join(paper.organisations)),
                    "country": _clean(paper.country),
                    "language": _clean(paper.language),
                }
            )
            paper_index += 1
        sections.append(
            {
                "index": section_index,
                "heading": heading,
                "background": _paragraph_text(section.background),
                "summary": _paragraph_text(section.summary),
                "papers": papers,
                "comments_heading": _format(labels["comments"], number=section.number),
                "comments": [
                    {
                        "author": _clean(comment.author),
                        "organisation": _clean(comment.organisation or ""),
                        "date": _clean(comment.date_text),
                        "text": _paragraph_text(comment.text),
                    }
                    for comment in section.comments
                ],
            }
        )
    return {
        "title": _clean(f"{spec.meeting_title} — {spec.process_title}"),
        "subject": _clean(_format(labels["build"], build=spec.build_number)),
        "lang": _language(spec.language),
        "paper": spec.paper_size,
        "font": FONT,
        "numbers": numbers,
        "digits": digits,
        "labels": labels,
        "cover": {
            "process": _clean(spec.process_title),
            "meeting": _clean(spec.meeting_title),
            "dates": _clean(spec.dates_text),
            "venue": _clean(spec.venue_text),
            "build": _format(labels["build"], build=spec.build_number),
            "built": _format(labels["built"], date=built_text, by=spec.built_by),
        },
        "contributors": contributor_groups(spec),
        "sections": sections,
        "annex": annex,
    }


def contributor_groups(spec: DossierSpec) -> list[dict[str, Any]]:
    """By country, then by type, then by name; each organisation once per country and type."""
    rows = sorted(
        {
            (_clean(c.country), _clean(c.type_label), _clean(c.organisation))
            for c in spec.contributors
        },
        key=lambda row: tuple(value.casefold() for value in row),
    )
    groups: list[dict[str, Any]] = []
    for country, type_label, name in rows:
        if not groups or groups[-1]["name"] != country:
            groups.append({"name": country, "organisations": []})
        groups[-1]["organisations"].append({"name": name, "type": type_label})
    return groups


def _annex_row(section: SectionSpec, paper: PaperSpec) -> dict[str, str]:
    return {
        "tracking": _clean(paper.tracking_number),
        "title": _clean(paper.title),
        "organisations": _clean("; ".join(paper.organisations)),
        "country": _clean(paper.country),
        "language": _clean(paper.language),
        "item": _clean(str(section.number)),
        "file": _clean(paper.original_name),
    }


def _format(template: str, **values: object) -> str:
    """Fill a label's {placeholders}; the values are data and are not formatted further."""
    try:
        return _clean(template.format_map({key: str(value) for key, value in values.items()}))
    except (KeyError, IndexError, ValueError) as exc:
        raise DossierError(f"label {template!r} has an unknown placeholder") from exc


def _clean(text: str) -> str:
    """One line of text: control characters (which no font can show) become spaces."""
    return _CONTROL.sub(" ", text.replace("\r\n", " ").replace("\r", " ").replace("\n", " "))


def _paragraph_text(text: str) -> str:
    """Like _clean, but newlines are kept: the template makes them paragraphs and line breaks."""
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def _language(code: str) -> str:
    code = code.strip().lower().split("-")[0].split("_")[0]
    return code if _LANGUAGE.fullmatch(code) else "en"
