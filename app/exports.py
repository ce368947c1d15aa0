"""Streamed exports (CSV and XLSX) with flat memory: queues, the audit log, questionnaire answers,
the follow-up dashboard's tables.

Rows come from the database as they are written out: callers pass an iterator over a query run
with `session.execute(stmt.execution_options(yield_per=1000))` (a server-side cursor on
PostgreSQL, batched fetches on SQLite), never a list. The export usually outlives the request's
session (a StreamingResponse is sent after the session dependency has committed and closed), so
`stream_rows` opens its own read-only session from the application's session factory, after the
route has checked permissions.

CSV: UTF-8 with a byte-order mark, so that Excel (which otherwise assumes the local ANSI code
page) shows names in any script correctly; LibreOffice, pandas (`encoding="utf-8-sig"`) and
Python's csv module read it as usual. RFC 4180 quoting and CRLF line ends. Text cells that a
spreadsheet would run as a formula (starting with = + - @, tab or carriage return) are prefixed
with an apostrophe (OWASP "CSV injection"); numbers are written as numbers.

XLSX: xlsxwriter in constant_memory mode (one row in memory, the sheet written to a temporary
file); an XLSX file is a zip whose directory is written last, so the workbook is finished in a
temporary directory and then streamed out in chunks. Cells are typed: text is always a string
cell, never a formula (strings_to_formulas is off), so no prefix is needed; datetimes become
Excel datetimes in UTC.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import xlsxwriter  # type: ignore[import-untyped]
from fastapi.responses import StreamingResponse
from sqlalchemy import Executable
from sqlalchemy.orm import Session

YIELD_PER = 1000
CHUNK_BYTES = 64 * 1024
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_576  # Excel's limit, header included
XLSX_MAX_CHARS = 32_767  # Excel's limit per cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Row = Sequence[object]


def csv_cell(value: object) -> object:
    """A value as a CSV cell: text that could run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(header: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """The CSV text in chunks of about CHUNK_BYTES, starting with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _write_cell(sheet: Any, row: int, col: int, value: object, formats: dict[str, Any]) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        sheet.write_datetime(row, col, naive, formats["datetime"])
    elif isinstance(value, date):
        sheet.write_datetime(
            row, col, datetime(value.year, value.month, value.day), formats["date"]
        )
    else:
        text = _XML_ILLEGAL.sub("\ufffd", str(value))[:XLSX_MAX_CHARS]
        sheet.write_string(row, col, text)


def xlsx_stream(
    header: Sequence[str], rows: Iterable[Row], *, sheet_name: str = "Export"
) -> Iterator[bytes]:
    """The XLSX file in chunks; rows past Excel's limit are left out (the CSV has them all)."""
    with tempfile.TemporaryDirectory(prefix="plenary-xlsx-") as tmp:
        path = Path(tmp) / "export.xlsx"
        workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": tmp,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        formats = {
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        }
        bold = workbook.add_format({"bold": True})
        sheet = workbook.add_worksheet(sheet_name[:31])
        for col, title in enumerate(header):
            sheet.write_string(0, col, title, bold)
        sheet.freeze_panes(1, 0)
        for index, row in enumerate(rows, start=1):
            if index >= XLSX_MAX_ROWS:
                break
            for col, value in enumerate(row):
                _write_cell(sheet, index, col, value, formats)
        workbook.close()
        with path.open("rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk


def stream_rows(
    session_factory: Callable[[], Session],
    stmt: Executable,
    to_row: Callable[[Any], Row] = tuple,
) -> Iterator[Row]:
    """Rows of `stmt`, fetched YIELD_PER at a time in a session of their own (closed at the end,
    also when the client goes away mid-download)."""
    with session_factory() as session:
        result = session.execute(stmt.execution_options(yield_per=YIELD_PER))
        for row in result:
            yield to_row(row)


def _ascii_name(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")
    return ascii_name or "export"


def attachment(
    chunks: Iterator[str] | Iterator[bytes], filename: str, media_type: str
) -> StreamingResponse:
    """A download: `Content-Disposition: attachment` with a safe name (and the UTF-8 one)."""
    disposition = f'attachment; filename="{_ascii_name(filename)}"'
    if _ascii_name(filename) != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Row]) -> StreamingResponse:
    return attachment(csv_rows(header, rows), filename, CSV_MEDIA_TYPE)


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Row]) -> StreamingResponse:
    return attachment(xlsx_stream(header, rows), filename, XLSX_MEDIA_TYPE)
