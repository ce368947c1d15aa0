"""A succeeded build's files leave through here: after the loader's authorisation check, streamed
from storage as attachments named `dossier-<meeting slug>-v<n>.pdf|zip` (slugs are ASCII)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Literal

from fastapi.responses import Response, StreamingResponse

from app.consultations.models import Meeting
from app.dossiers import builds
from app.dossiers.models import DossierBuild
from app.errors import NotFound
from app.i18n import gettext as _
from app.storage import CHUNK_SIZE, Storage

log = logging.getLogger(__name__)
Kind = Literal["pdf", "zip"]
MEDIA_TYPES = {"pdf": "application/pdf", "zip": "application/zip"}


def _chunks(storage: Storage, key: str) -> Iterator[bytes]:
    with storage.open(key) as file:
        while chunk := file.read(CHUNK_SIZE):
            yield chunk


def build_file(storage: Storage, meeting: Meeting, build: DossierBuild, kind: Kind) -> Response:
    pdf_key, zip_key = builds.require_files(build)
    key = pdf_key if kind == "pdf" else zip_key
    if not storage.exists(key):
        log.error("a dossier file referenced by the database is missing from storage: %s", key)
        raise NotFound(_("This file is missing from storage. Please start a new build."))
    name = builds.filename(meeting, build, kind)
    return StreamingResponse(
        _chunks(storage, key),
        media_type=MEDIA_TYPES[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
