"""A follow-up report as it arrives, for the pages and the API alike: JSON, a plain form, or a
multipart form whose text fields come first and whose evidence file streams into storage
(size-capped, judged by its bytes) after the request's transaction has been released.

Borrowed from submissions: the streamed multipart reader and its CSRF check, so both upload
paths share one audited implementation of the hard part.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.accounts.models import User
from app.config import Settings
from app.errors import AppError, FormError, field_errors
from app.i18n import N_
from app.i18n import gettext as _
from app.impact import evidence, imports, reports
from app.impact.deps import Filing
from app.impact.models import FollowUpReport, Recommendation, ReportKind
from app.impact.schemas import ReportCreate
from app.security import CSRF_FIELD, CSRF_HEADER, check_csrf_token
from app.storage import Storage, get_storage
from app.uploads.streamed_form import (
    StreamedForm,
    check_form_csrf,
    content_length,
    streamed_form,
)

SCALAR_FIELDS = ("status", "narrative", "reported_on", "base_version")
_FRIENDLY = {
    "enum": N_("Choose one of the options."),
    "missing": N_("This field is required."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "date_parsing": N_("Enter a date."),
    "url_parsing": N_("Enter a full web address (https://…)."),
    "url_scheme": N_("Enter a full web address (https://…)."),
}


def parse_report(values: dict[str, Any]) -> ReportCreate:
    try:
        return ReportCreate.model_validate(values)
    except ValidationError as exc:
        fields = field_errors(exc)
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "__all__"
            if error["type"] in _FRIENDLY:
                fields[key] = _(_FRIENDLY[error["type"]])
        raise FormError({key.split(".")[0]: message for key, message in fields.items()}) from exc


def form_values(fields: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {name: fields[name][0] for name in SCALAR_FIELDS if fields.get(name)}
    values["links"] = [link for link in fields.get("links", []) if link.strip()]
    values["link_titles"] = fields.get("link_titles", [])[: len(values["links"])]
    return values


def _who_and_what(
    filing: Filing,
) -> tuple[User, Recommendation, str, ReportKind, int | None]:
    """user, recommendation, country, kind, organisation id: as reports' functions take them."""
    organisation_id = filing.organisation.id if filing.organisation else None
    return (filing.user, filing.recommendation, filing.country, filing.kind, organisation_id)


def _file(
    session: Session,
    filing: Filing,
    data: ReportCreate,
    received: list[reports.ReceivedEvidence] | None = None,
) -> FollowUpReport:
    return reports.file_report(session, *_who_and_what(filing), data, received)


def file_from_fields(
    session: Session, filing: Filing, fields: dict[str, list[str]]
) -> FollowUpReport:
    return _file(session, filing, parse_report(form_values(fields)))


def file_from_json(session: Session, filing: Filing, data: ReportCreate) -> FollowUpReport:
    return _file(session, filing, data)


def file_from_multipart(
    request: Request, session: Session, settings: Settings, filing: Filing, *, page: bool
) -> FollowUpReport:
    """Stream the form; `page`: check the CSRF field (the API authenticates by token)."""
    storage = get_storage(settings)
    with streamed_form(request, evidence.MAX_EVIDENCE_BYTES) as form:
        if page:
            check_form_csrf(request, form)
        try:
            return _receive(session, storage, filing, form, settings.clamd_url)
        except AppError as exc:
            exc.submitted = form.fields  # type: ignore[attr-defined]  # shown again on the page
            raise


def _receive(
    session: Session, storage: Storage, filing: Filing, form: StreamedForm, clamd_url: str | None
) -> FollowUpReport:
    data = parse_report(form_values(form.fields))
    received: list[reports.ReceivedEvidence] = []
    if form.file is not None and form.file.filename:
        # Check everything that needs no file first, then release the transaction.
        reports.check_filing(session, *_who_and_what(filing))
        session.commit()
        title = form.field("file_title") or ""
        received.append(
            evidence.receive(
                storage, form.file.filename, form.file_chunks(), title, clamd_url=clamd_url
            )
        )
    try:
        form.finish()
        return _file(session, filing, data, received)
    except BaseException:
        for item in received:
            storage.delete(item.key)
        raise


async def read_table_upload(request: Request, page: bool = True) -> tuple[bytes, str]:
    """A small uploaded table (field `file`) and its name: refused before parsing when too
    large. `page`: check the form's CSRF field (the API authenticates otherwise)."""
    length = content_length(request)
    if length is not None and length > imports.MAX_IMPORT_BYTES + 64 * 1024:
        raise imports.UnreadableImport(_("An import file may be at most 2 MB."), status=413)
    form = await request.form(max_files=1, max_fields=10)
    if page and request.headers.get(CSRF_HEADER) is None:
        sent = form.get(CSRF_FIELD)
        check_csrf_token(request, sent if isinstance(sent, str) else None)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise FormError({"file": _("Choose a CSV or XLSX file.")})
    return await upload.read(imports.MAX_IMPORT_BYTES + 1), upload.filename or ""
