"""An uploaded file from its first byte to an accepted document in storage, or to nothing.

The bytes stream into storage (size-capped, hashed on the way); the stored file is then
scanned (where clamd is configured) before any of our parsers reads it, then inspected by
content. Whatever refuses it, the file is deleted before the error leaves this module; rows
that point at it are written only afterwards, by the caller, so a crash leaves at worst an
orphan file (which `plenary storage check` reports), never a row without its file.

Everything here blocks (disk, hashing, parsing, the scanner): call it from a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from app.config import Settings
from app.errors import FormError
from app.i18n import N_
from app.storage import EmptyFile, Storage
from app.submissions.files import DocumentInfo, inspect_document
from app.submissions.models import ScanState
from app.uploads.refusals import refuse_unless_clean

MB = 1024 * 1024
CHOOSE_A_FILE = N_("Choose a file to upload (PDF, DOCX or ODT).")


class IncomingFile(Protocol):
    """A file as it arrives: its name as sent (None: the form had no file) and its bytes."""

    @property
    def filename(self) -> str | None: ...

    def chunks(self) -> Iterable[bytes]: ...

    def finish(self) -> None:
        """Called once the file has been read: check the rest of the request."""
        ...


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    key: str
    size: int
    sha256: str
    info: DocumentInfo
    scan_state: ScanState


def max_bytes_for(max_file_mb: int) -> int:
    return max_file_mb * MB


def receive(
    storage: Storage, settings: Settings, incoming: IncomingFile, *, max_bytes: int
) -> ReceivedFile:
    """Store, scan and inspect the file; AppError (nothing left behind) if it is refused."""
    if incoming.filename is None:
        raise FormError({"file": CHOOSE_A_FILE})
    try:
        stored = storage.put_stream(incoming.chunks(), max_bytes=max_bytes)
    except EmptyFile:
        if not incoming.filename:  # a browser sends an empty, nameless part for "no file"
            raise FormError({"file": CHOOSE_A_FILE}) from None
        raise
    try:
        incoming.finish()
        with storage.local_path(stored.key) as path:
            scan_state = ScanState.not_scanned
            if settings.clamd_url:
                refuse_unless_clean(settings.clamd_url, path)
                scan_state = ScanState.clean
            info = inspect_document(path, incoming.filename, read_pdf_text=False)
    except BaseException:
        storage.delete(stored.key)
        raise
    return ReceivedFile(stored.key, stored.size, stored.sha256, info, scan_state)


class BytesFile:
    """An IncomingFile from bytes in memory (tests, demo data, the command line)."""

    def __init__(self, data: bytes, filename: str | None) -> None:
        self.data = data
        self._filename = filename

    @property
    def filename(self) -> str | None:
        return self._filename

    def chunks(self) -> Iterable[bytes]:
        return [self.data]

    def finish(self) -> None:
        return None
