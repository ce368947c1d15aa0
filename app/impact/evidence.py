"""Evidence files: streamed into storage with a size cap, judged by their bytes, served back only
through an authorised route as attachments.

Accepted: PDF, PNG, JPEG, and the office formats DOCX, XLSX, ODT, ODS (checked by the
package's own manifest, not by the file name). Anything else is deleted before the error
leaves this module, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

from fastapi.responses import Response

from app.errors import AppError
from app.i18n import gettext as _
from app.impact.models import ReportEvidence
from app.impact.reports import ReceivedEvidence
from app.storage import Storage
from app.uploads import downloads
from app.uploads.names import safe_filename
from app.uploads.refusals import refuse_unless_clean

MAX_EVIDENCE_MB = 20
MAX_EVIDENCE_BYTES = MAX_EVIDENCE_MB * 1024 * 1024

_OFFICE = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ODF = {
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.spreadsheet",
}


class UnsupportedEvidence(AppError):
    status = 415
    code = "unsupported_evidence"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Evidence files must be PDF, PNG, JPEG, DOCX, XLSX, ODT or ODS documents. "
                "Nothing was stored."
            )
        )


def sniff(head: bytes, path: Path) -> str | None:
    """The media type the bytes show, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                for member, media_type in _OFFICE.items():
                    if member in names:
                        return media_type
                if "mimetype" in names:
                    declared = archive.read("mimetype")[:100].strip()
                    if declared in _ODF:
                        return str(declared, "ascii")
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
    return None


def receive(
    storage: Storage,
    filename: str,
    chunks: Iterable[bytes],
    title: str = "",
    *,
    clamd_url: str | None = None,
) -> ReceivedEvidence:
    """Store the file (at most MAX_EVIDENCE_BYTES), scan it with clamd when one is configured
    (as papers are), check what it is; blocking, use a thread."""
    stored = storage.put_stream(chunks, max_bytes=MAX_EVIDENCE_BYTES)
    try:
        with storage.local_path(stored.key) as path:
            if clamd_url:
                refuse_unless_clean(clamd_url, path)
            with path.open("rb") as file:
                head = file.read(16)
            media_type = sniff(head, path)
        if media_type is None:
            raise UnsupportedEvidence()
    except BaseException:
        storage.delete(stored.key)
        raise
    return ReceivedEvidence(
        key=stored.key,
        size=stored.size,
        sha256=stored.sha256,
        media_type=media_type,
        original_name=safe_filename(filename or "evidence"),
        title=title,
    )


def file_response(storage: Storage, evidence: ReportEvidence) -> Response:
    if evidence.file_key is None:
        raise AppError(_("This evidence is a link, not a file."), status=404)
    return downloads.file_response(
        storage, evidence.file_key, evidence.original_name, evidence.media_type
    )
