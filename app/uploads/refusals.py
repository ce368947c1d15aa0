"""Why an upload is refused before any row points at it: not a document we accept, malware, or
a scanner that cannot say. Each carries the message the person sees."""

from __future__ import annotations

import logging
from pathlib import Path

from app.errors import AppError
from app.i18n import gettext as _
from app.uploads.scanning import scan_file

log = logging.getLogger(__name__)


class RejectedFile(AppError):
    """The upload is not a document we accept; the message tells the person what to do."""

    status = 422
    code = "rejected_file"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ScanningUnavailable(AppError):
    status = 503
    code = "scanning_unavailable"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Virus scanning is unavailable at the moment, so the file cannot be accepted. "
                "Nothing was stored; please try again in a few minutes."
            )
        )


class InfectedFile(RejectedFile):
    code = "infected_file"

    def __init__(self, signature: str) -> None:
        super().__init__(
            _(
                "Our virus scanner found malware in this file (%(signature)s), so it was refused. "
                "Nothing was stored. Please check your computer and upload a clean copy."
            )
            % {"signature": signature}
        )


def refuse_unless_clean(clamd_url: str, path: Path) -> None:
    """Scan a stored upload: InfectedFile when clamd finds malware, ScanningUnavailable when it
    cannot say (a file is never let through unscanned once scanning is configured)."""
    result = scan_file(clamd_url, path)
    if result.is_infected:
        log.warning("refused an infected upload: %s", result.signature)
        raise InfectedFile(result.signature or "unknown")
    if not result.is_clean:
        log.error("clamd unavailable, upload refused: %s", result.message)
        raise ScanningUnavailable()
