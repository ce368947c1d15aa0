"""Input and output shapes of comments, reports and moderation decisions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator

from app.comments.models import CommentStatus
from app.formatting import number
from app.i18n import gettext as _

BODY_MAX_CHARS = 5000
REASON_MAX_CHARS = 1000


def _check_body(value: str) -> str:
    text = value.replace("\r\n", "\n").strip()
    if not text:
        raise ValueError(_("Write your comment before posting it."))
    if len(text) > BODY_MAX_CHARS:
        raise ValueError(
            _("A comment may have at most %(maximum)s characters; this one has %(length)s.")
            % {"maximum": number(BODY_MAX_CHARS), "length": number(len(text))}
        )
    return text


def _check_reason(value: str) -> str:
    text = value.strip()
    if len(text) > REASON_MAX_CHARS:
        raise ValueError(
            _("Keep the reason under %(maximum)s characters.")
            % {"maximum": number(REASON_MAX_CHARS)}
        )
    return text


# Input fields are "text", not "body": the markup the writer typed; the stored "body" is HTML.
Body = Annotated[str, AfterValidator(_check_body)]
Reason = Annotated[str, AfterValidator(_check_reason)]
ObjectId = Annotated[int, Field(gt=0, lt=2**31)]


class CommentCreate(BaseModel):
    """A comment on an agenda item; with parent_id, a reply (attached to the top-level comment:
    replies are one level deep, so replying to a reply answers the thread it belongs to)."""

    text: Body = Field(description="Plain text with a little markup (see the API docs).")
    organisation_id: ObjectId | None = Field(
        default=None, description="Post on behalf of this organisation (you must belong to it)."
    )
    parent_id: ObjectId | None = None


class CommentUpdate(BaseModel):
    text: Body


def _check_report_reason(value: str) -> str:
    if not value:
        raise ValueError(_("Say briefly what is wrong with this comment."))
    return value


class ReportCreate(BaseModel):
    reason: Annotated[Reason, AfterValidator(_check_report_reason)]


class ModerationAction(enum.StrEnum):
    publish = "publish"
    hide = "hide"


class ModerationRequest(BaseModel):
    action: ModerationAction
    reason: Reason = Field(default="", validate_default=True)

    @field_validator("reason")
    @classmethod
    def _hiding_needs_reason(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("action") is ModerationAction.hide and not value:
            raise ValueError(_("Give the reason for hiding this comment."))
        return value


class CommentRead(BaseModel):
    id: int
    agenda_item_id: int
    parent_id: int | None
    status: CommentStatus
    author_name: str
    organisation_id: int | None
    organisation_name: str | None
    body_html: str | None = Field(description="Sanitised HTML; null when hidden by a moderator.")
    text: str | None = Field(default=None, description="The markup; for its author, to edit.")
    hidden_reason: str | None = Field(default=None, description="Shown to moderators only.")
    created_at: datetime
    edited_at: datetime | None
    can_edit: bool = False
    report_count: int | None = Field(default=None, description="Open reports; moderators only.")
    replies: list[CommentRead] = Field(default_factory=list)


class CommentPage(BaseModel):
    items: list[CommentRead]
    next_cursor: int | None = Field(
        description="Pass as ?cursor= to get the next (older) page; null on the last page."
    )


class ReportRead(BaseModel):
    id: int
    comment_id: int
    reason: str
    created_at: datetime
