"""The request side of an upload, shared by the pages and the API: open the streamed form,
check everything that needs no file, release the database transaction, receive the file, and
write the rows. Called from synchronous routes (a worker thread), never on the event loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import Settings
from app.consultations.models import Meeting
from app.db import utcnow
from app.errors import FormError, field_errors
from app.i18n import N_
from app.storage import get_storage
from app.submissions import revise, service, submit, uploads
from app.submissions.models import Paper
from app.submissions.policies import PaperAccess
from app.submissions.schemas import PaperCreate, RevisionInput
from app.uploads.streamed_form import StreamedForm

SchemaT = TypeVar("SchemaT", bound=BaseModel)
LIST_FIELDS = ("agenda_item_ids", "cosigner_ids")
_FRIENDLY = {
    "missing": N_("This field is required."),
    "enum": N_("Choose one of the options."),
    "int_parsing": N_("Choose one of the options."),
    "list_type": N_("Choose one of the options."),
    "too_short": N_("Choose at least one."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "datetime_type": N_("Enter a date and time."),
}


class FormFile:
    """The file part of a streamed form, as uploads.receive() reads it."""

    def __init__(self, form: StreamedForm) -> None:
        self.form = form

    @property
    def filename(self) -> str | None:
        return self.form.file.filename if self.form.file is not None else None

    def chunks(self) -> Iterable[bytes]:
        return self.form.file_chunks()

    def finish(self) -> None:
        self.form.finish()


def parse(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields = field_errors(exc)
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "__all__"
            if error["type"] in _FRIENDLY:
                fields[key] = _FRIENDLY[error["type"]]
        raise FormError({key.split(".")[0]: message for key, message in fields.items()}) from exc


def paper_input(fields: dict[str, list[str]], request: Request | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {name: values[0] for name, values in fields.items() if values}
    for name in LIST_FIELDS:
        data[name] = fields.get(name, [])
    if request is not None and not data.get("idempotency_key"):
        header = request.headers.get("Idempotency-Key")
        if header:
            data["idempotency_key"] = header
    return data


def receive_submission(
    session: Session,
    settings: Settings,
    user: User,
    meeting: Meeting,
    form: StreamedForm,
    data: PaperCreate,
) -> tuple[Paper, bool]:
    """(paper, created): created False for a repeated request, whose file is not kept."""
    earlier = submit.check_submission(session, user, meeting, data, utcnow())
    if isinstance(earlier, Paper):
        return earlier, False
    session.commit()  # no transaction stays open while the file streams in
    storage = get_storage(settings)
    max_bytes = uploads.max_bytes_for(meeting.max_file_mb)
    received = uploads.receive(storage, settings, FormFile(form), max_bytes=max_bytes)
    return submit.submit_paper(session, settings, storage, user, meeting, data, received)


def receive_version(
    session: Session,
    settings: Settings,
    user: User,
    access: PaperAccess,
    paper: Paper,
    form: StreamedForm,
) -> Paper:
    data = parse(RevisionInput, {k: v[0] for k, v in form.fields.items() if v})
    revise.check_revision(session, access, paper, data.lock_version, utcnow())
    session.commit()  # as above
    storage = get_storage(settings)
    max_bytes = uploads.max_bytes_for(paper.meeting.max_file_mb)
    received = uploads.receive(storage, settings, FormFile(form), max_bytes=max_bytes)
    try:
        paper = service.get_paper(session, paper.id, fresh=True)
        access = service.access_of(session, user, paper)
    except BaseException:
        storage.delete(received.key)
        raise
    return revise.add_version(
        session, settings, storage, user, access, paper, received, data.lock_version
    )
