"""Streamed CSV and XLSX exports: correct content, neutralised formulas, flat memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

import openpyxl  # type: ignore[import-untyped]
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app import exports
from app.accounts.models import User
from tests.factories import make_user

ROWS = 50_000
HEADER = ["id", "title", "organisation", "received", "pages"]
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def generated_rows(n: int = ROWS) -> Iterator[tuple[object, ...]]:
    """Rows made on demand, as a database cursor would hand them out."""
    for i in range(n):
        yield (
            i,
            f"Paper {i}: migration, remittances and decent work — Ελληνικά, 日本語",
            f"Organisation {i % 700}",
            START + timedelta(minutes=i),
            i % 40,
        )


def peak_bytes(consume: Callable[[], int]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        size = consume()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, peak


def drain(chunks: Iterable[str] | Iterable[bytes]) -> int:
    size = 0
    for chunk in chunks:
        size += len(chunk)
    return size


def test_csv_of_50000_rows_streams_with_flat_memory() -> None:
    size, peak = peak_bytes(lambda: drain(exports.csv_rows(HEADER, generated_rows())))
    assert size > 5_000_000
    assert peak < 3 * 1024 * 1024, f"CSV export peaked at {peak / 1e6:.1f} MB"


def test_csv_content_has_bom_header_and_every_row() -> None:
    text = "".join(exports.csv_rows(HEADER, generated_rows(1200)))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == HEADER
    assert len(rows) == 1201
    assert rows[1] == [
        "0",
        "Paper 0: migration, remittances and decent work — Ελληνικά, 日本語",
        "Organisation 0",
        "2026-12-01T09:00:00+00:00",
        "0",
    ]


def test_csv_neutralises_formula_injection() -> None:
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "fine"]
    text = "".join(exports.csv_rows(["value"], [[value] for value in hostile] + [[-5], [None]]))
    values = [row[0] for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))]
    assert values[1:] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "fine",
        "-5",  # a number is not a formula
        "",
    ]


def test_xlsx_of_50000_rows_streams_with_flat_memory_and_opens() -> None:
    buffer = io.BytesIO()

    def consume() -> int:
        for chunk in exports.xlsx_stream(HEADER, generated_rows()):
            assert len(chunk) <= exports.CHUNK_BYTES
            buffer.write(chunk)
        return buffer.tell()

    tracemalloc.start()
    try:
        size = consume()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    peak -= size  # the test keeps the file to open it; the export itself does not
    assert peak < 30 * 1024 * 1024, f"XLSX export peaked at {peak / 1e6:.1f} MB"

    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer, read_only=True)
    sheet = workbook.active
    rows = sheet.iter_rows(values_only=True)
    assert next(rows) == tuple(HEADER)
    first = next(rows)
    assert first[0] == 0
    assert first[1].startswith("Paper 0:")
    assert first[3] == datetime(2026, 12, 1, 9, 0)  # Excel has no time zones: UTC
    count = 2 + sum(1 for _ in rows)
    assert count == ROWS + 1
    workbook.close()


def test_xlsx_writes_text_as_text_never_as_a_formula() -> None:
    hostile = ["=1+1", "+1", "@SUM(A1)", "-2", "bad\x00char", "x" * 40_000]
    data = b"".join(exports.xlsx_stream(["value"], [[v] for v in hostile] + [[True], [None]]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=i, column=1) for i in range(2, len(hostile) + 4)]
    assert [c.data_type for c in cells[:6]] == ["s"] * 6
    assert [c.value for c in cells[:5]] == ["=1+1", "+1", "@SUM(A1)", "-2", "bad\ufffdchar"]
    assert len(cells[5].value) == exports.XLSX_MAX_CHARS
    assert cells[6].value is True
    assert cells[7].value is None


def test_attachment_headers_name_the_file_safely() -> None:
    response = exports.csv_response("queue «Bishkek» 2026.csv", ["a"], [])
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="queue-Bishkek-2026.csv"')
    assert "filename*=UTF-8''queue%20%C2%ABBishkek%C2%BB%202026.csv" in disposition
    assert response.headers["cache-control"] == "no-store"
    assert response.media_type == exports.CSV_MEDIA_TYPE
    plain = exports.xlsx_response("audit.xlsx", ["a"], [])
    assert plain.headers["content-disposition"] == 'attachment; filename="audit.xlsx"'


def test_stream_rows_reads_in_its_own_session(db: Session, connection: Connection) -> None:
    users = [make_user(db, name=f"Streamed {i}") for i in range(5)]
    ids = [u.id for u in users]

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    stmt = select(User.id, User.name).where(User.id.in_(ids)).order_by(User.id)
    rows = list(exports.stream_rows(factory, stmt, lambda r: (r.id, r.name.upper())))
    assert rows == [(u.id, u.name.upper()) for u in users]


def test_csv_rows_are_lazy() -> None:
    """Nothing is read from the rows before the response body is iterated."""
    produced: list[int] = []

    def rows() -> Iterator[tuple[int]]:
        for i in range(3):
            produced.append(i)
            yield (i,)

    chunks = exports.csv_rows(["n"], rows())
    assert produced == []
    assert "".join(chunks).splitlines()[1:] == ["0", "1", "2"]
    assert produced == [0, 1, 2]
