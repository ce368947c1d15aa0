"""Input and output shapes of the triage queue, decisions, assignment, routing, reason codes.

The queue's filters arrive as a GET query (the same for the page, its exports and the API), so
a view can be bookmarked: an empty field from a GET form means "no filter", an unknown value is
a 422 with the field named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.i18n import gettext
from app.moderation.regions import REGION_CODES
from app.organisations.countries import normalise_code
from app.organisations.models import OrganisationType, Verification
from app.submissions.models import PaperLanguage, PaperStatus

Id = Annotated[int, Field(gt=0, le=2**31 - 1)]
REASON_MAX = 5000
QUERY_MAX = 1000
BULK_MAX = 200
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

Flag = Literal["duplicate", "not_convertible", "not_scanned", "staged", "late", "unrouted"]
Sort = Literal["received", "-received", "title", "-title"]
Mode = Literal["staged", "now"]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _or_default(default: str) -> Callable[[object], object]:
    def blank_is_default(value: object) -> object:
        return default if _blank_to_none(value) is None else value

    return blank_is_default


def _without_blanks(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [v for v in value if not (isinstance(v, str) and not v.strip())]
    return value


def _countries(values: list[str]) -> list[str]:
    codes = []
    for value in values:
        code = normalise_code(value)
        if code is None:
            raise ValueError(
                gettext("'%(value)s' is not an ISO 3166-1 country code.") % {"value": value}
            )
        codes.append(code)
    return list(dict.fromkeys(codes))


def _region(value: str | None) -> str | None:
    if value is not None and value not in REGION_CODES:
        raise ValueError(gettext("Unknown region."))
    return value


def _assignee(value: str | None) -> str | None:
    if value is None or value in ("me", "none"):
        return value
    if value.isdigit() and 0 < int(value) <= 2**31 - 1:
        return value
    raise ValueError(gettext("Use 'me', 'none' or a user id."))


def _text(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


Blank = BeforeValidator(_blank_to_none)
Listed = BeforeValidator(_without_blanks)


class QueueFilters(BaseModel):
    """What the queue shows, in which order, from where (cursor), and the decision mode."""

    model_config = ConfigDict(extra="ignore")

    status: Annotated[list[PaperStatus], Listed] = []
    item: Annotated[list[Id], Listed, Field(max_length=50)] = []
    language: Annotated[list[PaperLanguage], Listed] = []
    org_type: Annotated[list[OrganisationType], Listed] = []
    country: Annotated[list[str], Listed, Field(max_length=250), AfterValidator(_countries)] = []
    region: Annotated[str | None, Blank, AfterValidator(_region)] = None
    verified: Annotated[Literal["yes", "no"] | None, Blank] = None
    assignee: Annotated[str | None, Blank, AfterValidator(_assignee)] = None
    flag: Annotated[list[Flag], Listed] = []
    cluster: Annotated[Id | None, Blank] = None
    q: Annotated[str, Field(max_length=QUERY_MAX)] = ""
    sort: Annotated[Sort, BeforeValidator(_or_default("received"))] = "received"
    cursor: Annotated[Annotated[str, Field(max_length=500)] | None, Blank] = None
    mode: Annotated[Mode, BeforeValidator(_or_default("staged"))] = "staged"

    def query(self, **changes: object) -> list[tuple[str, str]]:
        """The filters as query pairs (no cursor unless given), for links and exports."""
        values = self.model_dump() | changes
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            if value is None or value == "" or value == []:
                continue
            if key == "sort" and value == "received":
                continue
            if key == "mode" and value == "staged":
                continue
            for one in value if isinstance(value, list) else [value]:
                pairs.append((key, str(one.value if hasattr(one, "value") else one)))
        return pairs


Reason = Annotated[str, BeforeValidator(_text), Field(max_length=REASON_MAX)]
ReasonCodeValue = Annotated[str, BeforeValidator(_text), Field(max_length=40)]


class DecisionCreate(BaseModel):
    """A decision on one paper; `lock_version` is the version the moderator saw."""

    model_config = ConfigDict(extra="ignore")

    to_status: PaperStatus
    reason_code: ReasonCodeValue = ""
    reason: Reason = ""
    staged: bool = False
    lock_version: Id


class AssignmentInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    assignee_id: Id | None = None
    lock_version: Id


class RouteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    agenda_item_id: Id
    lock_version: Id


class RevertInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lock_version: Id


def _paper_ref(value: object) -> object:
    """'<paper id>:<lock version>', as the queue's checkboxes send them."""
    if isinstance(value, str):
        paper_id, _, lock = value.partition(":")
        if not (paper_id.isdigit() and lock.isdigit()):
            raise ValueError(gettext("Select papers from the list."))
        return (int(paper_id), int(lock))
    return value


PaperRef = Annotated[tuple[Id, Id], BeforeValidator(_paper_ref)]
BulkAction = Literal["in_review", "accepted", "rejected", "revision_requested", "route", "assign"]


class BulkInput(BaseModel):
    """One action on many papers; each paper carries the lock version the moderator saw."""

    model_config = ConfigDict(extra="ignore")

    action: BulkAction
    papers: Annotated[list[PaperRef], Field(min_length=1, max_length=BULK_MAX)]
    reason_code: ReasonCodeValue = ""
    reason: Reason = ""
    staged: bool = False
    assignee: Annotated[str | None, Blank, AfterValidator(_assignee)] = None
    agenda_item_id: Annotated[Id | None, Blank] = None


def _code(value: str) -> str:
    value = value.lower()
    if not CODE.fullmatch(value):
        raise ValueError(gettext("Use up to 40 lower-case letters, digits, '-' or '_'."))
    return value


def _label(value: str) -> str:
    if not value:
        raise ValueError(gettext("This field is required."))
    if "\n" in value:
        raise ValueError(gettext("Use a single line."))
    return value


class ReasonCodeCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: Annotated[str, BeforeValidator(_text), AfterValidator(_code)]
    label: Annotated[str, BeforeValidator(_text), AfterValidator(_label), Field(max_length=200)]


# --- reading -------------------------------------------------------------------------------------


class QueueItemRead(BaseModel):
    id: int
    tracking_number: str
    title: str
    organisation_id: int
    organisation_name: str
    organisation_type: OrganisationType
    country: str
    verification: Verification
    language: PaperLanguage
    status: PaperStatus
    announced_status: PaperStatus
    staged: bool
    lock_version: int
    assignee_id: int | None
    routed_item_id: int | None
    agenda_item_ids: list[int]
    duplicate_group: int | None
    duplicate_count: int
    submitted_at: datetime


class QueuePageRead(BaseModel):
    items: list[QueueItemRead]
    next_cursor: str | None


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    paper_id: int
    from_status: PaperStatus
    to_status: PaperStatus
    reason_code: str
    reason: str
    moderator_id: int | None
    staged: bool
    released_at: datetime | None
    reverted_at: datetime | None
    created_at: datetime


class PaperStateRead(BaseModel):
    """A paper as moderators see it after an action (or in a 409: its current state)."""

    id: int
    status: PaperStatus
    announced_status: PaperStatus
    lock_version: int
    assignee_id: int | None
    routed_item_id: int | None


class DecisionResult(BaseModel):
    decision: DecisionRead
    paper: PaperStateRead


class ReleaseRead(BaseModel):
    released: int
    """Staged decisions released."""
    notified: int
    """Papers whose organisation was told a new status."""
