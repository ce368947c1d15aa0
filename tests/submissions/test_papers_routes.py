"""Submitting a paper through the browser form: the whole path, with real files."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.jobs.models import Job
from app.storage import LocalStorage
from app.submissions.models import Paper, PaperStatus, PaperVersion
from tests.submissions.conftest import (
    World,
    a_pdf,
    assert_nothing_stored,
    paper_count,
    stored_files,
    upload,
)
from tests.support import sample_files as samples
from tests.support.web import sign_in


def _paper(db: Session) -> Paper:
    return db.scalars(select(Paper)).one()


def test_the_form_lists_open_items_and_the_member_organisations(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.member)
    page = client.get(f"{world.meeting_url}/papers/new")
    assert page.status_code == 200
    html = page.text
    assert world.org.name in html
    assert "Recruitment" in html and "Remittances" in html
    assert "Closing" not in html  # closed to papers: not offered
    assert 'name="idempotency_key"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    assert "<progress" in html and "/static/upload.js" in html
    # the file is the last field of the form, so the server reads everything else first
    start = html.index('<form id="paper-form"')
    form = html[start : html.index("</form>", start)]
    assert form.rfind('name="file"') > form.rfind('name="consent"')


def test_a_user_without_an_organisation_is_told_what_to_do(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.stranger)
    page = client.get(f"{world.meeting_url}/papers/new")
    assert page.status_code == 200
    assert "not a member of one yet" in page.text
    assert 'name="file"' not in page.text


def test_submit_a_pdf_end_to_end(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    data = a_pdf(2)
    response = upload(client, world.submit_url, world.fields(), data, "Position paper.pdf")
    assert response.status_code == 303, response.text
    paper = _paper(db)
    assert response.headers["location"] == f"/papers/{paper.id}/receipt"
    assert re.fullmatch(r"PLN-\d{4}-\d{6}", paper.tracking_number or "")
    assert paper.status is PaperStatus.submitted
    version = db.scalars(select(PaperVersion)).one()
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.size == len(data)
    assert version.pages == 2
    assert version.original_name == "Position paper.pdf"
    assert storage.open(version.file_key).read() == data
    assert stored_files(storage) == [version.file_key]
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == paper.id))
    assert "paper.submit" in list(actions)
    kinds = set(db.scalars(select(Job.kind)))
    assert {"submissions.extract_text", "mail.send"} <= kinds

    receipt = client.get(response.headers["location"])
    assert receipt.status_code == 200
    assert paper.tracking_number in receipt.text
    assert version.sha256 in receipt.text


def test_htmx_submission_redirects_with_a_header(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.owner)
    response = upload(
        client, world.submit_url, world.fields(), a_pdf(), headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/papers/{_paper(db).id}/receipt"


def test_a_docx_is_accepted_with_its_text(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.member)
    docx = samples.docx_document(["Decent work for migrants", "Second paragraph"])
    response = upload(
        client, world.submit_url, world.fields(), docx, "paper.docx", content_type="text/plain"
    )
    assert response.status_code == 303, response.text
    version = db.scalars(select(PaperVersion)).one()
    assert version.kind == "docx"
    assert "Decent work for migrants" in version.text
    assert version.conversion_state.value == "pending"


def test_validation_errors_re_render_the_form_and_store_nothing(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    fields = world.fields(title="", summary=" ".join(["word"] * 21), agenda_item_ids=None)
    response = upload(client, world.submit_url, fields, a_pdf())
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert 'aria-invalid="true"' in response.text
    assert_nothing_stored(db, storage)


def test_a_missing_file_is_a_field_error(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    response = upload(client, world.submit_url, world.fields(), None)
    assert response.status_code == 422
    assert "Choose a file to upload" in response.text
    assert paper_count(db) == 0
    empty_part = upload(client, world.submit_url, world.fields(), b"", "")
    assert empty_part.status_code == 422
    assert "Choose a file to upload" in empty_part.text
    assert_nothing_stored(db, storage)


def test_the_way_in_from_the_meeting_and_organisation_pages(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.member)
    meeting = client.get(world.meeting_url).text
    assert f'href="{world.meeting_url}/papers/new"' in meeting
    assert f'href="{world.meeting_url}/papers"' not in meeting
    profile = client.get(f"/organisations/{world.org.id}").text
    assert f'href="/organisations/{world.org.id}/submissions"' in profile
    sign_in(client, world.organiser)
    meeting = client.get(world.meeting_url).text
    assert f'href="{world.meeting_url}/papers"' in meeting
    assert f'href="{world.meeting_url}/late-exceptions"' in meeting
