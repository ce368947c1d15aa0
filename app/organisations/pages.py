"""What the organisations pages share: the template context and the answer to a good POST."""

from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse, Response

from app.organisations import countries
from app.organisations.models import EcosocStatus, OrganisationType


def redirect(url: str, htmx: bool) -> Response:
    """After a successful POST: 303 for plain forms, HX-Redirect for htmx."""
    if htmx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def page_context(**ctx: Any) -> dict[str, Any]:
    """Every organisations template may use these; the defaults keep strict templates happy."""
    return {
        "country_name": countries.country_name,
        "types": list(OrganisationType),
        "ecosoc_statuses": list(EcosocStatus),
        "errors": {},
        "values": {},
        "failed_id": None,
        "decided": False,
        **ctx,
    }
