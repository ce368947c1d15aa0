"""HTML form fields <-> the API's input schemas, so both paths share one set of rules.

Parsing turns a submitted form into a schema (or a FormError with a readable message per field);
the *_values functions give a template the strings to show in the inputs.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.consultations.models import AgendaItem, Meeting, Process
from app.consultations.schemas import UN_LANGUAGES
from app.consultations.service import utc_to_local_input
from app.errors import FormError, field_errors
from app.i18n import N_

SchemaT = TypeVar("SchemaT", bound=BaseModel)

_FRIENDLY = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "date_from_datetime_parsing": N_("Enter a date (YYYY-MM-DD)."),
    "date_parsing": N_("Enter a date (YYYY-MM-DD)."),
    "date_type": N_("Enter a date (YYYY-MM-DD)."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_type": N_("Enter a date and time."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "enum": N_("Choose one of the options."),
}


async def read_form(request: Request) -> FormData:
    """The submitted form (already parsed, and cached, by the CSRF check)."""
    return await request.form()


Form = Annotated[FormData, Depends(read_form)]


def parse(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields = field_errors(exc)
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"][:1]) or "__all__"
            if error["type"] == "string_too_short" and error.get("input"):
                continue  # "at least n characters" is the right message for a short entry
            if error["type"] in _FRIENDLY:
                fields[key] = _FRIENDLY[error["type"]]
        raise FormError({key.split(".")[0]: msg for key, msg in fields.items()}) from exc


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _fields(
    form: FormData, names: tuple[str, ...], *, empty_is_none: bool = False
) -> dict[str, Any]:
    """The named fields that the form sent (absent ones keep their default or current value);
    with `empty_is_none`, an empty field is None (a cleared date, or a missing number)."""
    data: dict[str, Any] = {}
    for name in names:
        if name in form:
            value = form_text(form, name)
            data[name] = (value.strip() or None) if empty_is_none else value
    return data


def _checked(form: FormData, name: str) -> bool:
    return form_text(form, name) == "on"


def split_list(text: str) -> list[str]:
    """One entry per line, or separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[\n,;]", text) if part.strip()]


# --- processes -----------------------------------------------------------------------------------


def process_input(form: FormData) -> dict[str, Any]:
    data = _fields(form, ("title", "slug", "description"))
    if "regions" in form:
        data["regions"] = split_list(form_text(form, "regions"))
    return data


def process_values(process: Process | None = None, form: FormData | None = None) -> dict[str, Any]:
    if form is not None:
        return {name: form_text(form, name) for name in ("title", "slug", "regions", "description")}
    if process is None:
        return {"title": "", "slug": "", "regions": "", "description": ""}
    return {
        "title": process.title,
        "slug": process.slug,
        "regions": "\n".join(process.regions),
        "description": process.description,
    }


# --- meetings ------------------------------------------------------------------------------------

_MEETING_TEXT = ("title", "slug", "venue", "timezone", "comment_mode")
_MEETING_OPTIONAL = (
    "starts_on",
    "ends_on",
    "submissions_open_at",
    "submissions_close_at",
    "max_file_mb",
    "summary_word_limit",
    "papers_per_organisation",
)


def _languages(form: FormData) -> list[str]:
    chosen = [v for v in form.getlist("languages") if isinstance(v, str)]
    return chosen + split_list(form_text(form, "languages_other"))


def meeting_input(form: FormData) -> dict[str, Any]:
    data = _fields(form, _MEETING_TEXT)
    data.update(_fields(form, _MEETING_OPTIONAL, empty_is_none=True))
    data["online"] = _checked(form, "online")
    data["languages"] = _languages(form)
    return data


def meeting_values(meeting: Meeting | None = None, form: FormData | None = None) -> dict[str, Any]:
    if form is not None:
        values: dict[str, Any] = {n: form_text(form, n) for n in _MEETING_TEXT + _MEETING_OPTIONAL}
        languages = _languages(form)
        values["online"] = _checked(form, "online")
    elif meeting is not None:
        values = {
            n: getattr(meeting, n) for n in _MEETING_TEXT + _MEETING_OPTIONAL if "_at" not in n
        }
        for name in ("submissions_open_at", "submissions_close_at"):
            values[name] = utc_to_local_input(getattr(meeting, name), meeting.timezone)
        values["comment_mode"] = meeting.comment_mode.value
        values["online"] = meeting.online
        languages = list(meeting.languages)
    else:
        values = dict.fromkeys(_MEETING_TEXT + _MEETING_OPTIONAL, "")
        values.update(
            timezone="UTC",
            comment_mode="open",
            max_file_mb=20,
            summary_word_limit=300,
            papers_per_organisation=3,
            online=False,
        )
        languages = ["en"]
    values["languages"] = [code for code in languages if code in UN_LANGUAGES]
    values["languages_other"] = ", ".join(c for c in languages if c not in UN_LANGUAGES)
    return values


# --- agenda items --------------------------------------------------------------------------------


def agenda_item_input(form: FormData) -> dict[str, Any]:
    data = _fields(form, ("number", "title", "background"))
    data.update(_fields(form, ("closes_at",), empty_is_none=True))
    data["papers_open"] = _checked(form, "papers_open")
    data["comments_open"] = _checked(form, "comments_open")
    return data


def agenda_item_values(
    meeting: Meeting, item: AgendaItem | None = None, form: FormData | None = None
) -> dict[str, Any]:
    if form is not None:
        values: dict[str, Any] = {
            n: form_text(form, n) for n in ("number", "title", "background", "closes_at")
        }
        values["papers_open"] = _checked(form, "papers_open")
        values["comments_open"] = _checked(form, "comments_open")
        return values
    if item is None:
        return {"number": "", "title": "", "background": "", "papers_open": True,
                "comments_open": True, "closes_at": ""}  # fmt: skip
    return {
        "number": item.number,
        "title": item.title,
        "background": item.background,
        "papers_open": item.papers_open,
        "comments_open": item.comments_open,
        "closes_at": utc_to_local_input(item.closes_at, meeting.timezone),
    }
