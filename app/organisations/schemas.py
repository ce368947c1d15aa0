"""Input and output shapes; HTML forms and the JSON API validate with the same rules."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)

from app.i18n import N_, gettext
from app.organisations import countries
from app.organisations.models import EcosocStatus, MemberRole, OrganisationType, Verification

NAME_MAX = 200
ACRONYM_MAX = 30
WEBSITE_MAX = 300
DESCRIPTION_MAX = 5000
REASON_MAX = 2000
EMAIL_MAX = 320

_ALLOWED_CONTROLS = {"\n", "\t"}


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(gettext("Enter text."))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in value):
        raise ValueError(gettext("Remove the control characters from this text."))
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError(gettext("Use a single line."))
    return value


def _limit(maximum: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) > maximum:
            raise ValueError(
                gettext("Use at most %(maximum)s characters (this has %(length)s).")
                % {"maximum": maximum, "length": len(value)}
            )
        return value

    return check


def _required(value: str) -> str:
    if not value:
        raise ValueError(gettext("This field is required."))
    return value


def _website(value: str) -> str:
    if not value:
        return ""
    message = gettext(
        "Enter a web address starting with http:// or https://, e.g. https://example.org."
    )
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError as exc:
        raise ValueError(message) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(message)
    if any(c.isspace() for c in value):
        raise ValueError(message)
    return value


def _country(value: object) -> str:
    code = countries.normalise_code(value) if isinstance(value, str) else None
    if code is None:
        raise ValueError(
            gettext("Choose a country from the list (a two-letter ISO 3166 code, e.g. KE).")
        )
    return code


def _choice(message: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if value is None or value == "":
            raise ValueError(message)
        return value

    return check


Name = Annotated[
    str, BeforeValidator(_text), AfterValidator(_one_line), AfterValidator(_required),
    AfterValidator(_limit(NAME_MAX)),
]  # fmt: skip
Acronym = Annotated[
    str, BeforeValidator(_text), AfterValidator(_one_line), AfterValidator(_limit(ACRONYM_MAX))
]
Website = Annotated[
    str, BeforeValidator(_text), AfterValidator(_limit(WEBSITE_MAX)), AfterValidator(_website)
]
Description = Annotated[str, BeforeValidator(_text), AfterValidator(_limit(DESCRIPTION_MAX))]
Country = Annotated[str, BeforeValidator(_country)]
TypeField = Annotated[
    OrganisationType, BeforeValidator(_choice(N_("Choose the type of organisation.")))
]
EcosocField = Annotated[EcosocStatus, BeforeValidator(_choice(N_("Choose the ECOSOC status.")))]


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    acronym: Acronym = ""
    type: TypeField
    country: Country
    website: Website = ""
    description: Description = ""
    ecosoc_status: EcosocField = EcosocStatus.none


class OrganisationUpdate(BaseModel):
    """PATCH: only the fields sent change; null is refused (send "" to clear a text)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    acronym: Acronym | None = None
    type: TypeField | None = None
    country: Country | None = None
    website: Website | None = None
    description: Description | None = None
    ecosoc_status: EcosocField | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError(gettext("This field cannot be null; leave it out to keep its value."))
        return value


class OrganisationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    acronym: str
    type: OrganisationType
    country: str
    verification: Verification


class OrganisationRead(OrganisationSummary):
    website: str
    description: str
    ecosoc_status: EcosocStatus
    verified_at: datetime | None
    created_at: datetime
    verification_reason: str | None = Field(
        default=None, description="Shown to members and verifiers only."
    )
    my_role: MemberRole | None = None


class MemberRead(BaseModel):
    user_id: int
    name: str
    role: MemberRole
    joined_at: datetime
    email: str | None = Field(default=None, description="Shown to owners and verifiers only.")


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[EmailStr, Field(max_length=EMAIL_MAX)]


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    created_at: datetime
    expires_at: datetime


class InvitationCreated(InvitationRead):
    link: str = Field(description="The single-use link; shown only now, never stored.")


class VerificationDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal[Verification.verified, Verification.rejected]
    reason: Annotated[str, BeforeValidator(_text), AfterValidator(_limit(REASON_MAX))] = Field(
        default="", validate_default=True
    )

    @field_validator("reason")
    @classmethod
    def _reason_for_rejection(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("status") == Verification.rejected and not value:
            raise ValueError(
                gettext("Give the reason for the rejection; the organisation will see it.")
            )
        return value


class OwnershipTransfer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int
