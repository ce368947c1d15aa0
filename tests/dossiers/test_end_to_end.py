"""A whole build with real files: routed papers in the organiser's order, a paper that could not
be converted, a summary and a comments digest; then the PDF and the ZIP are opened and read."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable

import pypdf
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.dossiers import service
from app.dossiers.schemas import DigestInput, Direction, SummaryInput
from tests.dossiers.world import DossierWorld
from tests.factories import make_comment, store_version_file
from tests.support import sample_files as samples
from tests.support.web import post_form, sign_in

RunJobs = Callable[[], int]


def test_build_a_real_dossier(
    client: TestClient, db: Session, dw: DossierWorld, run_jobs: RunJobs
) -> None:
    first = dw.paper(pages=2, title="Fair recruitment")
    second = dw.paper(pages=3, title="Ethical recruiters")
    remittances = dw.paper(dw.item2, pages=1, title="Cheaper remittances", org=dw.other_org)
    word = dw.paper(dw.item2, title="A Word file")
    store_version_file(db, dw.storage, word, samples.docx_document(), name="paper.docx")
    dw.paper(pages=4, route=False, title="Not accepted")
    comment = make_comment(db, dw.item2, dw.owner, body="<p>Costs must fall below 3%.</p>")
    view = service.dossier_view(db, dw.meeting)
    service.move_paper(db, dw.organiser, view, dw.item.id, second.id, Direction.up)
    service.set_summary(db, dw.organiser, view, dw.item.id, SummaryInput(summary="Two papers."))
    service.set_digest(db, dw.organiser, view, dw.item2.id, DigestInput(comment_ids=[comment.id]))
    db.flush()

    sign_in(client, dw.organiser)
    assert post_form(client, f"{dw.url}/builds").status_code == 303
    first.title = "Renamed after the build started"  # the build keeps what it froze
    db.flush()
    assert run_jobs() == 1
    assert "Ready" in client.get(f"{dw.url}/builds/1").text

    pdf = pypdf.PdfReader(io.BytesIO(client.get(f"{dw.url}/latest/pdf").content))
    paper_pages = 2 + 3 + 1
    assert len(pdf.pages) > paper_pages
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for paper in (first, second, remittances, word):
        assert paper.tracking_number and paper.tracking_number in text
    assert "Fair recruitment" in text and "Renamed after" not in text
    assert "Two papers." in text and "Costs must fall below 3%." in text
    assert "Not accepted" not in text
    assert text.index(str(second.tracking_number)) < text.index(str(first.tracking_number))
    outline = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert any("Recruitment" in title for title in outline)
    assert any("Remittances" in title for title in outline)

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{dw.url}/latest/zip").content))
    names = archive.namelist()
    rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert [row[0] for row in body] == [
        second.tracking_number,
        first.tracking_number,
        remittances.tracking_number,
        word.tracking_number,
    ]
    file_column, hash_column = header.index("File in this archive"), header.index("SHA-256")
    for row in body:
        assert row[file_column] in names
        assert hashlib.sha256(archive.read(row[file_column])).hexdigest() == row[hash_column]
    assert any(name.endswith(".docx") for name in names)
    assert "index.xlsx" in names
    assert sum(name.endswith(".pdf") for name in names) == 4  # the dossier and three papers
