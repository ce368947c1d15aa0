"""Domain errors carry their HTTP status; one set of handlers renders them for API, htmx, pages."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import N_, gettext

log = logging.getLogger(__name__)


class AppError(Exception):
    """The message is interface text: pass it wrapped in _() or marked with N_() (it is translated
    here, in the language of the request that raised it)."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        message = gettext(message)
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"

    def __init__(self, message: str = N_("Please sign in to continue.")) -> None:
        super().__init__(message)


class Forbidden(AppError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str = N_("You do not have permission to do this.")) -> None:
        super().__init__(message)


class NotFound(AppError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = N_("This page or object does not exist.")) -> None:
        super().__init__(message)


class Conflict(AppError):
    status = 409
    code = "conflict"


class FormError(AppError):
    """Invalid input, with messages per field; forms re-render with them, the API answers 422."""

    status = 422
    code = "invalid"

    def __init__(
        self, fields: dict[str, str], message: str = N_("Please correct the marked fields.")
    ):
        super().__init__(message)
        self.fields = {name: gettext(text) for name, text in fields.items()}


# Pydantic's own messages, by error type, in the interface language; {name} comes from the ctx.
_PYDANTIC_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Use at least %(min_length)s characters."),
    "string_too_long": N_("Use at most %(max_length)s characters."),
    "too_short": N_("Choose at least %(min_length)s."),
    "too_long": N_("Choose at most %(max_length)s."),
    "greater_than": N_("Enter a number greater than %(gt)s."),
    "greater_than_equal": N_("Enter a number of at least %(ge)s."),
    "less_than": N_("Enter a number less than %(lt)s."),
    "less_than_equal": N_("Enter a number of at most %(le)s."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "bool_parsing": N_("Choose yes or no."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "date_parsing": N_("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": N_("Enter a date (YYYY-MM-DD)."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "string_type": N_("Enter text."),
    "list_type": N_("Choose from the list."),
    "json_invalid": N_("The request body is not valid JSON."),
    "url_parsing": N_("Enter a web address starting with http:// or https://."),
    "string_pattern_mismatch": N_("This value does not have the expected form."),
    "extra_forbidden": N_("This field is not accepted here."),
}


def readable_message(error: Any) -> str:
    """One pydantic error as a sentence in the interface language."""
    template = _PYDANTIC_MESSAGES.get(error["type"])
    if template is not None:
        context = error.get("ctx") or {}
        try:
            return gettext(template) % {key: str(value) for key, value in context.items()}
        except (KeyError, TypeError, ValueError):
            pass
    return gettext(str(error["msg"]).removeprefix("Value error, "))


def field_errors(exc: ValidationError | RequestValidationError) -> dict[str, str]:
    """Pydantic errors as {field: readable message}, the first message per field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if part not in ("body", "query", "path")]
        key = ".".join(loc) or "__all__"
        errors.setdefault(key, readable_message(error))
    return errors


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


def _render_error(request: Request, status: int, code: str, message: str) -> Response:
    from app.templating import render  # templating imports config only; late to avoid a cycle

    if is_api(request):
        return JSONResponse(error_body(code, message), status_code=status)
    if status == 401 and request.method in ("GET", "HEAD"):
        target = f"/auth/signin?next={request.url.path}"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    if is_htmx(request):
        response = render(request, "_toast.html", {"message": message, "level": "error"})
        response.status_code = status
        response.headers["HX-Retarget"] = "#toasts"
        response.headers["HX-Reswap"] = "beforeend"
        return response
    response = render(request, "error.html", {"status": status, "message": message})
    response.status_code = status
    return response


_HTTP_MESSAGES = {
    404: N_("This page or object does not exist."),
    405: N_("This action is not available here."),
    413: N_("The upload is too large."),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if isinstance(exc, FormError) and is_api(request):
            return JSONResponse(error_body(exc.code, exc.message, exc.fields), status_code=422)
        return _render_error(request, exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = field_errors(exc)
        message = "; ".join(f"{k}: {v}" for k, v in fields.items())
        if is_api(request):
            return JSONResponse(error_body("invalid", message, fields), status_code=422)
        text = gettext("The request was not valid (%(problems)s).") % {"problems": message}
        return _render_error(request, 422, "invalid", text)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        known = _HTTP_MESSAGES.get(exc.status_code)
        message = gettext(known) if known else str(exc.detail)
        response = _render_error(request, exc.status_code, f"http_{exc.status_code}", message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        message = gettext("Something went wrong on our side.")
        return _render_error(request, 500, "internal", message)
