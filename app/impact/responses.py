"""What the impact pages share: redirects after a good POST, form parsing, readable labels."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.errors import FormError, field_errors
from app.i18n import N_
from app.i18n import gettext as _
from app.impact.models import ImplementationStatus, Recommendation
from app.organisations.countries import country_name

SchemaT = TypeVar("SchemaT", bound=BaseModel)

STATUS_LABELS = {
    ImplementationStatus.not_started: N_("Not started"),
    ImplementationStatus.in_progress: N_("In progress"),
    ImplementationStatus.partially_implemented: N_("Partially implemented"),
    ImplementationStatus.implemented: N_("Implemented"),
    ImplementationStatus.not_applicable: N_("Not applicable"),
}


def status_label(status: ImplementationStatus | str) -> str:
    return _(STATUS_LABELS[ImplementationStatus(status)])


def status_choices() -> list[tuple[str, str]]:
    return [(status.value, _(label)) for status, label in STATUS_LABELS.items()]


def recommendation_url(recommendation: Recommendation | int) -> str:
    rid = recommendation if isinstance(recommendation, int) else recommendation.id
    return f"/recommendations/{rid}"


def redirect(url: str, htmx: bool) -> Response:
    if htmx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def fields_of(form: FormData) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
    return fields


def values_of(form: FormData, *names: str) -> dict[str, Any]:
    return {name: form.get(name) for name in names if isinstance(form.get(name), str)}


def parse(schema: type[SchemaT], values: dict[str, Any]) -> SchemaT:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise FormError(field_errors(exc)) from exc


TEMPLATE_GLOBALS = {
    "status_label": status_label,
    "country_name": country_name,
}
