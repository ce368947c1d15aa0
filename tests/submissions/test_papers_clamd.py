"""Uploads scanned by a real clamd (with a local EICAR signature) when PLENARY_CLAMD_URL is set."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.storage import LocalStorage
from app.submissions.models import PaperVersion, ScanState
from tests.submissions.conftest import World, a_pdf, assert_nothing_stored, upload
from tests.support import sample_files as samples
from tests.support.clamd import (
    EICAR,
    ClamdServer,
    free_port,
    started_clamd,
)
from tests.support.web import sign_in


@pytest.fixture(scope="module")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdServer]:
    yield from started_clamd(tmp_path_factory)


def _pdf_carrying_eicar() -> bytes:
    """A valid, plain PDF with an uncompressed stream holding the EICAR test string."""
    pdf = samples.build_pdf(1)
    pdf.Root.PlenaryNote = pdf.make_stream(EICAR)
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False)
    return buffer.getvalue()


def test_a_clean_file_is_accepted_and_marked_scanned(
    client: TestClient, db: Session, world: World, settings: Settings, clamd: ClamdServer
) -> None:
    settings.clamd_url = clamd.url
    sign_in(client, world.member)
    assert upload(client, world.submit_url, world.fields(), a_pdf()).status_code == 303
    version = db.scalars(select(PaperVersion)).one()
    assert version.scan_state is ScanState.clean


@pytest.mark.parametrize("make", [lambda: EICAR, _pdf_carrying_eicar], ids=["bare", "in-a-pdf"])
def test_eicar_is_refused_and_nothing_is_stored(
    client: TestClient,
    db: Session,
    world: World,
    settings: Settings,
    storage: LocalStorage,
    clamd: ClamdServer,
    make,  # type: ignore[no-untyped-def]
) -> None:
    settings.clamd_url = clamd.url
    sign_in(client, world.member)
    response = upload(client, world.submit_url, world.fields(), make())
    assert response.status_code == 422
    assert "Our virus scanner found malware in this file (Test.EICAR.UNOFFICIAL)" in response.text
    assert_nothing_stored(db, storage)


def test_an_unreachable_scanner_refuses_uploads_with_503(
    client: TestClient, db: Session, world: World, settings: Settings, storage: LocalStorage
) -> None:
    settings.clamd_url = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    sign_in(client, world.member)
    response = upload(client, world.api_submit_url, world.fields(csrf_token=None), a_pdf(),
                      headers={"X-CSRF-Token": "test-csrf-token"})  # fmt: skip
    assert response.status_code == 503
    assert "Virus scanning is unavailable" in response.json()["error"]["message"]
    assert_nothing_stored(db, storage)
