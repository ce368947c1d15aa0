"""DOCX and ODT uploads: the ZIP archive is judged from its central directory before anything is
decompressed (size, ratio, member count and names), then the package's parts are checked and
the text read with defusedxml, streaming, one paragraph at a time.

Refused: archives that would unpack to far more than a document (zip bombs), odd member names,
duplicate or overlapping members, data after the archive, encrypted members; macros (VBA,
ActiveX, StarBasic, scripts), OLE objects, and links that load a template or object from
elsewhere when the document is opened.
"""

from __future__ import annotations

import logging
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from app.i18n import N_
from app.submissions import files_office_text as office_text
from app.submissions.files_office_text import positive_int
from app.submissions.files_rules import (
    MACROS,
    MEDIA_TYPES,
    NOT_A_DOCUMENT,
    POLYGLOT,
    ExtractedText,
    InspectionLimits,
    UnsupportedFileType,
)
from app.uploads.refusals import RejectedFile

log = logging.getLogger(__name__)

DAMAGED = N_(
    "This document is damaged or incomplete. Please save it again in your word processor and "
    "upload the new copy."
)
NOT_DOCX = N_(
    "This file is not a valid DOCX document (parts a word processor needs are missing). "
    "Please save it again as DOCX or export a PDF."
)
NOT_ODT = N_(
    "This file is not a valid ODT document (parts a word processor needs are missing). "
    "Please save it again as ODT or export a PDF."
)
NOT_TEXT_ODF = N_(
    "This OpenDocument file is not a text document (ODT). Please upload a text document, "
    "or export a PDF."
)
NOT_WORD = N_(
    "This is a spreadsheet or presentation, not a text document. Please upload a DOCX, ODT "
    "or PDF document."
)
LOCKED = N_("This document is password-protected. Please upload a copy without a password.")
BOMB = N_(
    "This document would unpack to far more data than a document holds, so it cannot be "
    "accepted. Please save it again or export a PDF."
)
TOO_MANY_PARTS = N_(
    "This document is made of too many parts to be a plain document. Please save it again or "
    "export a PDF."
)
UNSAFE_NAMES = N_(
    "This document contains unsafe internal file names and cannot be accepted. Please save it "
    "again in your word processor."
)
OLE_OBJECTS = N_(
    "Documents with embedded objects (OLE objects or packaged files) are not accepted; please "
    "remove them or export a PDF."
)
EXTERNAL = N_(
    "This document loads a template or object from another address when it is opened, which "
    "is not accepted. Please save a copy without it or export a PDF."
)

_ODT_MIMETYPES = {MEDIA_TYPES["odt"], "application/vnd.oasis.opendocument.text-template"}
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_SMALL_PART = 4 * 1024 * 1024  # content types, relationships, metadata: never larger in practice

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_APP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"

_DOCX_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
}
_MACRO_TYPE_MARKERS = ("macroenabled", "vbaproject", "vbadata", "activex")
_MACRO_PARTS = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml)$|^word/activex/", re.IGNORECASE)
_OLE_PARTS = re.compile(r"^word/embeddings/.*\.bin$", re.IGNORECASE)
_EXTERNAL_LOADS = ("/attachedTemplate", "/oleObject", "/frame", "/subDocument", "/package")
_ODT_SCRIPT_PARTS = re.compile(r"^(Scripts/|Basic/(?!script-lc\.xml$|dialog-lc\.xml$))")
_BAD_NAME = re.compile(r"(^|/)\.\.?(/|$)|^/|^[A-Za-z]:|\\|\x00|//")

_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    struct.error,
    ParseError,
    DefusedXmlException,
)

OfficeKind = Literal["docx", "odt"]


def inspect_package(
    path: Path, limits: InspectionLimits
) -> tuple[OfficeKind, int | None, ExtractedText]:
    """(kind, saved page count or None, text); RejectedFile if refused."""
    try:
        archive = zipfile.ZipFile(path)
    except _READ_ERRORS as exc:
        log.info("refused an unreadable ZIP: %s", exc)
        raise RejectedFile(DAMAGED) from None
    with archive:
        try:
            _check_archive(path, archive, limits)
            if _package_kind(archive) == "odt":
                _check_odt(archive)
                text = office_text.odt_text(archive, limits.max_text_chars)
                return "odt", _odt_pages(archive), text
            _check_docx(archive)
            text = office_text.docx_text(archive, limits.max_text_chars)
            return "docx", _docx_pages(archive), text
        except RejectedFile:
            raise
        except _READ_ERRORS as exc:
            log.info("refused a damaged or hostile package: %r", exc)
            raise RejectedFile(DAMAGED) from None


# --- the archive ------------------------------------------------------------------------------


def _check_archive(path: Path, archive: zipfile.ZipFile, limits: InspectionLimits) -> None:
    """Everything the central directory tells, before a single member is decompressed."""
    infos = archive.infolist()
    if not infos:
        raise UnsupportedFileType(NOT_A_DOCUMENT)
    _require_exact_extent(path, archive, infos)
    if len(infos) > limits.max_members:
        raise RejectedFile(TOO_MANY_PARTS)
    seen_names: set[str] = set()
    seen_offsets: set[int] = set()
    total = 0
    for info in infos:
        name = info.filename
        if not name or len(name) > 1024 or _BAD_NAME.search(name):
            raise RejectedFile(UNSAFE_NAMES)
        if name.casefold() in seen_names or info.header_offset in seen_offsets:
            raise RejectedFile(UNSAFE_NAMES)  # duplicates or overlapping members: readers differ
        seen_names.add(name.casefold())
        seen_offsets.add(info.header_offset)
        if info.flag_bits & 0x1:
            raise RejectedFile(LOCKED)
        if info.compress_type not in _COMPRESSIONS:
            raise RejectedFile(DAMAGED)
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise RejectedFile(BOMB)
        if info.file_size > limits.ratio_checked_from and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise RejectedFile(BOMB)


def _require_exact_extent(
    path: Path, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> None:
    """The archive starts at byte 0 and its end record closes the file: nothing hides around it."""
    if min(info.header_offset for info in infos) != 0:
        raise RejectedFile(POLYGLOT)
    end = path.stat().st_size - _EOCD_SIZE - len(archive.comment)
    with path.open("rb") as file:
        file.seek(max(end, 0))
        if end < 0 or file.read(4) != _EOCD:
            raise RejectedFile(POLYGLOT)


def _package_kind(archive: zipfile.ZipFile) -> OfficeKind:
    names = set(archive.namelist())
    is_odf = "mimetype" in names
    is_ooxml = "[Content_Types].xml" in names
    if is_odf and is_ooxml:
        raise RejectedFile(POLYGLOT)
    if is_odf:
        mimetype = _read_small(archive, "mimetype").decode("ascii", "replace").strip()
        if mimetype in _ODT_MIMETYPES:
            return "odt"
        if mimetype.startswith("application/vnd.oasis.opendocument."):
            raise UnsupportedFileType(NOT_TEXT_ODF)
        raise UnsupportedFileType(NOT_A_DOCUMENT)
    if is_ooxml:
        if "word/document.xml" not in names and (
            "xl/workbook.xml" in names or "ppt/presentation.xml" in names
        ):
            raise UnsupportedFileType(NOT_WORD)
        return "docx"
    raise UnsupportedFileType(NOT_A_DOCUMENT)


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > _SMALL_PART:
        raise RejectedFile(DAMAGED)
    return archive.read(info)


# --- DOCX -------------------------------------------------------------------------------------


def _check_docx(archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    if "word/document.xml" not in names or "_rels/.rels" not in names:
        raise RejectedFile(NOT_DOCX)
    types = fromstring(_read_small(archive, "[Content_Types].xml"), forbid_dtd=True)
    content_types = [
        element.get("ContentType", "").casefold()
        for element in types
        if element.tag in (f"{_CT}Default", f"{_CT}Override")
    ]
    if any(marker in ct for ct in content_types for marker in _MACRO_TYPE_MARKERS):
        raise RejectedFile(MACROS)
    if any(_MACRO_PARTS.search(name) for name in names):
        raise RejectedFile(MACROS)
    if any(_OLE_PARTS.search(name) for name in names) or any(
        "oleobject" in ct for ct in content_types
    ):
        raise RejectedFile(OLE_OBJECTS)
    main_type = next(
        (
            element.get("ContentType", "")
            for element in types
            if element.tag == f"{_CT}Override"
            and element.get("PartName", "").casefold() == "/word/document.xml"
        ),
        None,
    )
    if main_type not in _DOCX_MAIN_TYPES:
        raise RejectedFile(NOT_DOCX)
    for name in names:
        if name.endswith(".rels"):
            _check_relationships(fromstring(_read_small(archive, name), forbid_dtd=True))


def _check_relationships(relationships: Element) -> None:
    for relationship in relationships.iter(f"{_REL}Relationship"):
        external = relationship.get("TargetMode", "").casefold() == "external"
        if external and relationship.get("Type", "").endswith(_EXTERNAL_LOADS):
            raise RejectedFile(EXTERNAL)


def _docx_pages(archive: zipfile.ZipFile) -> int | None:
    """<Pages> of docProps/app.xml: what the editor last counted (absent for some producers)."""
    try:
        properties = fromstring(_read_small(archive, "docProps/app.xml"), forbid_dtd=True)
    except (KeyError, ParseError):
        return None
    return positive_int(properties.findtext(f"{_APP}Pages"))


# --- ODT --------------------------------------------------------------------------------------


def _check_odt(archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    if "content.xml" not in names or "META-INF/manifest.xml" not in names:
        raise RejectedFile(NOT_ODT)
    if any(_ODT_SCRIPT_PARTS.match(name) for name in names):
        raise RejectedFile(MACROS)
    fromstring(_read_small(archive, "META-INF/manifest.xml"), forbid_dtd=True)


def _odt_pages(archive: zipfile.ZipFile) -> int | None:
    """meta:page-count of meta.xml: what the editor last counted (absent for some producers)."""
    try:
        meta = fromstring(_read_small(archive, "meta.xml"), forbid_dtd=True)
    except (KeyError, ParseError):
        return None
    statistic = meta.find(f".//{_META}document-statistic")
    return None if statistic is None else positive_int(statistic.get(f"{_META}page-count"))
