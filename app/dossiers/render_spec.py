"""What the dossier engine is given and what it gives back: plain data, no database.

The caller (the build job) freezes a snapshot of the meeting into a `DossierSpec`; the engine
never looks anything up. Every text field is user text and reaches Typst only as JSON data, so
no character in it can change the markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from app.i18n import N_


class DossierError(RuntimeError):
    """The dossier cannot be built (unreadable paper, inconsistent spec); nothing is written."""


class Contributor(NamedTuple):
    organisation: str
    country: str
    type_label: str


@dataclass(frozen=True, slots=True)
class PaperSpec:
    tracking_number: str
    title: str
    organisations: list[str]
    country: str
    language: str
    pdf_path: Path | None  # None: not convertible, listed in the annex and shipped in the ZIP
    original_name: str
    sha256: str  # of the original file, as stored
    organisation_type: str = ""


@dataclass(frozen=True, slots=True)
class CommentDigestSpec:
    author: str
    organisation: str | None
    date_text: str
    text: str


@dataclass(frozen=True, slots=True)
class SectionSpec:
    number: str
    title: str
    background: str = ""
    summary: str = ""  # editorial, written by the organiser; may be empty
    papers: list[PaperSpec] = field(default_factory=list)
    comments: list[CommentDigestSpec] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DossierLabels:
    """Every word the engine prints itself; the caller passes translated ones.

    `{name}` placeholders are filled by the engine (str.format in Python, or in Typst for the
    page stamp, whose numbers only the layout knows).
    """

    build: str = N_("Dossier build {build}")
    built: str = N_("Built {date} by {by}")
    contents: str = N_("Contents")
    contributors: str = N_("Contributing organisations")
    no_contributors: str = N_("No contributions.")
    item: str = N_("Item {number}")
    background: str = N_("Background")
    summary: str = N_("Editorial summary")
    comments: str = N_("Comments on item {number}")
    annex: str = N_("Annex: papers not included in this PDF")
    annex_intro: str = N_(
        "These papers could not be converted to PDF. Their original files are in the dossier's "
        "ZIP archive, named after their tracking numbers."
    )
    tracking_number: str = N_("Tracking number")
    title: str = N_("Title")
    organisations: str = N_("Organisation(s)")
    organisation: str = N_("Organisation")
    country: str = N_("Country")
    type: str = N_("Type")
    language: str = N_("Language")
    agenda_item: str = N_("Agenda item")
    file: str = N_("Original file")
    page_stamp: str = N_("Page {page} of {total}")
    # The ZIP archive's index (CSV and XLSX).
    index_title: str = N_("Index of the papers")
    index_sheet: str = N_("Papers")
    index_pages: str = N_("Pages in the dossier")
    index_annex: str = N_("Annex (original file only)")
    index_file: str = N_("File in this archive")


@dataclass(frozen=True, slots=True)
class DossierSpec:
    process_title: str
    meeting_title: str
    dates_text: str
    venue_text: str
    build_number: int
    built_at: datetime  # aware; also the PDF's creation date
    built_by: str
    sections: list[SectionSpec] = field(default_factory=list)
    contributors: list[Contributor] = field(default_factory=list)
    language: str = "en"  # ISO 639-1, for hyphenation and the PDF's /Lang
    built_at_text: str = ""  # the build date as the reader should see it; ISO-like if empty
    labels: DossierLabels = field(default_factory=DossierLabels)
    paper_size: str = "a4"  # Typst paper name of the generated pages ("a4", "us-letter")

    def all_papers(self) -> list[tuple[SectionSpec, PaperSpec]]:
        return [(section, paper) for section in self.sections for paper in section.papers]


class OutlineEntry(NamedTuple):
    title: str
    page: int  # 1-based
    level: int  # 0: top level (front matter, sections, annex); 1: papers and comments


@dataclass(frozen=True, slots=True)
class DossierResult:
    page_count: int
    sha256: str
    outline: list[OutlineEntry]
    # The paper's own pages (1-based, inclusive), without its separator page, which is the
    # page before `first`. The contents and the bookmarks point at the separator.
    paper_pages: dict[str, tuple[int, int]]
