"""The rules shared by the document inspectors: limits, refusals and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.i18n import N_
from app.uploads.refusals import RejectedFile

DocumentKind = Literal["pdf", "docx", "odt"]

MEDIA_TYPES: dict[DocumentKind, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}

HEAD_SIZE = 1024
MB = 1024 * 1024


class UnsupportedFileType(RejectedFile):
    status = 415
    code = "unsupported_file_type"


NOT_A_DOCUMENT = N_("This file is not a PDF, DOCX or ODT document.")
OLD_WORD = N_(
    "This is an old-style Word document (.doc). Please save it as DOCX (Word Document) or "
    "export a PDF, and upload that."
)
EMPTY = N_("The file is empty.")
POLYGLOT = N_(
    "This file is more than one kind of file at once, so it cannot be accepted. Please "
    "export it again as a plain PDF, DOCX or ODT document."
)

MACROS = N_(
    "Documents with macros are not accepted; please save a copy as a plain document "
    "(DOCX or ODT, not DOCM) or export a PDF."
)


@dataclass(frozen=True, slots=True)
class InspectionLimits:
    max_text_chars: int = 2_000_000
    max_text_seconds: float = 20.0
    """PDF text extraction stops after this (pypdf reads a dense page in ~30 ms)."""
    max_unpacked_bytes: int = 200 * MB
    max_members: int = 1000
    max_ratio: int = 100
    ratio_checked_from: int = MB
    """Members smaller than this are not held to max_ratio (small XML compresses very well)."""


DEFAULT_LIMITS = InspectionLimits()


@dataclass(frozen=True, slots=True)
class ExtractedText:
    text: str
    truncated: bool

    @classmethod
    def from_parts(
        cls, parts: list[str], separator: str, max_chars: int, *, cut: bool = False
    ) -> ExtractedText:
        """The parts joined and cleaned; `cut`: the parts are known to be incomplete."""
        text = clean_text(separator.join(parts))
        if len(text) > max_chars:
            return cls(text[:max_chars], truncated=True)
        return cls(text, truncated=cut)


def clean_text(text: str) -> str:
    """Text a database accepts: no NUL characters, no lone surrogates; no outer whitespace."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8").strip()
