"""Evidence files are judged by their bytes and capped in size; refused files leave nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.impact import evidence
from app.impact.models import FollowUpReport
from app.storage import FileTooLarge, LocalStorage
from app.uploads.refusals import InfectedFile, ScanningUnavailable
from tests.impact.factories import ImpactWorld, impact_world
from tests.support.clamd import (
    EICAR,
    ClamdServer,
    free_port,
    started_clamd,
)
from tests.support.web import TEST_CSRF, sign_in


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (
            _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            _zip({"xl/workbook.xml": b"<w/>"}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
            "application/vnd.oasis.opendocument.text",
        ),
        (_zip({"evil.js": b"alert(1)"}), None),
        (b"MZ\x90\x00", None),
        (b"<html><script>", None),
    ],
)
def test_sniffing(tmp_path: Path, data: bytes, media_type: str | None) -> None:
    storage = LocalStorage(tmp_path)
    if media_type is None:
        with pytest.raises(evidence.UnsupportedEvidence):
            evidence.receive(storage, "x.bin", [data])
        assert list(storage.iter_keys()) == []  # nothing left behind
    else:
        received = evidence.receive(storage, "../../x.pdf", [data], "A title")
        assert received.media_type == media_type
        assert "/" not in received.original_name
        assert storage.exists(received.key)


def test_size_cap(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world: ImpactWorld = impact_world(db)
    db.flush()
    monkeypatch.setattr(evidence, "MAX_EVIDENCE_BYTES", 1024)
    with pytest.raises(FileTooLarge):
        evidence.receive(LocalStorage(tmp_path), "big.pdf", [b"%PDF-" + b"0" * 2000])
    sign_in(client, world.focal_kg)
    response = client.post(
        f"/recommendations/{world.recommendation.id}/countries/KG/official",
        data={"csrf_token": TEST_CSRF, "status": "implemented", "reported_on": "2026-01-01"},
        files={"file": ("big.pdf", b"%PDF-" + b"0" * 5000, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 413
    assert db.scalars(select(FollowUpReport)).first() is None


def test_evidence_of_a_draft_is_not_served(client: TestClient, db: Session) -> None:
    from app.impact.models import EvidenceKind, ImplementationStatus, ReportEvidence, ReportKind

    world = impact_world(db)
    report = FollowUpReport(
        recommendation_id=world.recommendation.id,
        country="KG",
        kind=ReportKind.official,
        thread_key=f"{world.recommendation.id}:KG:official",
        status=ImplementationStatus.implemented,
        reported_on=world.recommendation.adopted_on,
    )
    db.add(report)
    db.flush()
    item = ReportEvidence(report_id=report.id, kind=EvidenceKind.file, file_key="00/00/" + "0" * 32)
    db.add(item)
    world.recommendation.adopted_on = None
    db.flush()
    sign_in(client, None)
    assert client.get(f"/evidence/{item.id}").status_code == 404
    assert client.get(f"/api/v1/evidence/{item.id}/file").status_code == 404


@pytest.fixture(scope="module")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdServer]:
    yield from started_clamd(tmp_path_factory)


def test_evidence_is_scanned_like_papers(tmp_path: Path, clamd: ClamdServer) -> None:
    """With clamd configured, infected evidence is refused and nothing stays behind; clean
    evidence is kept; an unreachable clamd refuses rather than letting a file through."""
    storage = LocalStorage(tmp_path)
    infected = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"
    with pytest.raises(InfectedFile):
        evidence.receive(storage, "x.pdf", [infected], clamd_url=clamd.url)
    assert list(storage.iter_keys()) == []
    with pytest.raises(ScanningUnavailable):
        evidence.receive(
            storage, "x.pdf", [b"%PDF-1.4\n%%EOF\n"], clamd_url=f"tcp://127.0.0.1:{free_port()}"
        )
    assert list(storage.iter_keys()) == []
    kept = evidence.receive(storage, "x.pdf", [b"%PDF-1.4\n%%EOF\n"], clamd_url=clamd.url)
    assert storage.exists(kept.key)
