"""What the triage pages share: addresses, the answer to a good POST, parsing a form into a
schema, and the context a row of the queue needs (rendered in the queue, or alone after an
action on it)."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.consultations.models import Meeting
from app.errors import FormError, field_errors
from app.moderation import policies, reasons
from app.moderation.deps import Triage

SchemaT = TypeVar("SchemaT", bound=BaseModel)


def queue_url(meeting: Meeting) -> str:
    return f"/processes/{meeting.process.slug}/meetings/{meeting.slug}/queue"


def paper_url(paper_id: int) -> str:
    return f"/papers/{paper_id}/moderation"


def redirect(url: str, htmx: bool) -> Response:
    if htmx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_next(value: object, default: str) -> str:
    """A local address to go back to after a form (never another site)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return default if "\\" in value else value
    return default


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def checked(form: FormData, name: str) -> bool:
    return text(form, name) in ("1", "on", "true")


def parse(schema: type[SchemaT], values: dict[str, Any]) -> SchemaT:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise FormError(field_errors(exc)) from exc


def row_context(session: Session, ctx: Triage, **extra: Any) -> dict[str, Any]:
    """What a row of the queue needs for its forms."""
    return {
        "meeting": ctx.meeting,
        "process": ctx.meeting.process,
        "user": ctx.user,
        "reason_codes": reasons.list_codes(session, ctx.meeting.process),
        "targets": policies.allowed_targets,
        "mode": "staged",
        "here": queue_url(ctx.meeting),
        "row_message": "",
        "row_level": "",
        "row_errors": {},
        **extra,
    }
