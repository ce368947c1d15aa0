"""A multipart/form-data upload read as it arrives: the text fields first, then the one file
piece by piece, so that a large file is never held in memory nor spooled to disk before the
route has decided whether it wants it (Starlette's `request.form()` does both, without a cap).

The form's text fields must come before its file (browsers send fields in page order, and
curl, requests and httpx send files last); fields after the file are refused, so everything
that decides whether the upload is wanted — CSRF token, idempotency key, metadata — is known
before the first byte of the file is stored.

Used from a synchronous route, which runs in a worker thread: each piece of the request body
is fetched from the event loop with `anyio.from_thread`, so nothing here blocks the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import anyio.from_thread
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from app.errors import AppError
from app.i18n import gettext
from app.security import CSRF_FIELD, CSRF_HEADER, check_csrf_token
from app.storage import FileTooLarge

MAX_FIELDS = 64
MAX_FIELD_BYTES = 128 * 1024
MAX_FIELDS_BYTES = 512 * 1024
FORM_OVERHEAD = MAX_FIELDS_BYTES + 64 * 1024
"""What a form may add to its file's size (fields, part headers, boundaries)."""


class BadUpload(AppError):
    status = 400
    code = "bad_upload"


@dataclass(frozen=True, slots=True)
class FilePart:
    field: str
    filename: str
    content_type: str


def request_body(request: Request) -> Iterator[bytes]:
    """The request body in the pieces the server received, fetched from the event loop."""
    stream = request.stream()

    async def next_piece() -> bytes | None:
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None

    try:
        while True:
            try:
                piece = anyio.from_thread.run(next_piece)
            except ClientDisconnect:
                raise BadUpload(
                    gettext("The upload was interrupted before it was complete.")
                ) from None
            if piece is None:
                return
            if piece:
                yield piece
    finally:
        anyio.from_thread.run(stream.aclose)


def content_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


class StreamedForm:
    """Parse `body` as multipart/form-data: `read_fields()`, then `file_chunks()`, `finish()`."""

    def __init__(
        self, content_type: str, body: Iterator[bytes], *, file_field: str = "file"
    ) -> None:
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise BadUpload(gettext("Send the form as multipart/form-data."), status=415)
        self.file_field = file_field
        self.fields: dict[str, list[str]] = {}
        self.file: FilePart | None = None
        self._body = body
        self._chunks: list[bytes] = []
        self._field_count = 0
        self._field_bytes = 0
        self._trailing: list[str] = []
        self._ended = self._file_done = False
        self._part: str | None = None  # "field" or "file" while inside a part
        self._name = ""
        self._value = bytearray()
        self._headers: list[tuple[bytes, bytes]] = []
        self._header_field = bytearray()
        self._header_value = bytearray()
        callbacks: dict[str, Callable[..., None]] = {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        }
        self._parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]

    # --- what the route calls ---------------------------------------------------------------

    def read_fields(self) -> dict[str, list[str]]:
        """Read the text fields, up to the start of the file (or the end of the form)."""
        while self.file is None and not self._ended:
            self._feed()
        return self.fields

    def field(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def file_chunks(self) -> Iterator[bytes]:
        """The file's bytes as they arrive; empty if the form had no file."""
        while True:
            if self._chunks:
                data = b"".join(self._chunks)
                self._chunks.clear()
                yield data
            elif self._file_done or self.file is None:
                return
            else:
                self._feed()

    def finish(self) -> None:
        """Read the rest of the form; BadUpload if anything but the file came after it."""
        for _ in self.file_chunks():
            pass
        while not self._ended:
            self._feed()
        if self._trailing:
            raise BadUpload(
                gettext(
                    "Send the file as the last part of the form (these fields came after it: "
                    "%(fields)s)."
                )
                % {"fields": ", ".join(sorted(set(self._trailing))[:5])},
                status=422,
            )

    def discard(self, max_bytes: int) -> None:
        """Read and drop what is left of the body (up to `max_bytes`), so that the client, still
        sending, gets to read the answer; browsers report a reset connection otherwise."""
        seen = 0
        try:
            for piece in self._body:
                seen += len(piece)
                if seen > max_bytes:
                    return
        except BadUpload:
            return

    # --- parsing ------------------------------------------------------------------------------

    def _feed(self) -> None:
        piece = next(self._body, None)
        try:
            if piece is None:
                self._parser.finalize()
                if not self._ended:
                    raise BadUpload(gettext("The upload is incomplete: the form ended too early."))
                return
            self._parser.write(piece)
        except MultipartParseError as exc:
            raise BadUpload(gettext("The upload could not be read as a form.")) from exc

    def _on_part_begin(self) -> None:
        self._headers = []
        self._header_field.clear()
        self._header_value.clear()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers.append((bytes(self._header_field).lower(), bytes(self._header_value)))
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        headers = dict(self._headers)
        disposition, options = parse_options_header(
            headers.get(b"content-disposition", b"").decode("latin-1")
        )
        if disposition != b"form-data" or b"name" not in options:
            raise BadUpload(gettext("The upload could not be read as a form (a part has no name)."))
        name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            if name != self.file_field or self.file is not None:
                raise BadUpload(
                    gettext("Send one file, in the field '%(field)s'.")
                    % {"field": self.file_field},
                    status=422,
                )
            self.file = FilePart(
                field=name,
                filename=options[b"filename"].decode("utf-8", "replace"),
                content_type=headers.get(b"content-type", b"").decode("latin-1"),
            )
            self._part = "file"
            return
        self._field_count += 1
        if self._field_count > MAX_FIELDS:
            raise BadUpload(
                gettext("The form has more than %(maximum)s fields.") % {"maximum": MAX_FIELDS},
                status=422,
            )
        if self.file is not None:
            self._trailing.append(name)
        self._part, self._name = "field", name
        self._value.clear()

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part == "file":
            self._chunks.append(data[start:end])
            return
        self._value += data[start:end]
        self._field_bytes += end - start
        if len(self._value) > MAX_FIELD_BYTES:
            raise BadUpload(
                gettext("The field '%(field)s' is longer than %(size)s KB.")
                % {"field": self._name, "size": MAX_FIELD_BYTES // 1024},
                status=413,
            )
        if self._field_bytes > MAX_FIELDS_BYTES:
            raise BadUpload(
                gettext("The form's text is longer than %(size)s KB.")
                % {"size": MAX_FIELDS_BYTES // 1024},
                status=413,
            )

    def _on_part_end(self) -> None:
        if self._part == "file":
            self._file_done = True
        elif self._part == "field":
            try:
                value = self._value.decode("utf-8")
            except UnicodeDecodeError:
                raise BadUpload(
                    gettext("The field '%(field)s' is not UTF-8 text.") % {"field": self._name},
                    status=422,
                ) from None
            self.fields.setdefault(self._name, []).append(value)
        self._part = None

    def _on_end(self) -> None:
        self._ended = True


@contextmanager
def streamed_form(request: Request, max_file_bytes: int) -> Iterator[StreamedForm]:
    """The request's form, its text fields read. Whatever happens inside, the rest of the body
    is read and dropped afterwards so the client, still sending, receives the answer."""
    length = content_length(request)
    if length is not None and length > max_file_bytes + FORM_OVERHEAD:
        raise FileTooLarge(max_file_bytes)
    form = StreamedForm(request.headers.get("content-type", ""), request_body(request))
    try:
        form.read_fields()
        yield form
    finally:
        form.discard(max_file_bytes + FORM_OVERHEAD)


def check_form_csrf(request: Request, form: StreamedForm) -> None:
    """For pages: the token comes in the header (htmx) or as a field before the file."""
    if request.headers.get(CSRF_HEADER) is None:
        check_csrf_token(request, form.field(CSRF_FIELD))
