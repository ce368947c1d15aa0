"""Jobs after a submission: PDF text for search, and DOCX/ODT to PDF with a real LibreOffice."""

from __future__ import annotations

from collections.abc import Callable

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs.models import Job, JobState
from app.storage import LocalStorage
from app.submissions import search
from app.submissions.conversion import libreoffice_available
from app.submissions.models import ConversionState, Paper, PaperVersion
from tests.submissions.conftest import World, stored_files, upload
from tests.support import sample_files as samples
from tests.support.web import sign_in

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available(), reason="LibreOffice (soffice) is not installed"
)


def _version(db: Session) -> PaperVersion:
    version = db.scalars(select(PaperVersion)).one()
    db.refresh(version)
    return version


def test_the_text_of_a_pdf_is_extracted_after_commit(
    client: TestClient, db: Session, world: World, run_jobs: Callable[[], int]
) -> None:
    sign_in(client, world.member)
    upload(client, world.submit_url, world.fields(), samples.pdf_document(3))
    assert _version(db).text == ""  # the request does not wait for it
    run_jobs()
    text = _version(db).text
    assert "Page 1" in text and "Page 3" in text


def test_a_submitted_paper_is_searchable_and_its_pdf_text_once_extracted(
    client: TestClient, db: Session, world: World, run_jobs: Callable[[], int]
) -> None:
    sign_in(client, world.member)
    fields = world.fields(title="Remittance corridors", summary="Fees and access.")
    pdf = samples.pdf_document(1, text="Quarantined seafarers deserve repatriation.")
    upload(client, world.submit_url, fields, pdf)
    paper = db.scalars(select(Paper)).one()
    assert search.search_paper_ids(db, world.meeting.id, "remittance") == [paper.id]
    assert search.search_paper_ids(db, world.meeting.id, "seafarers") == []
    run_jobs()
    assert search.search_paper_ids(db, world.meeting.id, "seafarers") == [paper.id]


@needs_libreoffice
def test_a_docx_gets_a_pdf_rendition_from_libreoffice(
    client: TestClient,
    db: Session,
    world: World,
    storage: LocalStorage,
    run_jobs: Callable[[], int],
) -> None:
    sign_in(client, world.member)
    docx = samples.docx_document(["Rendered by LibreOffice", "Second paragraph"])
    upload(client, world.submit_url, world.fields(), docx, "paper.docx")
    run_jobs()
    version = _version(db)
    assert version.conversion_state is ConversionState.done, version.conversion_error
    assert version.pdf_key and version.pdf_key in stored_files(storage)
    with storage.open(version.pdf_key) as rendition:
        reader = pypdf.PdfReader(rendition)
        assert version.pages == len(reader.pages) >= 1
        assert "Rendered by LibreOffice" in reader.pages[0].extract_text()
    paper = db.scalars(select(Paper)).one()
    download = client.get(f"/papers/{paper.id}/versions/1/pdf")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert 'filename="paper.pdf"' in download.headers["content-disposition"]
    assert "PDF copy made" in client.get(f"/papers/{paper.id}").text


def test_without_libreoffice_the_paper_stays_valid_and_is_marked_not_convertible(
    client: TestClient,
    db: Session,
    world: World,
    run_jobs: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in(client, world.member)
    upload(client, world.submit_url, world.fields(), samples.odt_document(), "paper.odt")
    monkeypatch.setenv("PATH", "/nonexistent")  # no soffice to be found
    run_jobs()
    version = _version(db)
    assert version.conversion_state is ConversionState.failed
    assert "LibreOffice is not installed" in version.conversion_error
    job = db.scalars(select(Job).where(Job.kind == "submissions.convert_to_pdf")).one()
    db.refresh(job)
    assert job.state is JobState.succeeded  # recorded, not retried
    paper = db.scalars(select(Paper)).one()
    assert paper.status.value == "submitted"
    sign_in(client, world.moderator)
    page = client.get(f"/papers/{paper.id}").text
    assert "Not convertible" in page and "LibreOffice is not installed" in page
    assert client.get(f"/papers/{paper.id}/versions/1/pdf").status_code == 404
    assert client.get(f"/papers/{paper.id}/versions/1/file").status_code == 200
