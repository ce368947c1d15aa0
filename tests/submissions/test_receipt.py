"""Receipts: a one-page PDF with the tracking number and every SHA-256, and the e-mail."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.submissions import receipt
from app.submissions.models import Paper
from tests.submissions.conftest import World, a_pdf, upload
from tests.support import sample_files as samples
from tests.support.smtp import SmtpServer, body_text
from tests.support.web import sign_in


def _text(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_tracking_number_format() -> None:
    from datetime import UTC, datetime

    assert receipt.tracking_number(42, datetime(2026, 1, 1, tzinfo=UTC)) == "PLN-2026-000042"
    assert receipt.tracking_number(1234567, datetime(2027, 6, 1, tzinfo=UTC)) == "PLN-2027-1234567"


def test_the_receipt_pdf_names_the_tracking_number_and_every_checksum(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.member)
    first, second = a_pdf(1), samples.docx_document(["Second version"])
    upload(client, world.submit_url, world.fields(), first)
    paper = db.scalars(select(Paper)).one()
    upload(client, f"/papers/{paper.id}/versions", {"csrf_token": "test-csrf-token"}, second,
           "second.docx")  # fmt: skip
    response = client.get(f"/papers/{paper.id}/receipt.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert (
        f'filename="receipt-{paper.tracking_number}.pdf"' in response.headers["content-disposition"]
    )
    pages, text = _text(response.content)
    assert pages == 1
    assert paper.tracking_number and paper.tracking_number in text
    for data in (first, second):
        assert hashlib.sha256(data).hexdigest() in text
    assert world.org.name in text and "Recruitment" in text


def test_text_from_the_submitter_cannot_change_the_document(
    client: TestClient, db: Session, world: World
) -> None:
    """Typst markup, code and raw-block syntax in a title are printed, not interpreted."""
    title = '#set page(paper: "a0") ]) #panic("x") *bold* $x^2$ `raw` <label> @ref \\ {'
    sign_in(client, world.member)
    assert upload(client, world.submit_url, world.fields(title=title), a_pdf()).status_code == 303
    paper = db.scalars(select(Paper)).one()
    pages, text = _text(client.get(f"/papers/{paper.id}/receipt.pdf").content)
    assert pages == 1
    assert re.sub(r"\s+", " ", title) in re.sub(r"\s+", " ", text)


def test_many_versions_still_fit_on_one_page(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.member)
    upload(client, world.submit_url, world.fields(title="T" * 300), a_pdf())
    paper = db.scalars(select(Paper)).one()
    for pages in range(2, 15):
        response = upload(client, f"/papers/{paper.id}/versions",
                          {"csrf_token": "test-csrf-token"}, a_pdf(pages))  # fmt: skip
        assert response.status_code == 303
    pages_in_receipt, text = _text(client.get(f"/papers/{paper.id}/receipt.pdf").content)
    assert pages_in_receipt == 1
    assert "Version 14" in text


def test_the_receipt_is_emailed_to_the_submitter(
    client: TestClient,
    db: Session,
    world: World,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    world.member.email = "aigerim@mwsc.example"
    db.flush()
    sign_in(client, world.member)
    data = a_pdf(2)
    upload(client, world.submit_url, world.fields(), data)
    paper = db.scalars(select(Paper)).one()
    assert mailbox.messages == []  # queued in the transaction, sent by the worker
    run_jobs()
    [message] = mailbox.wait_for(1, to="aigerim@mwsc.example")
    assert message["Subject"] == f"Receipt {paper.tracking_number}: {paper.title}"
    body = body_text(message)
    assert hashlib.sha256(data).hexdigest() in body
    assert f"/papers/{paper.id}" in body


@pytest.mark.parametrize("who", ["moderator", "other_owner"])
def test_the_receipt_is_for_the_organisation_and_organisers(
    client: TestClient, db: Session, world: World, who: str
) -> None:
    sign_in(client, world.member)
    upload(client, world.submit_url, world.fields(), a_pdf())
    paper = db.scalars(select(Paper)).one()
    sign_in(client, getattr(world, who))
    assert client.get(f"/papers/{paper.id}/receipt.pdf").status_code == 403
    assert client.get(f"/api/v1/papers/{paper.id}/receipt.pdf",
                      headers={"X-CSRF-Token": "test-csrf-token"}).status_code == 403  # fmt: skip
