"""Input and output shapes of processes, meetings, agenda items and role grants.

Each field is checked on its own here; rules across fields and against the database (end after
start, closing after opening, unique slugs and numbers) live in the service, which sees the whole
object after a partial update. Datetimes without an offset are local times in the meeting's time
zone (what a datetime-local input sends); the service converts them to UTC.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, ClassVar
from zoneinfo import available_timezones

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from app.consultations.models import CommentMode, ProcessRole
from app.i18n import gettext as _

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AGENDA_NUMBER_RE = re.compile(r"^[0-9]{1,3}(?:\.[a-z0-9]{1,4}){0,3}$")
RESERVED_SLUGS = frozenset({"new", "edit"})
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


class SubmissionStatus(enum.StrEnum):
    open = "open"
    upcoming = "upcoming"
    closed = "closed"
    unscheduled = "unscheduled"


def _check_slug(value: str) -> str:
    if value and not SLUG_RE.fullmatch(value):
        raise ValueError(_("Use lower-case letters, digits and single hyphens, e.g. 'asia-2026'."))
    if value in RESERVED_SLUGS:
        raise ValueError(_("'%(value)s' is reserved; choose another address.") % {"value": value})
    return value


def _check_regions(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        region = value.strip()
        if len(region) > 100:
            raise ValueError(_("A region name may have at most 100 characters."))
        if region and region not in cleaned:
            cleaned.append(region)
    return cleaned


@lru_cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_timezone(value: str) -> str:
    if value not in _time_zones():
        raise ValueError(_("Choose a time zone by its IANA name, e.g. 'Asia/Bishkek' or 'UTC'."))
    return value


def _check_languages(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        code = value.strip().lower()
        if not code:
            continue
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise ValueError(
                _("'%(value)s' is not a two-letter ISO 639-1 language code.")
                % {"value": value[:10]}
            )
        if code not in cleaned:
            cleaned.append(code)
    if not cleaned:
        raise ValueError(_("Choose at least one language."))
    return cleaned


def _check_date(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )
    return value


def _check_datetime(value: datetime | None) -> datetime | None:
    if value is not None:
        _check_date(value.date())
    return value


def _check_agenda_number(value: str) -> str:
    if not AGENDA_NUMBER_RE.fullmatch(value):
        raise ValueError(_("Use a number such as '2', '2.a' or '10.b.i'."))
    return value


def _check_email(value: str) -> str:
    if "@" not in value or value.startswith("@") or value.endswith("@"):
        raise ValueError(_("Enter an e-mail address."))
    return value


def _clean(value: str) -> str:
    return value.strip()


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ItemTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Slug = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=80),
    AfterValidator(_check_slug),
]
LongText = Annotated[str, Field(max_length=20_000), AfterValidator(_clean)]
Regions = Annotated[list[str], Field(max_length=50), AfterValidator(_check_regions)]
Venue = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
TimeZoneName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_check_timezone)
]
Languages = Annotated[list[str], Field(max_length=20), AfterValidator(_check_languages)]
MeetingDate = Annotated[date, AfterValidator(_check_date)]
LocalDateTime = Annotated[datetime | None, AfterValidator(_check_datetime)]
MaxFileMb = Annotated[int, Field(ge=1, le=200)]
WordLimit = Annotated[int, Field(ge=10, le=10_000)]
PaperLimit = Annotated[int, Field(ge=1, le=100)]
AgendaNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=20),
    AfterValidator(_check_agenda_number),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=320),
    AfterValidator(_check_email),
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Patch(_Input):
    """All fields optional; an explicit null is refused for fields the database requires."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(_("This field cannot be empty."))
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ProcessCreate(_Input):
    title: Title
    slug: Slug = Field(default="", description="Empty: derived from the title.")
    regions: Regions = Field(default_factory=list)
    description: LongText = ""


class ProcessUpdate(_Patch):
    title: Title | None = None
    slug: Slug | None = None
    regions: Regions | None = None
    description: LongText | None = None


class MeetingCreate(_Input):
    title: Title
    slug: Slug = Field(default="", description="Empty: derived from the title.")
    starts_on: MeetingDate
    ends_on: MeetingDate
    venue: Venue = ""
    online: bool = False
    timezone: TimeZoneName = "UTC"
    languages: Languages
    submissions_open_at: LocalDateTime = Field(
        default=None, description="Without an offset: local time in the meeting's time zone."
    )
    submissions_close_at: LocalDateTime = None
    max_file_mb: MaxFileMb = 20
    summary_word_limit: WordLimit = 300
    papers_per_organisation: PaperLimit = 3
    comment_mode: CommentMode = CommentMode.open


class MeetingUpdate(_Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"submissions_open_at", "submissions_close_at"})

    title: Title | None = None
    slug: Slug | None = None
    starts_on: MeetingDate | None = None
    ends_on: MeetingDate | None = None
    venue: Venue | None = None
    online: bool | None = None
    timezone: TimeZoneName | None = None
    languages: Languages | None = None
    submissions_open_at: LocalDateTime = None
    submissions_close_at: LocalDateTime = None
    max_file_mb: MaxFileMb | None = None
    summary_word_limit: WordLimit | None = None
    papers_per_organisation: PaperLimit | None = None
    comment_mode: CommentMode | None = None


class AgendaItemCreate(_Input):
    number: AgendaNumber
    title: ItemTitle
    background: LongText = ""
    papers_open: bool = True
    comments_open: bool = True
    closes_at: LocalDateTime = Field(
        default=None, description="Without an offset: local time in the meeting's time zone."
    )


class AgendaItemUpdate(_Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"closes_at"})

    number: AgendaNumber | None = None
    title: ItemTitle | None = None
    background: LongText | None = None
    papers_open: bool | None = None
    comments_open: bool | None = None
    closes_at: LocalDateTime = None
    position: int | None = Field(default=None, ge=0, le=10_000, description="0-based place.")


class GrantCreate(_Input):
    email: Email
    role: ProcessRole


class ProcessRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    title: str
    regions: list[str]
    description: str
    created_at: datetime


class AgendaItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    meeting_id: int
    number: str
    title: str
    background: str
    position: int
    papers_open: bool
    comments_open: bool
    closes_at: datetime | None


class MeetingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    process_id: int
    slug: str
    title: str
    starts_on: date
    ends_on: date
    venue: str
    online: bool
    timezone: str
    languages: list[str]
    submissions_open_at: datetime | None
    submissions_close_at: datetime | None
    max_file_mb: int
    summary_word_limit: int
    papers_per_organisation: int
    comment_mode: CommentMode
    submission_status: SubmissionStatus | None = None


class MeetingDetail(MeetingRead):
    agenda_items: list[AgendaItemRead] = Field(default_factory=list)


class ProcessDetail(ProcessRead):
    meetings: list[MeetingRead] = Field(default_factory=list)


class GrantRead(BaseModel):
    id: int
    process_id: int
    user_id: int
    user_name: str
    user_email: str | None
    role: ProcessRole
    created_at: datetime
