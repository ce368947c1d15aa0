"""`plenary storage check`: orphan files and missing files, against a real database file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import Database
from app.storage import LocalStorage
from tests.factories import make_meeting, make_organisation, make_paper, make_process, make_user

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PLENARY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PLENARY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def _papers(data_dir: Path, count: int) -> list[str]:
    """Papers with one version each; returns their file keys (no files written)."""
    database = Database(f"sqlite:///{data_dir / 'plenary.sqlite3'}")
    keys = []
    with database.sessionmaker() as session, session.begin():
        meeting = make_meeting(session, make_process(session))
        org = make_organisation(session, owner=make_user(session))
        for _ in range(count):
            paper = make_paper(session, meeting, org)
            session.flush()
            keys.append(_file_key(session, paper.id))
    database.dispose()
    return keys


def _file_key(session, paper_id: int) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from app.submissions.models import PaperVersion

    return str(
        session.scalar(select(PaperVersion.file_key).where(PaperVersion.paper_id == paper_id))
    )


def test_storage_check_reports_orphans_and_missing_files(data_dir: Path) -> None:
    storage = LocalStorage(data_dir / "files")
    present, missing = _papers(data_dir, 2)
    target = storage.root / present
    target.parent.mkdir(parents=True)
    target.write_bytes(b"%PDF-1.7 present")
    orphan = storage.put_stream([b"nobody refers to me"], max_bytes=100).key

    result = runner.invoke(cli, ["storage", "check"])
    assert result.exit_code == 1
    assert f"orphan: {orphan}" in result.output
    assert f"missing: {missing}" in result.output
    assert present not in result.output
    assert "2 file(s) referenced, 1 missing, 1 orphan(s)." in result.output

    young = runner.invoke(cli, ["storage", "check", "--delete-orphans"])
    assert "deleted" not in young.output  # it may belong to an upload still committing
    assert storage.exists(orphan)

    cleaned = runner.invoke(cli, ["storage", "check", "--delete-orphans", "--min-age-hours", "0"])
    assert f"deleted orphan: {orphan}" in cleaned.output
    assert not storage.exists(orphan)
    assert cleaned.exit_code == 1  # the missing file is still missing

    (storage.root / missing).parent.mkdir(parents=True, exist_ok=True)
    (storage.root / missing).write_bytes(b"%PDF-1.7 restored")
    fine = runner.invoke(cli, ["storage", "check"])
    assert fine.exit_code == 0, fine.output
    assert "0 missing, 0 orphan(s)" in fine.output


def test_dossier_build_files_are_not_orphans(data_dir: Path) -> None:
    from app.dossiers.models import BuildState, Dossier, DossierBuild

    storage = LocalStorage(data_dir / "files")
    pdf = storage.put_stream([b"%PDF-1.7 dossier"], max_bytes=100).key
    archive = storage.put_stream([b"PK zip"], max_bytes=100).key
    database = Database(f"sqlite:///{data_dir / 'plenary.sqlite3'}")
    with database.sessionmaker() as session, session.begin():
        meeting = make_meeting(session, make_process(session))
        dossier = Dossier(meeting_id=meeting.id)
        session.add(dossier)
        session.flush()
        session.add(
            DossierBuild(
                dossier_id=dossier.id,
                number=1,
                state=BuildState.succeeded,
                pdf_key=pdf,
                zip_key=archive,
            )
        )
    database.dispose()
    result = runner.invoke(cli, ["storage", "check", "--delete-orphans", "--min-age-hours", "0"])
    assert result.exit_code == 0, result.output
    assert storage.exists(pdf)
    assert storage.exists(archive)
