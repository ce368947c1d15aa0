"""The streamed multipart reader on its own: any chunking, limits on fields, order rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.uploads.streamed_form import (
    MAX_FIELD_BYTES,
    MAX_FIELDS,
    BadUpload,
    StreamedForm,
)
from tests.submissions.conftest import multipart


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _form(parts: list[tuple[str, object]], size: int = 65536) -> StreamedForm:
    body, boundary = multipart(parts)
    return StreamedForm(f"multipart/form-data; boundary={boundary}", _pieces(body, size))


FILE = bytes(range(256)) * 300 + b"\r\n--not-a-boundary\r\n" + b"tail"


@pytest.mark.parametrize("size", [1, 7, 1000, 65536])
def test_fields_then_the_file_in_any_chunking(size: int) -> None:
    form = _form(
        [
            ("csrf_token", "t0ken"),
            ("agenda_item_ids", "1"),
            ("agenda_item_ids", "2"),
            ("title", "Ünïcödé — title"),
            ("file", ("paper.pdf", FILE, "application/pdf")),
        ],
        size,
    )
    fields = form.read_fields()
    assert fields == {
        "csrf_token": ["t0ken"],
        "agenda_item_ids": ["1", "2"],
        "title": ["Ünïcödé — title"],
    }
    assert form.file is not None and form.file.filename == "paper.pdf"
    assert b"".join(form.file_chunks()) == FILE
    form.finish()


def test_the_file_is_read_only_when_asked() -> None:
    body, boundary = multipart([("title", "x"), ("file", ("a.pdf", FILE, "application/pdf"))])
    consumed: list[int] = []

    def source() -> Iterator[bytes]:
        for piece in _pieces(body, 1024):
            consumed.append(len(piece))
            yield piece

    form = StreamedForm(f"multipart/form-data; boundary={boundary}", source())
    form.read_fields()
    assert sum(consumed) < 2 * 1024  # the fields and the file's first piece, no more
    assert b"".join(form.file_chunks()) == FILE


def test_a_form_without_a_file() -> None:
    form = _form([("title", "x")])
    assert form.read_fields() == {"title": ["x"]}
    assert form.file is None
    assert list(form.file_chunks()) == []
    form.finish()


def test_fields_after_the_file_are_refused() -> None:
    form = _form([("file", ("a.pdf", b"%PDF", "application/pdf")), ("title", "late")])
    form.read_fields()
    assert b"".join(form.file_chunks()) == b"%PDF"
    with pytest.raises(BadUpload, match="last part of the form"):
        form.finish()


def test_two_files_are_refused() -> None:
    form = _form([("file", ("a.pdf", b"1", "x")), ("file", ("b.pdf", b"2", "x"))], size=1)
    form.read_fields()
    with pytest.raises(BadUpload, match="Send one file"):
        form.finish()


def test_a_file_in_another_field_is_refused() -> None:
    with pytest.raises(BadUpload, match="in the field 'file'"):
        _form([("attachment", ("a.pdf", b"1", "x"))]).read_fields()


def test_limits_on_text_fields() -> None:
    with pytest.raises(BadUpload, match="longer than 128 KB") as caught:
        _form([("summary", "x" * (MAX_FIELD_BYTES + 1))]).read_fields()
    assert caught.value.status == 413
    with pytest.raises(BadUpload, match="more than 64 fields"):
        _form([(f"f{i}", "x") for i in range(MAX_FIELDS + 1)]).read_fields()
    with pytest.raises(BadUpload, match="longer than 512 KB"):
        _form([(f"f{i}", "x" * 100_000) for i in range(6)]).read_fields()


def test_text_must_be_utf8() -> None:
    body, boundary = multipart([("title", "x")])
    body = body.replace(b"\r\n\r\nx\r\n", b"\r\n\r\n\xff\xfe\r\n")
    form = StreamedForm(f"multipart/form-data; boundary={boundary}", iter([body]))
    with pytest.raises(BadUpload, match="not UTF-8"):
        form.read_fields()


def test_a_body_cut_short_or_malformed() -> None:
    body, boundary = multipart([("title", "x"), ("file", ("a.pdf", FILE, "x"))])
    form = StreamedForm(f"multipart/form-data; boundary={boundary}", iter([body[:-200]]))
    form.read_fields()
    with pytest.raises(BadUpload, match="incomplete"):
        b"".join(form.file_chunks())
    garbage = StreamedForm("multipart/form-data; boundary=abc", iter([b"not multipart at all"]))
    with pytest.raises(BadUpload):
        garbage.read_fields()


@pytest.mark.parametrize(
    "content_type", ["application/json", "multipart/form-data", "text/plain; boundary=x", ""]
)
def test_only_multipart_with_a_boundary(content_type: str) -> None:
    with pytest.raises(BadUpload) as caught:
        StreamedForm(content_type, iter([]))
    assert caught.value.status == 415


def test_discard_reads_what_is_left_within_a_bound() -> None:
    consumed: list[int] = []

    def source() -> Iterator[bytes]:
        for _ in range(100):
            consumed.append(1)
            yield b"x" * 1000

    form = StreamedForm("multipart/form-data; boundary=b", source())
    form.discard(max_bytes=10_000)
    assert len(consumed) == 11  # stopped once past the bound
