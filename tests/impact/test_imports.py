"""Importing recommendations: preview with row-level errors, nothing saved until all rows pass."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Forbidden, FormError, NotFound
from app.impact import imports
from app.impact.models import AddresseeScope, Recommendation
from tests.impact.factories import ImpactWorld, impact_world

GOOD = (
    "number,text,agenda_item,adopted_on,countries,regions\n"
    "2,Ratify ILO C189.,A,2026-03-01,KG TJ,\n"
    "3,Open regular pathways.,,2026-03-01,,143\n"
    "4,Protect migrant children.,,,,\n"
)


@pytest.fixture
def world(db: Session) -> ImpactWorld:
    return impact_world(db)


def _recs(db: Session, world: ImpactWorld) -> list[str]:
    return sorted(
        db.scalars(
            select(Recommendation.number).where(Recommendation.meeting_id == world.meeting.id)
        )
    )


def test_preview_then_confirm_saves_every_row(db: Session, world: ImpactWorld) -> None:
    upload = imports.preview(db, world.organiser, world.meeting, "recs.csv", GOOD.encode())
    assert upload.error_count == 0
    assert _recs(db, world) == ["1"]  # nothing saved by the preview
    created = imports.confirm(db, world.organiser, world.meeting, upload.token)
    assert [r.number for r in created] == ["2", "3", "4"]
    assert created[0].agenda_item_id == world.item.id
    assert created[0].countries == ["KG", "TJ"]
    assert created[1].addressee_scope is AddresseeScope.regions
    assert created[2].addressee_scope is AddresseeScope.all_states
    assert created[2].adopted_on is None
    assert created[0].adopted_on == date(2026, 3, 1)
    with pytest.raises(NotFound):  # a token is used once
        imports.confirm(db, world.organiser, world.meeting, upload.token)


def test_row_level_errors(db: Session, world: ImpactWorld) -> None:
    text = (
        "Number;Text;Agenda item;Adoption date;Countries\n"
        ";No number here;;;\n"  # line 2
        "1;Exists already;;;\n"  # line 3
        "5;Bad country;;;KG XX\n"  # line 4
        "6;Bad item;Z;;\n"  # line 5
        "7;Bad date;;31/02/2026;\n"  # line 6
        "8;First;;;\n"  # line 7
        "8;Duplicate;;;\n"  # line 8
        "9;;;;\n"  # line 9
    )
    upload = imports.preview(db, world.organiser, world.meeting, "r.csv", text.encode())
    errors = {row["line"]: " ".join(row["errors"]) for row in upload.rows}
    assert "number is missing" in errors[2]
    assert "already exists" in errors[3]
    assert "XX" in errors[4]
    assert "agenda item: Z" in errors[5]
    assert "YYYY-MM-DD" in errors[6]
    assert errors[7] == ""
    assert "twice" in errors[8] and "line 7" in errors[8]
    assert "text is missing" in errors[9]
    assert upload.error_count == 7
    with pytest.raises(FormError):
        imports.confirm(db, world.organiser, world.meeting, upload.token)
    assert _recs(db, world) == ["1"]


def test_confirm_checks_again(db: Session, world: ImpactWorld) -> None:
    upload = imports.preview(db, world.organiser, world.meeting, "r.csv", GOOD.encode())
    from tests.impact.factories import make_recommendation

    make_recommendation(db, world.meeting, number="3")  # recorded by form meanwhile
    with pytest.raises(FormError):
        imports.confirm(db, world.organiser, world.meeting, upload.token)
    assert _recs(db, world) == ["1", "3"]


def test_xlsx_with_date_cells(db: Session, world: ImpactWorld) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["number", "text", "adopted_on", "countries"])
    sheet.append([10, "From a workbook.", datetime(2025, 11, 5), "kz"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = imports.preview(db, world.organiser, world.meeting, "r.xlsx", buffer.getvalue())
    assert upload.error_count == 0
    (created,) = imports.confirm(db, world.organiser, world.meeting, upload.token)
    assert (created.number, created.adopted_on, created.countries) == (
        "10",
        date(2025, 11, 5),
        ["KZ"],
    )


@pytest.mark.parametrize(
    "data",
    [b"", b"title,body\nx,y\n", b"\xff\xfe\x00bad", b"PK\x03\x04broken"],
)
def test_unreadable_files(db: Session, world: ImpactWorld, data: bytes) -> None:
    with pytest.raises(imports.UnreadableImport):
        imports.preview(db, world.organiser, world.meeting, "r.csv", data)


def test_only_organisers_import_and_only_their_own_upload(db: Session, world: ImpactWorld) -> None:
    with pytest.raises(Forbidden):
        imports.preview(db, world.focal_kg, world.meeting, "r.csv", GOOD.encode())
    upload = imports.preview(db, world.organiser, world.meeting, "r.csv", GOOD.encode())
    from app.consultations.models import ProcessRole
    from tests.factories import grant, make_user

    colleague = make_user(db)
    grant(db, colleague, world.process, ProcessRole.organiser)
    with pytest.raises(NotFound):
        imports.confirm(db, colleague, world.meeting, upload.token)


def test_expired_uploads_are_purged(db: Session, world: ImpactWorld) -> None:
    from datetime import timedelta

    from app.impact.models import RecommendationImport

    upload = imports.preview(db, world.organiser, world.meeting, "r.csv", GOOD.encode())
    assert imports.purge_expired_imports(db, upload.expires_at) == 0
    assert imports.purge_expired_imports(db, upload.expires_at + timedelta(days=2)) == 1
    assert db.scalars(select(RecommendationImport)).first() is None
