"""The hostile set, sent through the real upload route: each gets a 4xx with a message a person
understands, and nothing is stored (no file, no partial upload, no row)."""

from __future__ import annotations

import functools
import html
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage import LocalStorage
from app.submissions import files_office, files_pdf
from app.submissions.files_rules import EMPTY, MACROS, NOT_A_DOCUMENT, OLD_WORD, POLYGLOT
from app.submissions.models import PaperVersion
from tests.submissions.conftest import World, assert_nothing_stored, upload
from tests.support import sample_files as samples
from tests.support.web import api_headers, sign_in

MB = 1024 * 1024


@functools.cache
def _bomb_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.docx"
        samples.write_zip_bomb_docx(path, member_size=256 * MB)  # ~250 KB, 256 MB inside
        return path.read_bytes()


def _bomb(_tmp: Path) -> bytes:
    return _bomb_bytes()


HOSTILE: dict[str, tuple[Callable[[Path], bytes], int, str]] = {
    "password-protected PDF": (lambda _: samples.encrypted_pdf(), 422, files_pdf.LOCKED),
    "encrypted PDF without password": (
        lambda _: samples.encrypted_pdf(user_password=""),
        422,
        files_pdf.RESTRICTED,
    ),
    "PDF cut in half": (
        lambda _: samples.truncated(samples.pdf_document(3)),
        422,
        files_pdf.DAMAGED,
    ),
    "PDF with a broken object": (
        lambda _: samples.pdf_with_broken_object(samples.pdf_document(2)),
        422,
        files_pdf.DAMAGED,
    ),
    "PDF with JavaScript": (lambda _: samples.pdf_with_javascript(), 422, files_pdf.ACTIVE_CONTENT),
    "PDF that launches a program": (
        lambda _: samples.pdf_with_launch_action(),
        422,
        files_pdf.ACTIVE_CONTENT,
    ),
    "PDF carrying a file": (lambda _: samples.pdf_with_attachment(), 422, files_pdf.ACTIVE_CONTENT),
    "PDF without pages": (lambda _: samples.pdf_without_pages(), 422, files_pdf.NO_PAGES),
    "0-byte file": (lambda _: b"", 422, EMPTY),
    "PNG image named .pdf": (lambda _: samples.png_image(), 415, NOT_A_DOCUMENT),
    "plain text named .pdf": (lambda _: b"Just some text, honestly a PDF.\n", 415, NOT_A_DOCUMENT),
    "old Word .doc": (lambda _: samples.legacy_word_doc(), 415, OLD_WORD),
    "PDF with a DOCX glued on": (lambda _: samples.pdf_with_zip_appended(), 422, POLYGLOT),
    "DOCX with a PDF glued on": (lambda _: samples.zip_with_pdf_appended(), 422, POLYGLOT),
    "PDF header before a DOCX": (lambda _: samples.pdf_header_before_zip(), 422, POLYGLOT),
    "ZIP with a PDF header inside": (lambda _: samples.zip_with_pdf_header_inside(), 422, POLYGLOT),
    "HTML before a PDF": (lambda _: samples.html_before_pdf(), 422, POLYGLOT),
    "zip bomb disguised as DOCX": (_bomb, 422, files_office.BOMB),
    "DOCX with a member that inflates 1000:1": (
        lambda _: samples.zip_with_high_ratio_member(),
        422,
        files_office.BOMB,
    ),
    "DOCX with path tricks inside": (
        lambda _: samples.zip_with_member_names(["../../evil.xml"]),
        422,
        files_office.UNSAFE_NAMES,
    ),
    "DOCX with macros": (lambda _: samples.docx_with_macros(), 422, MACROS),
    "ODT with a Basic macro": (lambda _: samples.odt_with_basic_macro(), 422, MACROS),
    "DOCX cut in half": (
        lambda _: samples.truncated(samples.docx_document()),
        422,
        files_office.DAMAGED,
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_are_refused_through_the_form(
    client: TestClient,
    db: Session,
    world: World,
    storage: LocalStorage,
    tmp_path: Path,
    case: str,
) -> None:
    make, status, message = HOSTILE[case]
    sign_in(client, world.member)
    response = upload(client, world.submit_url, world.fields(), make(tmp_path), "paper.pdf")
    assert response.status_code == status, response.text[-500:]
    assert html.escape(message, quote=False) in response.text
    assert 'id="error-file"' in response.text
    assert_nothing_stored(db, storage)


@pytest.mark.parametrize("case", ["PDF cut in half", "zip bomb disguised as DOCX", "0-byte file"])
def test_hostile_files_are_refused_through_the_api(
    client: TestClient,
    db: Session,
    world: World,
    storage: LocalStorage,
    tmp_path: Path,
    case: str,
) -> None:
    make, status, message = HOSTILE[case]
    sign_in(client, world.member)
    fields = world.fields(csrf_token=None)
    response = upload(client, world.api_submit_url, fields, make(tmp_path), headers=api_headers())
    assert response.status_code == status
    assert response.json()["error"]["message"] == message
    assert_nothing_stored(db, storage)


def test_an_oversized_file_is_cut_off_while_streaming(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    """Just over the meeting's 1 MB: passes the Content-Length check, stopped at the limit."""
    sign_in(client, world.member)
    data = samples.pdf_document(1) + b"%" + b"x" * (MB + 10_000) + b"\n%%EOF\n"
    response = upload(client, world.submit_url, world.fields(), data)
    assert response.status_code == 413
    assert "larger than the limit of 1 MB" in response.text
    assert_nothing_stored(db, storage)


def test_an_obviously_oversized_upload_is_refused_by_its_length(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    data = b"%PDF-1.7\n" + b"0" * (3 * MB)
    response = upload(client, world.api_submit_url, world.fields(csrf_token=None), data,
                      headers=api_headers())  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "The file is larger than the limit of 1 MB."
    assert_nothing_stored(db, storage)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\report.pdf", "report.pdf"),
        ("C:\\Users\\amina\\Desktop\\position.pdf", "position.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
        ("paper.docx", "paper.pdf"),  # a PDF, whatever the name says
        ("CON.pdf", "_CON.pdf"),
        ("", "document.pdf"),
    ],
)
def test_names_with_path_tricks_are_neutralised(
    client: TestClient, db: Session, world: World, sent: str, kept: str
) -> None:
    sign_in(client, world.member)
    data = samples.pdf_document(1)
    response = upload(client, world.submit_url, world.fields(), data, sent)
    assert response.status_code == 303, response.text[-300:]
    version = db.scalars(select(PaperVersion)).one()
    assert version.original_name == kept
