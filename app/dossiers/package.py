"""The dossier's ZIP archive: the PDF, every paper's original file, and an index (CSV, XLSX).

Originals are streamed into the archive in pieces and hashed on the way; a hash that differs
from the one recorded at submission (PaperSpec.sha256) fails the build, so the archive never
ships a file other than the one that was submitted. The index lists every paper of the spec,
including those only in the annex: tracking number, title, organisations, country, type,
language, agenda item, pages in the dossier, the file's name in the archive and its SHA-256.
Entries are dated with the build time, so the same build gives the same archive.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path

import xlsxwriter  # type: ignore[import-untyped]

from app.dossiers.render_output import CHUNK_SIZE, atomic_output, sha256_file
from app.dossiers.render_spec import DossierError, DossierResult, DossierSpec, PaperSpec

ORIGINALS_FOLDER = "originals"
# Already compressed: stored as they are, deflating them again costs time for nothing.
STORED_EXTENSIONS = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "zip", "png", "jpg", "jpeg"}
)
_UNSAFE = re.compile(r"[^a-z0-9]+")
_UNSAFE_TRACKING = re.compile(r"[^A-Za-z0-9._-]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ZipTime = tuple[int, int, int, int, int, int]


def build_dossier_zip(
    spec: DossierSpec,
    result: DossierResult,
    dossier_pdf: Path,
    originals: Mapping[str, Path],
    out_path: Path,
) -> str:
    """Write the archive to `out_path` (atomically); return its SHA-256.

    `originals` maps each paper's tracking number to its original file on local disk; every
    paper of the spec needs one. Raises DossierError (nothing written) if one is missing or
    does not match its recorded hash.
    """
    papers = [(section, paper) for section, paper in spec.all_papers()]
    missing = [p.tracking_number for _s, p in papers if p.tracking_number not in originals]
    if missing:
        raise DossierError(f"no original file for {', '.join(missing[:5])}")
    date_time = _zip_time(spec)
    names = _member_names([paper for _s, paper in papers])
    with atomic_output(out_path) as temp:
        with zipfile.ZipFile(temp, "w", allowZip64=True) as archive:
            _add_file(archive, dossier_pdf, _pdf_name(spec), date_time)
            hashes = {}
            for _section, paper in papers:
                name = names[paper.tracking_number]
                digest = _add_file(archive, originals[paper.tracking_number], name, date_time)
                if paper.sha256 and digest != paper.sha256.lower():
                    raise DossierError(
                        f"the original of {paper.tracking_number} does not match its recorded hash"
                    )
                hashes[paper.tracking_number] = digest
            rows = index_rows(spec, result, names, hashes)
            _add_csv(archive, rows, date_time)
            _add_xlsx(archive, spec, rows, date_time)
        sha256 = sha256_file(temp)
    return sha256


def index_rows(
    spec: DossierSpec,
    result: DossierResult,
    names: Mapping[str, str],
    hashes: Mapping[str, str],
) -> list[list[str]]:
    """The index as rows of text, the header first."""
    labels = spec.labels
    header = [
        labels.tracking_number,
        labels.title,
        labels.organisations,
        labels.country,
        labels.type,
        labels.language,
        labels.agenda_item,
        labels.index_pages,
        labels.index_file,
        "SHA-256",
    ]
    rows = [header]
    for section, paper in spec.all_papers():
        pages = result.paper_pages.get(paper.tracking_number)
        rows.append(
            [
                paper.tracking_number,
                paper.title,
                "; ".join(paper.organisations),
                paper.country,
                paper.organisation_type,
                paper.language,
                f"{section.number} {section.title}".strip(),
                f"{pages[0]}-{pages[1]}" if pages else labels.index_annex,
                names[paper.tracking_number],
                hashes[paper.tracking_number],
            ]
        )
    return rows


def slug(text: str, *, limit: int = 60, fallback: str = "paper") -> str:
    """ASCII, lower case, words joined by hyphens; `fallback` when nothing Latin is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = _UNSAFE.sub("-", ascii_text.lower()).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] or words[:limit]
    return words.strip("-") or fallback


def _member_names(papers: list[PaperSpec]) -> dict[str, str]:
    """`originals/<tracking number>-<slug>.<ext>`, unique even if tracking numbers clean alike."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for paper in papers:
        tracking = _UNSAFE_TRACKING.sub("-", paper.tracking_number).strip("-.") or "paper"
        extension = slug(Path(paper.original_name).suffix.lstrip("."), limit=10, fallback="bin")
        stem = f"{tracking}-{slug(paper.title)}"
        name = f"{ORIGINALS_FOLDER}/{stem}.{extension}"
        counter = 2
        while name.lower() in taken:
            name = f"{ORIGINALS_FOLDER}/{stem}-{counter}.{extension}"
            counter += 1
        taken.add(name.lower())
        names[paper.tracking_number] = name
    return names


def _pdf_name(spec: DossierSpec) -> str:
    return f"{slug(spec.meeting_title, fallback='dossier')}-build-{spec.build_number}.pdf"


def _zip_time(spec: DossierSpec) -> ZipTime:
    when = spec.built_at.astimezone(UTC)
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)


def _info(name: str, date_time: ZipTime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time)
    extension = name.rsplit(".", 1)[-1].lower()
    info.compress_type = (
        zipfile.ZIP_STORED if extension in STORED_EXTENSIONS else zipfile.ZIP_DEFLATED
    )
    info.external_attr = 0o644 << 16
    return info


def _add_file(archive: zipfile.ZipFile, path: Path, name: str, date_time: ZipTime) -> str:
    """Stream the file into the archive in pieces; return its SHA-256."""
    digest = hashlib.sha256()
    info = _info(name, date_time)
    try:
        with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK_SIZE):
                digest.update(chunk)
                target.write(chunk)
    except OSError as exc:
        raise DossierError(f"cannot read {path.name} for {name}") from exc
    return digest.hexdigest()


def _add_csv(archive: zipfile.ZipFile, rows: list[list[str]], date_time: ZipTime) -> None:
    """UTF-8 with a byte order mark (so that spreadsheet programs read it as UTF-8)."""
    info = _info("index.csv", date_time)
    with archive.open(info, "w") as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(rows[0])
        writer.writerows([_inert(cell) for cell in row] for row in rows[1:])


def _inert(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): prefix a quote."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _add_xlsx(
    archive: zipfile.ZipFile,
    spec: DossierSpec,
    rows: list[list[str]],
    date_time: ZipTime,
) -> None:
    with tempfile.TemporaryDirectory(prefix="plenary-index-") as folder:
        path = Path(folder) / "index.xlsx"
        options = {"constant_memory": True, "strings_to_numbers": False}
        options |= {"strings_to_formulas": False, "strings_to_urls": False}
        workbook = xlsxwriter.Workbook(str(path), options)
        workbook.set_properties(
            {
                "title": f"{spec.meeting_title} — {spec.labels.index_title}",
                "author": "Plenary",
                "created": spec.built_at.astimezone(UTC).replace(tzinfo=None),
            }
        )
        sheet = workbook.add_worksheet(spec.labels.index_sheet[:31] or "Index")
        bold = workbook.add_format({"bold": True})
        widths = [16, 48, 36, 18, 18, 14, 30, 12, 40, 66]
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        for row_number, row in enumerate(rows):
            for column, value in enumerate(row):
                sheet.write_string(row_number, column, value, bold if row_number == 0 else None)
        sheet.freeze_panes(1, 0)
        workbook.close()
        _add_file(archive, path, "index.xlsx", date_time)
