"""PDF uploads: one strict parse by qpdf (pikepdf), a walk over every object for active
content, then the text layer read by pypdf.

qpdf opens without repair (``attempt_recovery=False``) and any warning counts as damage: a file
cut short or with a broken cross-reference table would otherwise be "repaired" silently into
a document with pages missing. Exporting the document again fixes a refused file.
"""

from __future__ import annotations

import logging
import time
import zipfile
from pathlib import Path

import pikepdf
import pypdf

from app.i18n import N_
from app.submissions.files_rules import (
    DEFAULT_LIMITS,
    HEAD_SIZE,
    POLYGLOT,
    ExtractedText,
    InspectionLimits,
)
from app.uploads.refusals import RejectedFile

log = logging.getLogger(__name__)

LOCKED = N_("This PDF is password-protected. Please upload a copy that opens without a password.")
RESTRICTED = N_(
    "This PDF is encrypted (it restricts printing, copying or editing). Please upload a copy "
    "without these restrictions."
)
DAMAGED = N_(
    "This PDF is damaged or incomplete (perhaps a download or upload was cut short). Please "
    "export it again and upload the new copy."
)
NO_PAGES = N_("This PDF has no pages.")
ACTIVE_CONTENT = N_(
    "PDF files with scripts or embedded files are not accepted; please export a plain PDF."
)

# Dictionary keys that only occur with scripts, attached files, multimedia or XFA forms.
_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",  # the document-level scripts in the Names tree
        "/EmbeddedFiles",
        "/EF",
        "/XFA",
        "/RichMediaContent",
    }
)
# Action types (/S) that run code, start programs or open embedded documents.
_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute"}
)
_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/RichMedia", "/FileAttachment"})
_TRAILING_SPACE = b" \t\r\n\x00\x0c"


def inspect_pdf(
    path: Path, limits: InspectionLimits, *, read_text: bool = True
) -> tuple[int, ExtractedText | None]:
    """(page count, text); RejectedFile if the PDF is damaged, locked or carries active content."""
    _refuse_zip(path)
    _require_end_marker(path)
    try:
        pdf = pikepdf.open(path, attempt_recovery=False)
    except pikepdf.PasswordError:
        raise RejectedFile(LOCKED) from None
    except Exception as exc:  # qpdf raises several types on hostile input; all mean "damaged"
        log.info("refused a PDF qpdf cannot open: %s", exc)
        raise RejectedFile(DAMAGED) from None
    with pdf:
        if pdf.is_encrypted:
            raise RejectedFile(RESTRICTED)
        try:
            active = _has_active_content(pdf)
            page_count = len(pdf.pages)
            for page in pdf.pages:
                page.obj.get("/Contents")
            warnings = pdf.get_warnings()
        except Exception as exc:
            log.info("refused a PDF qpdf cannot read: %s", exc)
            raise RejectedFile(DAMAGED) from None
        if warnings:
            log.info("refused a PDF qpdf warns about: %s", warnings[:5])
            raise RejectedFile(DAMAGED)
        if active:
            raise RejectedFile(ACTIVE_CONTENT)
        if page_count == 0:
            raise RejectedFile(NO_PAGES)
    return page_count, (extract_pdf_text(path, limits) if read_text else None)


def _refuse_zip(path: Path) -> None:
    """A PDF with a ZIP archive glued to it (readers of each format see a different file)."""
    try:
        with zipfile.ZipFile(path) as archive:
            is_zip = bool(archive.infolist())
    except Exception:  # any failure to read it as a ZIP: not one
        return
    if is_zip:
        raise RejectedFile(POLYGLOT)


def _require_end_marker(path: Path) -> None:
    """A whole PDF ends with %%EOF (readers look for it in the last 1024 bytes)."""
    size = path.stat().st_size
    with path.open("rb") as file:
        file.seek(max(0, size - HEAD_SIZE))
        tail = file.read()
    at = tail.rfind(b"%%EOF")
    if at < 0 or tail[at + 5 :].strip(_TRAILING_SPACE):
        raise RejectedFile(DAMAGED)


def _has_active_content(pdf: pikepdf.Pdf) -> bool:
    """Look at every object, direct ones nested in dictionaries and arrays included.

    Indirect objects are all in `pdf.objects` (object streams included), so nesting is
    followed only through direct objects; a stack, not recursion, so depth costs nothing.
    """
    stack: list[pikepdf.Object] = [*pdf.objects, pdf.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            for key, value in obj.items():
                if key in _ACTIVE_KEYS:
                    return True
                if key == "/S" and str(value) in _ACTIVE_ACTIONS:
                    return True
                if key in ("/Type", "/Subtype") and str(value) in _ACTIVE_TYPES:
                    return True
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    stack.append(value)
        elif isinstance(obj, pikepdf.Array):
            stack.extend(
                item for item in obj if isinstance(item, pikepdf.Object) and not item.is_indirect
            )
    return False


def extract_pdf_text(path: Path, limits: InspectionLimits = DEFAULT_LIMITS) -> ExtractedText:
    """The text layer, page after page, within the limits. A page that fails is skipped: the
    text is for search and summaries, a readable PDF is not refused because of it."""
    parts: list[str] = []
    total = 0
    deadline = time.monotonic() + limits.max_text_seconds
    try:
        reader = pypdf.PdfReader(path, strict=False)
        for number, page in enumerate(reader.pages, start=1):
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # see the docstring
                log.info("no text from page %d of %s: %s", number, path.name, exc)
                continue
            parts.append(text)
            total += len(text) + 2
            if total > limits.max_text_chars:
                break
            if time.monotonic() > deadline and number < len(reader.pages):
                log.info("text of %s cut after %d pages: time budget spent", path.name, number)
                return ExtractedText.from_parts(parts, "\n\n", limits.max_text_chars, cut=True)
    except Exception as exc:  # see the docstring
        log.warning("text extraction failed for %s: %s", path.name, exc)
    return ExtractedText.from_parts(parts, "\n\n", limits.max_text_chars)
