"""The dashboard's filters, read from the URL (so a filtered view can be bookmarked and shared):
region (UN M49 code), agenda item, reference date and the participation measure plotted."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from app.errors import FormError
from app.i18n import gettext as _
from app.moderation import regions


class Measure(enum.StrEnum):
    meetings = "meetings"
    inputs = "inputs"
    responses = "responses"


def measure_label(measure: Measure) -> str:
    labels = {
        Measure.meetings: _("Meetings attended"),
        Measure.inputs: _("Civil-society inputs"),
        Measure.responses: _("Questionnaire responses"),
    }
    return labels[measure]


def measure_phrase(measure: Measure) -> str:
    """The measure inside a sentence of the reading."""
    phrases = {
        Measure.meetings: _("meetings attended"),
        Measure.inputs: _("civil-society inputs"),
        Measure.responses: _("questionnaire responses"),
    }
    return phrases[measure]


@dataclass(frozen=True)
class Filters:
    as_of: date
    region: str | None = None
    agenda_item_id: int | None = None
    measure: Measure = Measure.meetings

    def query(self, **changes: str) -> str:
        """The URL query string of these filters (for links to downloads and other views)."""
        values = {
            "region": self.region or "",
            "item": str(self.agenda_item_id or ""),
            "as_of": self.as_of.isoformat(),
            "measure": self.measure.value,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})


def parse_filters(
    today: date,
    *,
    region: str | None = None,
    item: str | None = None,
    as_of: str | None = None,
    measure: str | None = None,
    agenda_item_ids: set[int] | None = None,
) -> Filters:
    """Filters from query parameters; anything unknown is a clear 422, never a 500."""
    errors: dict[str, str] = {}
    chosen_region = (region or "").strip() or None
    if chosen_region is not None and chosen_region not in regions.REGION_CODES:
        errors["region"] = _("Choose a region from the list.")
    item_id: int | None = None
    if (item or "").strip():
        try:
            item_id = int(str(item))
        except ValueError:
            errors["item"] = _("Choose an agenda item from the list.")
        else:
            if agenda_item_ids is not None and item_id not in agenda_item_ids:
                errors["item"] = _("Choose an agenda item from the list.")
    reference = today
    if (as_of or "").strip():
        try:
            reference = date.fromisoformat(str(as_of).strip())
        except ValueError:
            errors["as_of"] = _("Enter the date as YYYY-MM-DD.")
    chosen_measure = Measure.meetings
    if (measure or "").strip():
        try:
            chosen_measure = Measure(str(measure).strip())
        except ValueError:
            errors["measure"] = _("Choose a participation measure from the list.")
    if errors:
        raise FormError(errors, " ".join(dict.fromkeys(errors.values())))
    return Filters(
        as_of=reference, region=chosen_region, agenda_item_id=item_id, measure=chosen_measure
    )
