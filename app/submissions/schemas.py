"""Input and output shapes of papers, their versions, receipts and late-submission exceptions.

Fields are checked on their own here; rules against the meeting (word limit, window, agenda
items, the papers-per-organisation limit) live in the service.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.i18n import gettext as _
from app.submissions.models import (
    Consent,
    ConversionState,
    PaperLanguage,
    PaperStatus,
    ScanState,
)

TITLE_MAX = 300
SUMMARY_MAX_CHARS = 100_000
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ALLOWED_CONTROLS = {"\n", "\t"}


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in value):
        raise ValueError(_("Remove the control characters from this text."))
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError(_("Use a single line."))
    if not value:
        raise ValueError(_("This field is required."))
    return value


def _required(value: str) -> str:
    if not value:
        raise ValueError(_("This field is required."))
    return value


def _id_list(value: object) -> object:
    """Repeated form fields, or one field with ids separated by commas or spaces."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        parts: list[Any] = []
        for entry in value:
            if isinstance(entry, str):
                parts.extend(p for p in re.split(r"[\s,;]+", entry) if p)
            else:
                parts.append(entry)
        return parts
    return value


def _unique(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


def _idempotency_key(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not IDEMPOTENCY_KEY.fullmatch(value):
        raise ValueError(_("Use 8 to 64 letters, digits, '-' or '_'."))
    return value


Title = Annotated[
    str, BeforeValidator(_text), AfterValidator(_one_line), Field(max_length=TITLE_MAX)
]
Summary = Annotated[
    str, BeforeValidator(_text), AfterValidator(_required), Field(max_length=SUMMARY_MAX_CHARS)
]
Id = Annotated[int, Field(gt=0, le=2**31 - 1)]
IdList = Annotated[
    list[Id], BeforeValidator(_id_list), AfterValidator(_unique), Field(max_length=50)
]
IdempotencyKey = Annotated[str | None, AfterValidator(_idempotency_key)]


class PaperCreate(BaseModel):
    """What the submit form and POST /api/v1/meetings/{id}/papers send (besides the file)."""

    model_config = ConfigDict(extra="ignore")

    organisation_id: Id
    title: Title
    summary: Summary
    language: PaperLanguage
    agenda_item_ids: Annotated[IdList, Field(min_length=1)]
    consent: Consent
    cosigner_ids: IdList = []
    idempotency_key: IdempotencyKey = None


class RevisionInput(BaseModel):
    """A new version of a paper: `lock_version` (optional) guards against a repeated request."""

    model_config = ConfigDict(extra="ignore")

    lock_version: Id | None = None


class LateExceptionCreate(BaseModel):
    organisation_id: Id
    until: datetime
    """A naive value is a wall-clock time in the meeting's time zone."""
    reason: Annotated[str, BeforeValidator(_text), Field(max_length=2000)] = ""


# --- reading -------------------------------------------------------------------------------------


class VersionRead(BaseModel):
    number: int
    original_name: str
    kind: str
    media_type: str
    size: int
    sha256: str
    pages: int | None
    conversion_state: ConversionState
    conversion_error: str
    scan_state: ScanState
    created_at: datetime
    file_url: str
    pdf_url: str | None


class CosignerRead(BaseModel):
    organisation_id: int
    organisation_name: str
    state: str  # pending | confirmed | declined
    requested_at: datetime
    decided_at: datetime | None


class PaperRead(BaseModel):
    id: int
    tracking_number: str
    meeting_id: int
    organisation_id: int
    organisation_name: str
    title: str
    summary: str
    language: PaperLanguage
    consent: Consent
    status: PaperStatus
    lock_version: int
    agenda_item_ids: list[int]
    cosigners: list[CosignerRead]
    versions: list[VersionRead]
    submitted_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None
    receipt_url: str


class LateExceptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    meeting_id: int
    organisation_id: int
    until: datetime
    reason: str
