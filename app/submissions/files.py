"""What an uploaded document really is, judged by its bytes, never by its name or browser type.

Rule: a file must be exactly one thing.
- A PDF starts with ``%PDF-`` within its first 1024 bytes, and whatever precedes it is not the
  start of another format; it ends with ``%%EOF`` (only whitespace after it), is not also a
  readable ZIP archive, and parses without repair (qpdf, no recovery, no warnings).
- A DOCX or ODT starts with a ZIP local header (``PK\\x03\\x04``) at offset 0, has no PDF
  header in its first 1024 bytes and nothing after the end of its archive, and is checked
  from the central directory before any member is decompressed (see files_office).
Everything else is refused with a message a person can act on. Scripts, embedded files and
macros are refused: the papers are read by many people and must be plain documents.

This reads whole files and parses XML: run it in a worker thread, never on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.submissions import files_office, files_pdf
from app.submissions.files_pdf import extract_pdf_text
from app.submissions.files_rules import (
    DEFAULT_LIMITS,
    EMPTY,
    HEAD_SIZE,
    MEDIA_TYPES,
    NOT_A_DOCUMENT,
    OLD_WORD,
    POLYGLOT,
    DocumentKind,
    ExtractedText,
    InspectionLimits,
    UnsupportedFileType,
)
from app.uploads.names import safe_filename
from app.uploads.refusals import RejectedFile

__all__ = [
    "MEDIA_TYPES",
    "DocumentInfo",
    "DocumentKind",
    "InspectionLimits",
    "UnsupportedFileType",
    "extract_pdf_text",
    "inspect_document",
    "sniff_container",
]

ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"

# Formats that must not precede a PDF header (the file would then be two things at once).
_OTHER_MAGIC = (
    b"PK",
    b"\xd0\xcf\x11\xe0",  # OLE: .doc, .xls, .msg
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"MZ",  # Windows executable
    b"\x7fELF",
    b"#!",
    b"{\\rtf",
    b"<",  # HTML, XML, SVG
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    kind: DocumentKind
    media_type: str
    filename: str
    """The uploaded name made safe to show and to offer for download, with the right extension."""
    page_count: int | None
    """Real for PDFs; for DOCX/ODT the count the editor saved, if any (it may be stale)."""
    text: str | None
    """Plain text, at most limits.max_text_chars; None when the PDF text was not read."""
    text_truncated: bool


def inspect_document(
    path: Path,
    original_name: str,
    *,
    limits: InspectionLimits = DEFAULT_LIMITS,
    read_pdf_text: bool = True,
) -> DocumentInfo:
    """Decide what the file at `path` is; RejectedFile (or UnsupportedFileType) if refused.

    read_pdf_text=False leaves out the slow part (pypdf: ~30 ms a dense page) so a request
    can answer at once and a job call `extract_pdf_text` later; DOCX/ODT text always comes,
    as reading it is the check that their XML is sound.
    """
    kind: DocumentKind
    page_count: int | None
    extracted: ExtractedText | None
    if sniff_container(path) == "pdf":
        kind = "pdf"
        page_count, extracted = files_pdf.inspect_pdf(path, limits, read_text=read_pdf_text)
    else:
        kind, page_count, extracted = files_office.inspect_package(path, limits)
    return DocumentInfo(
        kind=kind,
        media_type=MEDIA_TYPES[kind],
        filename=safe_filename(original_name, extension=kind),
        page_count=page_count,
        text=None if extracted is None else extracted.text,
        text_truncated=extracted is not None and extracted.truncated,
    )


def sniff_container(path: Path) -> Literal["pdf", "zip"]:
    """What the first 1024 bytes claim: a PDF, or a ZIP package (DOCX or ODT, decided later)."""
    with path.open("rb") as file:
        head = file.read(HEAD_SIZE)
    if not head:
        raise RejectedFile(EMPTY)
    if head.startswith(ZIP_MAGIC):
        if PDF_MAGIC in head:
            raise RejectedFile(POLYGLOT)
        return "zip"
    at = head.find(PDF_MAGIC)
    if at >= 0:
        prefix = head[:at]
        if prefix and (prefix.lstrip(b"\xef\xbb\xbf").startswith(_OTHER_MAGIC) or b"PK" in prefix):
            raise RejectedFile(POLYGLOT)
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedFileType(OLD_WORD)
    raise UnsupportedFileType(NOT_A_DOCUMENT)
