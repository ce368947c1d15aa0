"""Recommendations from a CSV or XLSX file: upload, preview with row-level errors, confirm.

The parsed rows wait in `recommendation_imports` under a random token, bound to the organiser
and the meeting, for an hour. Confirming checks every row again (the meeting may have changed
meanwhile) and saves all rows in the request's one transaction, or none: nothing is saved
while any row has an error.

Columns (header row, any order, case-insensitive): number, text, agenda_item (its number),
adopted_on (YYYY-MM-DD, or a date cell), countries (ISO codes separated by spaces or commas),
regions (UN M49 codes). Leave countries and regions empty for "all participating States".
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app import audit, jobs
from app.accounts.models import User
from app.consultations.models import Meeting
from app.errors import AppError, FormError, NotFound
from app.i18n import gettext as _
from app.impact import addressees, participation, repository, service
from app.impact.models import MeetingParticipant, Recommendation, RecommendationImport
from app.impact.schemas import ParticipantCreate, RecommendationCreate

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
IMPORT_LIFETIME = timedelta(hours=1)
COLUMNS = ("number", "text", "agenda_item", "adopted_on", "countries", "regions")
_ALIASES = {
    "no": "number",
    "no.": "number",
    "recommendation": "text",
    "agenda item": "agenda_item",
    "agenda": "agenda_item",
    "adoption date": "adopted_on",
    "adopted": "adopted_on",
    "date": "adopted_on",
    "country": "countries",
    "region": "regions",
}


class UnreadableImport(AppError):
    status = 422
    code = "unreadable_import"


# --- reading the file ----------------------------------------------------------------------------


def _column(header: Any) -> str:
    name = str(header or "").strip().lower().replace("-", "_")
    return _ALIASES.get(name, name.replace(" ", "_"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for each non-empty row after the header."""
    if not data.strip():
        raise UnreadableImport(_("The file is empty."))
    table = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    if not table:
        raise UnreadableImport(_("The file has no header row."))
    header = [_column(h) for h in table[0]]
    if "number" not in header or "text" not in header:
        raise UnreadableImport(
            _("The header row must name at least the columns 'number' and 'text'.")
        )
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        values = {name: _cell(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}
        if any(values.values()):
            rows.append((line, {k: v for k, v in values.items() if k in COLUMNS}))
    if len(rows) > MAX_ROWS:
        raise UnreadableImport(_("A file may hold at most %(n)s rows.") % {"n": MAX_ROWS})
    return rows


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableImport(_("Save the CSV file as UTF-8 and upload it again.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise UnreadableImport(_("The CSV file could not be read: %(e)s") % {"e": exc}) from exc


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableImport(_("The file is neither a CSV file nor an XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        workbook.close()


# --- checking the rows ---------------------------------------------------------------------------


def check_rows(
    session: Session, meeting: Meeting, rows: list[tuple[int, dict[str, str]]]
) -> list[dict[str, Any]]:
    """Each row with its parsed values and its errors (an empty list when it can be saved)."""
    existing = repository.numbers_in_meeting(session, meeting.id)
    items = {item.number: item.id for item in repository.agenda_items(session, meeting.id)}
    first_line: dict[str, int] = {}
    checked = []
    for line, raw in rows:
        errors: list[str] = []
        number = raw.get("number", "")
        if not number:
            errors.append(_("The number is missing."))
        elif len(number) > 20:
            errors.append(_("The number is longer than 20 characters."))
        elif number in first_line:
            errors.append(
                _("Number %(n)s appears twice in the file (first on line %(line)s).")
                % {"n": number, "line": first_line[number]}
            )
        elif number in existing:
            errors.append(_("Recommendation %(n)s already exists in this meeting.") % {"n": number})
        if number:
            first_line.setdefault(number, line)
        if not raw.get("text"):
            errors.append(_("The text is missing."))
        item_number = raw.get("agenda_item", "")
        if item_number and item_number not in items:
            errors.append(_("Unknown agenda item: %(item)s.") % {"item": item_number})
        adopted_on = None
        if raw.get("adopted_on"):
            try:
                adopted_on = date.fromisoformat(raw["adopted_on"][:10])
            except ValueError:
                errors.append(
                    _("Bad date %(value)s: write it as YYYY-MM-DD.") % {"value": raw["adopted_on"]}
                )
        countries = addressees.split_codes(raw.get("countries", ""))
        regions = addressees.split_codes(raw.get("regions", ""))
        unknown = addressees.unknown_countries(countries)
        if unknown:
            errors.append(_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        unknown = addressees.unknown_regions(regions)
        if unknown:
            errors.append(_("Unknown region codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        if countries and regions:
            errors.append(_("Address named countries or regions, not both."))
        values = {
            "number": number,
            "text": raw.get("text", ""),
            "agenda_item": item_number,
            "agenda_item_id": items.get(item_number) if item_number else None,
            "adopted_on": adopted_on.isoformat() if adopted_on else None,
            "countries": countries,
            "regions": regions,
        }
        checked.append({"line": line, "raw": raw, "values": values, "errors": errors})
    return checked


# --- preview and confirm -------------------------------------------------------------------------


def preview(
    session: Session, actor: User, meeting: Meeting, filename: str, data: bytes
) -> RecommendationImport:
    service.require_manager(session, actor, meeting.process_id)
    if len(data) > MAX_IMPORT_BYTES:
        raise UnreadableImport(_("An import file may be at most 2 MB."), status=413)
    rows = check_rows(session, meeting, read_table(data))
    if not rows:
        raise UnreadableImport(_("The file has a header row but no recommendations."))
    upload = RecommendationImport(
        token=secrets.token_urlsafe(24),
        meeting_id=meeting.id,
        user_id=actor.id,
        filename=filename[:255],
        rows=rows,
        error_count=sum(1 for row in rows if row["errors"]),
        expires_at=service.now() + IMPORT_LIFETIME,
    )
    session.add(upload)
    session.flush()
    return upload


def _raw(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def get_upload(session: Session, actor: User, meeting: Meeting, token: str) -> RecommendationImport:
    upload = repository.get_import(session, token)
    if (
        upload is None
        or upload.user_id != actor.id
        or upload.meeting_id != meeting.id
        or upload.expires_at <= service.now()
    ):
        raise NotFound(_("This import has expired or does not exist. Upload the file again."))
    return upload


def confirm(session: Session, actor: User, meeting: Meeting, token: str) -> list[Recommendation]:
    service.require_manager(session, actor, meeting.process_id)
    upload = get_upload(session, actor, meeting, token)
    if upload.confirmed_at is not None:
        raise NotFound(_("This import has already been saved."))
    stored = [(int(str(row["line"])), _raw(row["raw"])) for row in upload.rows]
    rows = check_rows(session, meeting, stored)
    upload.rows = rows
    upload.error_count = sum(1 for row in rows if row["errors"])
    if upload.error_count:
        session.flush()
        raise FormError(
            {"__all__": _("Some rows have errors; nothing was saved.")},
            message=_("Some rows have errors; nothing was saved."),
        )
    created = [
        service.create_recommendation(
            session,
            actor,
            meeting,
            RecommendationCreate(
                number=row["values"]["number"],
                text=row["values"]["text"],
                agenda_item_id=row["values"]["agenda_item_id"],
                adopted_on=row["values"]["adopted_on"],
                countries=row["values"]["countries"],
                regions=row["values"]["regions"],
            ),
        )
        for row in rows
    ]
    upload.confirmed_at = service.now()
    session.flush()
    after = {"filename": upload.filename, "rows": len(created)}
    audit.record(session, actor, "recommendation.import", "meeting", meeting.id, None, after)
    return created


# --- participants --------------------------------------------------------------------------------


def import_participants(
    session: Session, actor: User, meeting: Meeting, data: bytes
) -> list[MeetingParticipant]:
    """Participants from a CSV/XLSX file with a column 'country' (ISO code) and/or 'organisation'
    (a name; 'organisation_id' links a registered one). All rows are added, or none."""
    service.require_manager(session, actor, meeting.process_id)
    if len(data) > MAX_IMPORT_BYTES:
        raise UnreadableImport(_("An import file may be at most 2 MB."), status=413)
    if not data.strip():
        raise UnreadableImport(_("The file is empty."))
    table = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    header = [_column(h) for h in (table[0] if table else [])]
    if not {"country", "countries", "organisation", "organisation_id"} & set(header):
        raise UnreadableImport(_("The header row must name a 'country' or 'organisation' column."))
    errors: list[str] = []
    rows: list[ParticipantCreate] = []
    seen: set[str] = set()
    for line, cells in enumerate(table[1:], start=2):
        raw = {name: _cell(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}
        if not any(raw.values()):
            continue
        org_id = raw.get("organisation_id", "")
        row = ParticipantCreate(
            country=raw.get("country") or raw.get("countries") or "",
            organisation_id=int(org_id) if org_id.isdigit() else None,
            name=(raw.get("organisation") or "")[:200],
        )
        key = row.country.upper() or str(row.organisation_id or "") or row.name
        try:
            if key in seen:
                raise FormError({"country": _("This participant appears twice in the file.")})
            seen.add(key)
            participation.checked_participant(session, meeting, row)
        except FormError as exc:
            message = " ".join(exc.fields.values())
            errors.append(_("Line %(line)s: %(error)s") % {"line": line, "error": message})
        rows.append(row)
    if errors:
        raise FormError({"file": " ".join(errors)}, message=_("Nothing was imported."))
    return [participation.add_participant(session, actor, meeting, row) for row in rows]


@jobs.periodic("impact.purge_imports")
def purge_expired_imports(session: Session, now: datetime) -> int:
    """Parsed uploads nobody confirmed are dropped a day after they expired."""
    return repository.delete_imports_expired_before(session, now - timedelta(days=1))
