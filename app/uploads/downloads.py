"""A stored file streamed back to the person allowed to have it, under a safe name."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse

from app.errors import NotFound
from app.i18n import gettext as _
from app.storage import CHUNK_SIZE, Storage
from app.uploads.names import safe_filename

log = logging.getLogger(__name__)


def attachment(filename: str) -> str:
    """A Content-Disposition header value: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    name = safe_filename(filename)
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _chunks(storage: Storage, key: str) -> Iterator[bytes]:
    with storage.open(key) as file:
        while chunk := file.read(CHUNK_SIZE):
            yield chunk


def file_response(storage: Storage, key: str, filename: str, media_type: str) -> Response:
    """Stream a stored file; a missing file is reported as such, not as a server error."""
    if not storage.exists(key):
        log.error("a file referenced by the database is missing from storage: %s", key)
        raise NotFound(_("This file is missing from storage. Please tell the organisers."))
    return StreamingResponse(
        _chunks(storage, key),
        media_type=media_type,
        headers={
            "Content-Disposition": attachment(filename),
            "Cache-Control": "private, no-store",
        },
    )
