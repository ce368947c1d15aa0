"""Input and output shapes of the impact domain (pages parse forms into these too)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from app.impact.addressees import split_codes
from app.impact.models import (
    AddresseeScope,
    EvidenceKind,
    ImplementationStatus,
    ParticipantKind,
    ReportKind,
)


def _codes(value: Any) -> list[str]:
    if value is None:
        return []
    return split_codes(value if isinstance(value, str) else [str(v) for v in value])


class RecommendationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=20)
    text: str = Field(min_length=1, max_length=20000)
    agenda_item_id: int | None = None
    adopted_on: date | None = None
    countries: list[str] = []
    regions: list[str] = []

    _split = field_validator("countries", "regions", mode="before")(_codes)

    @field_validator("agenda_item_id", "adopted_on", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class RecommendationUpdate(RecommendationCreate):
    pass


class CitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paper_id: int | None = None
    comment_id: int | None = None
    dossier_page: int | None = Field(default=None, ge=1, le=100000)

    @field_validator("paper_id", "comment_id", "dossier_page", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class ParticipantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    country: str = ""
    organisation_id: int | None = None
    name: str = Field(default="", max_length=200)

    @field_validator("organisation_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class FocalPointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(min_length=3, max_length=320)
    country: str = Field(min_length=2, max_length=2)


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    opens_at: datetime
    closes_at: datetime
    reminder_days: int = Field(default=7, ge=0, le=90)


class ReportCreate(BaseModel):
    """A new version of a report. `base_version`: the version the author saw (0: none yet)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: ImplementationStatus
    narrative: str = Field(default="", max_length=50000)
    reported_on: date
    base_version: int = Field(default=0, ge=0)
    links: list[HttpUrl] = Field(default=[], max_length=20)
    link_titles: list[str] = []

    @field_validator("links", mode="before")
    @classmethod
    def _drop_blank_links(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if str(v).strip()]


# --- reading -------------------------------------------------------------------------------------


class CitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    paper_id: int | None
    comment_id: int | None
    dossier_page: int | None


class RecommendationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    process_id: int
    meeting_id: int
    number: str
    text: str
    agenda_item_id: int | None
    adopted_on: date | None
    addressee_scope: AddresseeScope
    countries: list[str]
    regions: list[str]


class RecommendationDetail(RecommendationRead):
    citations: list[CitationRead]
    addressed_countries: list[str]


class ParticipantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    meeting_id: int
    kind: ParticipantKind
    country: str | None
    organisation_id: int | None
    name: str


class FocalPointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    process_id: int
    country: str


class RoundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    process_id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    reminder_days: int
    opening_sent_at: datetime | None
    closing_reminder_sent_at: datetime | None


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: EvidenceKind
    title: str
    url: str
    original_name: str
    media_type: str
    size: int


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    recommendation_id: int
    country: str
    kind: ReportKind
    organisation_id: int | None
    thread_key: str
    version: int
    supersedes_id: int | None
    status: ImplementationStatus
    narrative: str
    reported_on: date
    author_id: int | None
    created_at: datetime
    evidence: list[EvidenceRead]


class ImportRowRead(BaseModel):
    line: int
    values: dict[str, Any]
    errors: list[str]


class ImportPreviewRead(BaseModel):
    token: str
    meeting_id: int
    rows: list[ImportRowRead]
    error_count: int
    expires_at: datetime
