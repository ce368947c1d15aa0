"""The dossier's ZIP archive: members, names, index (CSV and XLSX) and hashes, failures."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest

from app.dossiers.package import build_dossier_zip, slug
from app.dossiers.render import build_dossier_pdf
from app.dossiers.render_spec import DossierError, DossierResult, DossierSpec, SectionSpec
from tests.dossiers.render_support import make_spec, paper


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> tuple[DossierSpec, Path, Path, str]:
    folder = tmp_path_factory.mktemp("package")
    spec = make_spec(folder)
    result = build_dossier_pdf(spec, folder / "dossier.pdf")
    originals = write_originals(folder, spec)
    out = folder / "dossier.zip"
    digest = build_dossier_zip(spec, result, folder / "dossier.pdf", originals, out)
    return spec, folder / "dossier.pdf", out, digest


def write_originals(folder: Path, spec: DossierSpec) -> dict[str, Path]:
    originals = {}
    for number, (_section, item) in enumerate(spec.all_papers()):
        path = folder / f"stored-{number}"  # storage keys have no extension
        path.write_bytes(f"original of {item.tracking_number}\n".encode() * 1000)
        originals[item.tracking_number] = path
    return originals


def index_of(archive: zipfile.ZipFile) -> list[dict[str, str]]:
    text = archive.read("index.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_members_and_names(packed: tuple[DossierSpec, Path, Path, str]) -> None:
    _spec, pdf, out, _digest = packed
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == [
            "second-session-build-3.pdf",
            "originals/P-1-climate-finance-now.docx",
            "originals/P-2-debt-relief.docx",
            "originals/P-3-scanned-letter.odt",
            "originals/P-4-monitoring.docx",
            "index.csv",
            "index.xlsx",
        ]
        assert archive.read(names[0]) == pdf.read_bytes()
        assert archive.testzip() is None


def test_index_matches_the_files_hashes(packed: tuple[DossierSpec, Path, Path, str]) -> None:
    _spec, _pdf, out, _digest = packed
    with zipfile.ZipFile(out) as archive:
        rows = index_of(archive)
        assert [row["Tracking number"] for row in rows] == ["P-1", "P-2", "P-3", "P-4"]
        for row in rows:
            assert sha256(archive.read(row["File in this archive"])) == row["SHA-256"]


def test_index_columns(packed: tuple[DossierSpec, Path, Path, str]) -> None:
    _spec, _pdf, out, _digest = packed
    with zipfile.ZipFile(out) as archive:
        first, _second, annexed, last = index_of(archive)
    assert first["Title"] == "Climate finance now"
    assert first["Organisation(s)"] == "Green Future Network"
    assert first["Country"] == "Kenya"
    assert first["Type"] == "Non-governmental organisation"
    assert first["Language"] == "English"
    assert first["Agenda item"] == "1 Financing for development"
    assert first["Pages in the dossier"] == "6-8"
    assert last["Pages in the dossier"] == "15-15"
    assert annexed["Pages in the dossier"] == "Annex (original file only)"


def test_xlsx_index_says_the_same(packed: tuple[DossierSpec, Path, Path, str]) -> None:
    _spec, _pdf, out, _digest = packed
    with zipfile.ZipFile(out) as archive:
        rows = index_of(archive)
        workbook = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx")), read_only=True)
    sheet_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert sheet_rows[0] == list(rows[0].keys())
    assert sheet_rows[1:] == [list(row.values()) for row in rows]


def test_returned_hash_is_the_archives(packed: tuple[DossierSpec, Path, Path, str]) -> None:
    _spec, _pdf, out, digest = packed
    assert digest == sha256(out.read_bytes())


def test_a_changed_original_fails_and_writes_nothing(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    result = DossierResult(1, "", [], {})
    originals = write_originals(tmp_path, spec)
    recorded = sha256(originals["P-2"].read_bytes())
    spec.sections[0].papers[1] = replace(spec.sections[0].papers[1], sha256=recorded)
    originals["P-2"].write_bytes(b"tampered with")
    out = tmp_path / "out" / "dossier.zip"
    out.parent.mkdir()
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(DossierError, match="P-2"):
        build_dossier_zip(spec, result, pdf, originals, out)
    assert list(out.parent.iterdir()) == []


def test_a_recorded_hash_that_matches_is_accepted(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    originals = write_originals(tmp_path, spec)
    recorded = sha256(originals["P-2"].read_bytes()).upper()
    spec.sections[0].papers[1] = replace(spec.sections[0].papers[1], sha256=recorded)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    build_dossier_zip(spec, DossierResult(1, "", [], {}), pdf, originals, tmp_path / "d.zip")
    assert (tmp_path / "d.zip").exists()


def test_a_missing_original_is_refused(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    originals = write_originals(tmp_path, spec)
    del originals["P-3"]
    with pytest.raises(DossierError, match="P-3"):
        build_dossier_zip(
            spec, DossierResult(1, "", [], {}), tmp_path, originals, tmp_path / "d.zip"
        )
    assert not (tmp_path / "d.zip").exists()


def test_names_are_safe_and_unique(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, sections=[])
    hostile = [
        paper("NGO/2026/1", "../../etc/passwd", None, original_name="x.DOCX"),
        paper("NGO-2026-1", "Égalité des chances — 2026!", None, original_name="y"),
        paper("NGO 2026 1", "حقوق الإنسان", None, original_name="z.tar.gz"),
    ]
    spec = replace(spec, sections=[SectionSpec("1", "Item", papers=hostile)])
    originals = write_originals(tmp_path, spec)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    build_dossier_zip(spec, DossierResult(1, "", [], {}), pdf, originals, tmp_path / "d.zip")
    with zipfile.ZipFile(tmp_path / "d.zip") as archive:
        names = [n for n in archive.namelist() if n.startswith("originals/")]
    assert names == [
        "originals/NGO-2026-1-etc-passwd.docx",
        "originals/NGO-2026-1-egalite-des-chances-2026.bin",
        "originals/NGO-2026-1-paper.gz",
    ]


def test_slug() -> None:
    assert slug("Climate Finance: Now!") == "climate-finance-now"
    assert slug("Ünïcödé façade") == "unicode-facade"
    assert slug("你好") == "paper"
    assert len(slug("word " * 40)) <= 60 and not slug("word " * 40).endswith("-")


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, sections=[])
    evil = paper("P-9", '=HYPERLINK("http://x","y")', None, organisations=["+cmd", "@sum"])
    spec = replace(spec, sections=[SectionSpec("1", "-Item", papers=[evil])])
    originals = write_originals(tmp_path, spec)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    build_dossier_zip(spec, DossierResult(1, "", [], {}), pdf, originals, tmp_path / "d.zip")
    with zipfile.ZipFile(tmp_path / "d.zip") as archive:
        row = index_of(archive)[0]
        workbook = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx")))
    assert row["Title"] == '\'=HYPERLINK("http://x","y")'
    assert row["Organisation(s)"] == "'+cmd; @sum"
    cell = workbook.active["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","y")'
