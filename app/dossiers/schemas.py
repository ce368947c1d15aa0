"""Input and output shapes of dossiers: sections (order, summary, digest) and builds."""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.dossiers.models import BuildState
from app.i18n import gettext as _

SUMMARY_MAX_CHARS = 20_000
DIGEST_MAX = 200
_ALLOWED_CONTROLS = {"\n", "\t"}


class Direction(enum.StrEnum):
    up = "up"
    down = "down"


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in value):
        raise ValueError(_("Remove the control characters from this text."))
    return value


def _id_list(value: object) -> object:
    """Repeated form fields or a JSON list; an empty form field means none."""
    if value is None or value == "":
        return []
    if isinstance(value, (str, int)):
        return [value]
    return value


def _unique(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


Id = Annotated[int, Field(gt=0, le=2**31 - 1)]
SummaryText = Annotated[str, BeforeValidator(_text), Field(max_length=SUMMARY_MAX_CHARS)]
IdList = Annotated[list[Id], BeforeValidator(_id_list), AfterValidator(_unique)]


class SummaryInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    summary: SummaryText = ""


class DigestInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    comment_ids: Annotated[IdList, Field(max_length=DIGEST_MAX)] = []


class MoveInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    direction: Direction


class SectionUpdate(BaseModel):
    """PATCH /api/v1/meetings/{id}/dossier/sections/{item_id}: any of the three, all optional.

    `paper_ids` is the whole new order of the section's papers (every one of them, once)."""

    model_config = ConfigDict(extra="forbid")

    summary: SummaryText | None = None
    digest_comment_ids: Annotated[IdList, Field(max_length=DIGEST_MAX)] | None = None
    paper_ids: IdList | None = None


# --- output --------------------------------------------------------------------------------------


class EntryRead(BaseModel):
    paper_id: int
    tracking_number: str
    title: str
    organisation_name: str
    version_number: int | None
    position: int
    pdf_ready: bool  # False: listed in the annex and shipped in the ZIP only
    included: bool  # False: the organisation's consent keeps it out of the dossier


class SectionRead(BaseModel):
    agenda_item_id: int
    number: str
    title: str
    summary: str
    digest_comment_ids: list[int]
    entries: list[EntryRead]


class IncludedVersion(BaseModel):
    paper_id: int
    version_id: int
    version_number: int
    tracking_number: str
    title: str
    section_number: str
    sha256: str
    in_pdf: bool


class BuildSummary(BaseModel):
    id: int
    meeting_id: int
    number: int
    state: BuildState
    progress: int
    progress_note: str
    error: str
    built_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    page_count: int | None
    pdf_sha256: str
    zip_sha256: str
    pdf_url: str | None
    zip_url: str | None


class BuildRead(BuildSummary):
    included: list[IncludedVersion]


class DossierRead(BaseModel):
    meeting_id: int
    sections: list[SectionRead]
    builds: list[BuildSummary]
    latest_build_id: int | None = Field(
        description="The latest succeeded build: what 'Download' serves."
    )


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
