"""File names people chose, made safe to store, show and send back (Content-Disposition)."""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_BIDI_AND_INVISIBLE = re.compile(
    "[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\ufff9-\ufffb]"
)
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})$")
_DOCUMENT_EXTENSIONS = {
    "pdf",
    "doc",
    "docx",
    "docm",
    "dot",
    "dotx",
    "dotm",
    "odt",
    "ott",
    "fodt",
    "rtf",
    "txt",
    "pages",
    "wpd",
    "zip",
}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in "123456789"
}
DEFAULT_STEM = "document"
MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 240


def safe_filename(name: str, *, extension: str | None = None) -> str:
    """A name that is safe to show and to put in a Content-Disposition header; never empty.

    Directories (/ and \\), control and bidirectional-override characters, characters Windows
    forbids, leading dots and trailing dots/spaces are removed; the length is limited (120
    characters, 240 UTF-8 bytes) keeping the extension. With `extension` (the kind found by
    content), a document extension that says otherwise is replaced: "paper.docx" that is
    really a PDF becomes "paper.pdf"; "notes.v2" becomes "notes.v2.pdf".
    """
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[/\\]", name)[-1]
    name = _BIDI_AND_INVISIBLE.sub("", name)
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
    )
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name).rstrip(". ")
    stem, ext = _split_extension(name)
    if extension is not None:
        if ext is not None and ext.lower() not in _DOCUMENT_EXTENSIONS:
            stem = f"{stem}.{ext}"
        ext = extension
    elif ext is not None:
        ext = ext.lower() if ext.lower() in _DOCUMENT_EXTENSIONS else ext
    stem = stem.lstrip(". ").rstrip(". ")
    if not stem:
        stem = DEFAULT_STEM
    if stem.upper().split(".")[0] in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    stem = _shorten(stem, MAX_NAME_CHARS - len(suffix), MAX_NAME_BYTES - len(suffix.encode()))
    return f"{stem}{suffix}"


def _split_extension(name: str) -> tuple[str, str | None]:
    """("paper", "pdf") for "paper.pdf"; ("", "pdf") for ".pdf"; (".bashrc", None)."""
    match = _EXTENSION.search(name)
    if match is None:
        return name, None
    stem, ext = name[: match.start()], match.group(1)
    if not stem.strip(". ") and ext.lower() not in _DOCUMENT_EXTENSIONS:
        return name, None
    return stem, ext


def _shorten(stem: str, max_chars: int, max_bytes: int) -> str:
    if len(stem) <= max_chars and len(stem.encode()) <= max_bytes:
        return stem
    cut = max_chars
    while len(stem[:cut].encode()) > max_bytes:
        cut -= 1
    while cut > 0 and unicodedata.combining(stem[cut]):  # keep a letter with its accents
        cut -= 1
    return stem[:cut].rstrip(". ") or DEFAULT_STEM
