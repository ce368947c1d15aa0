"""A build's frozen snapshot: what a dossier contained when its build was started.

`freeze` turns the live dossier into plain JSON (stored on the DossierBuild row, never changed
afterwards): per section the item's text, the summary, the chosen comments, and per paper the
exact version (id, number, SHA-256, storage keys) and the title and organisations as they were.
Storage keys are safe to keep: versions are never overwritten. `to_spec` turns a snapshot back
into the rendering engine's `DossierSpec`, with every word in the dossier's language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

import nh3

from app import formatting, i18n
from app.accounts.models import User
from app.comments.models import Comment
from app.consultations.models import Meeting
from app.dossiers import policies
from app.dossiers.render_spec import (
    CommentDigestSpec,
    Contributor,
    DossierLabels,
    DossierSpec,
    PaperSpec,
    SectionSpec,
)
from app.dossiers.service import DossierView, current_version, pdf_key_of
from app.i18n import N_
from app.i18n import gettext as _
from app.organisations import countries
from app.organisations.models import Organisation
from app.submissions.models import Paper

FORMAT = 1
Paths = Callable[[dict[str, Any]], Path | None]


def dossier_language(meeting: Meeting) -> str:
    """The meeting's first working language that Plenary speaks; English otherwise."""
    for code in meeting.languages:
        if code in i18n.SUPPORTED_LOCALES:
            return code
    return i18n.DEFAULT_LOCALE


def comment_text(body_html: str) -> str:
    """Stored comment HTML as plain paragraphs; a link keeps its address in brackets."""

    def link(match: re.Match[str]) -> str:
        href, text = html.unescape(match.group(1)), match.group(2)
        return text if nh3.clean(text, tags=set()) == href else f"{text} ({href})"

    text = re.sub(r'(?is)<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', link, body_html)
    text = re.sub(r"(?i)<li[^>]*>", "• ", text)
    text = re.sub(r"(?i)<br\s*/?>|</li>", "\n", text)
    text = re.sub(r"(?i)</p>|</ul>|</ol>", "\n\n", text)
    text = html.unescape(nh3.clean(text, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _organisations(paper: Paper) -> list[Organisation]:
    cosigners = [
        c.organisation for c in paper.cosigners if c.confirmed_at and c.declined_at is None
    ]
    return [paper.organisation, *cosigners]


def _paper(paper: Paper) -> dict[str, Any] | None:
    version = current_version(paper)
    if version is None:
        return None
    named = policies.shows_organisation(paper.consent)
    org = paper.organisation
    return {
        "paper_id": paper.id,
        "version_id": version.id,
        "version_number": version.number,
        "tracking_number": paper.tracking_number or f"P{paper.id}",
        "title": paper.title,
        "anonymous": not named,
        "organisations": [o.name for o in _organisations(paper)] if named else [],
        "country": org.country if named else "",
        "organisation_type": org.type.value if named else "",
        "language": paper.language.value,
        "original_name": version.original_name,
        "kind": version.kind,
        "sha256": version.sha256,
        "file_key": version.file_key,
        "pdf_key": pdf_key_of(version),
        "pages": version.pages,
    }


def _comment(comment: Comment) -> dict[str, Any]:
    author = comment.author
    return {
        "id": comment.id,
        "author": (author.name.strip() or f"Participant {author.id}") if author else "",
        "organisation": comment.organisation.name if comment.organisation else None,
        "created_at": comment.created_at.isoformat(),
        "text": comment_text(comment.body),
    }


def freeze(view: DossierView, actor: User) -> dict[str, Any]:
    meeting = view.meeting
    contributors: dict[int, dict[str, str]] = {}
    sections = []
    for section in view.sections:
        papers = []
        for paper in section.papers:
            frozen = _paper(paper)
            if frozen is None:
                continue
            papers.append(frozen)
            if not frozen["anonymous"]:
                for org in _organisations(paper):
                    contributors[org.id] = {
                        "name": org.name, "country": org.country, "type": org.type.value,
                    }  # fmt: skip
        sections.append(
            {
                "agenda_item_id": section.item.id,
                "number": section.item.number,
                "title": section.item.title,
                "background": section.item.background,
                "summary": section.summary,
                "papers": papers,
                "comments": [_comment(c) for c in section.digest],
            }
        )
    return {
        "format": FORMAT,
        "language": dossier_language(meeting),
        "process_title": meeting.process.title,
        "meeting": {
            "id": meeting.id,
            "slug": meeting.slug,
            "title": meeting.title,
            "starts_on": meeting.starts_on.isoformat(),
            "ends_on": meeting.ends_on.isoformat(),
            "venue": meeting.venue,
            "online": meeting.online,
            "timezone": meeting.timezone,
        },
        "built_by": actor.name.strip() or f"User {actor.id}",  # never an e-mail address
        "sections": sections,
        "contributors": sorted(contributors.values(), key=lambda c: c["name"].casefold()),
    }


def papers_of(snapshot: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for section in snapshot.get("sections", []):
        for paper in section["papers"]:
            yield section, paper


# --- back to the engine's spec, in the dossier's language ----------------------------------------


@contextmanager
def speaking(language: str) -> Iterator[None]:
    token = i18n.current_locale.set(language)
    try:
        yield
    finally:
        i18n.current_locale.reset(token)


TYPE_LABELS = {
    "ngo": N_("Non-governmental organisation"),
    "diaspora": N_("Diaspora organisation"),
    "trade_union": N_("Trade union"),
    "academic": N_("Academic or research institution"),
    "faith_based": N_("Faith-based organisation"),
    "private_sector": N_("Private sector"),
    "other": "Other",
}


def type_label(code: str) -> str:
    return _(TYPE_LABELS[code]) if code in TYPE_LABELS else code


def language_label(code: str) -> str:
    return _("Another language") if code == "other" else formatting.language_name(code)


def labels() -> DossierLabels:
    """Every word the engine prints, in the current language (see `speaking`).

    The engine's English defaults are the message ids, so a label it adds is translated as
    soon as the catalogs have it (extract app/dossiers/render_spec.py too)."""
    defaults = DossierLabels()
    return DossierLabels(**{f.name: _(getattr(defaults, f.name)) for f in fields(DossierLabels)})


def _paper_spec(paper: dict[str, Any], pdf_path: Path | None, language: str) -> PaperSpec:
    anonymous = paper["anonymous"]
    return PaperSpec(
        tracking_number=paper["tracking_number"],
        title=paper["title"],
        organisations=[_("Name withheld at the organisation's request")]
        if anonymous
        else list(paper["organisations"]),
        country=countries.country_name(paper["country"], language) if paper["country"] else "",
        language=language_label(paper["language"]),
        pdf_path=pdf_path,
        original_name=paper["original_name"],
        sha256=paper["sha256"],
        organisation_type=type_label(paper["organisation_type"]) if not anonymous else "",
    )


def _comment_spec(comment: dict[str, Any], timezone: str) -> CommentDigestSpec:
    created = datetime.fromisoformat(comment["created_at"])
    return CommentDigestSpec(
        author=comment["author"] or _("Former participant"),
        organisation=comment["organisation"],
        date_text=formatting.local_datetime(created, timezone, with_zone=False),
        text=comment["text"],
    )


def to_spec(
    snapshot: dict[str, Any], number: int, built_at: datetime, pdf_path_of: Paths
) -> DossierSpec:
    """`pdf_path_of(paper)`: the local PDF of a frozen paper, or None (annex, ZIP only)."""
    language = snapshot["language"]
    meeting = snapshot["meeting"]
    with speaking(language):
        venue = [meeting["venue"]] if meeting["venue"] else []
        if meeting["online"]:
            venue.append(_("Online"))
        sections = [
            SectionSpec(
                number=s["number"],
                title=s["title"],
                background=s["background"],
                summary=s["summary"],
                papers=[_paper_spec(p, pdf_path_of(p), language) for p in s["papers"]],
                comments=[_comment_spec(c, meeting["timezone"]) for c in s["comments"]],
            )
            for s in snapshot["sections"]
        ]
        return DossierSpec(
            process_title=snapshot["process_title"],
            meeting_title=meeting["title"],
            dates_text=formatting.date_range(
                date.fromisoformat(meeting["starts_on"]), date.fromisoformat(meeting["ends_on"])
            ),
            venue_text=" · ".join(venue),
            build_number=number,
            built_at=built_at,
            built_by=snapshot["built_by"],
            sections=sections,
            contributors=[
                Contributor(
                    c["name"], countries.country_name(c["country"], language), type_label(c["type"])
                )
                for c in snapshot["contributors"]
            ],
            language=language,
            built_at_text=formatting.local_datetime(built_at, meeting["timezone"]),
            labels=labels(),
        )
