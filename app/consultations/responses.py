"""The two answers every form route gives: go on after success, or show the form again."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.errors import FormError
from app.templating import render


def redirect(url: str, htmx: bool) -> Response:
    """After a successful form: a full navigation, for htmx too (HX-Redirect)."""
    if htmx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def form_error(
    request: Request, template: str, context: dict[str, Any], exc: FormError, htmx: bool
) -> Response:
    """Re-render the form with its field messages (422): the form block for htmx, else the page."""
    context = {**context, "errors": exc.fields}
    return render(request, template, context, block="form" if htmx else None, status_code=422)
