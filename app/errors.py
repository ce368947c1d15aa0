"""Domain errors carry their HTTP status; one set of handlers renders them for API, htmx, pages."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"

    def __init__(self, message: str = "Please sign in to continue.") -> None:
        super().__init__(message)


class Forbidden(AppError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str = "You do not have permission to do this.") -> None:
        super().__init__(message)


class NotFound(AppError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = "This page or object does not exist.") -> None:
        super().__init__(message)


class Conflict(AppError):
    status = 409
    code = "conflict"


class FormError(AppError):
    """Invalid input, with messages per field; forms re-render with them, the API answers 422."""

    status = 422
    code = "invalid"

    def __init__(self, fields: dict[str, str], message: str = "Please correct the marked fields."):
        super().__init__(message)
        self.fields = fields


def field_errors(exc: ValidationError | RequestValidationError) -> dict[str, str]:
    """Pydantic errors as {field: readable message}, the first message per field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if part not in ("body", "query", "path")]
        key = ".".join(loc) or "__all__"
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.setdefault(key, message)
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
    404: "This page or object does not exist.",
    405: "This action is not available here.",
    413: "The upload is too large.",
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
        return _render_error(request, 422, "invalid", f"The request was not valid ({message}).")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
        response = _render_error(request, exc.status_code, f"http_{exc.status_code}", message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _render_error(request, 500, "internal", "Something went wrong on our side.")
