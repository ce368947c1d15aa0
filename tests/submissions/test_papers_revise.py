"""Revised versions and withdrawal: the organisation until the deadline, organisers always."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.storage import LocalStorage
from app.submissions.models import Paper, PaperStatus, PaperVersion
from tests.submissions.conftest import World, a_pdf, stored_files, upload
from tests.support import sample_files as samples
from tests.support.web import post_form, sign_in


@pytest.fixture
def paper(client: TestClient, db: Session, world: World) -> Paper:
    sign_in(client, world.member)
    response = upload(client, world.submit_url, world.fields(), a_pdf(1), "first.pdf")
    assert response.status_code == 303
    return db.scalars(select(Paper)).one()


def _versions(db: Session) -> list[PaperVersion]:
    return list(db.scalars(select(PaperVersion).order_by(PaperVersion.number)))


def _close_window(db: Session, world: World) -> None:
    world.meeting.submissions_close_at = datetime.now(UTC) - timedelta(minutes=5)
    db.flush()


def _revise(client: TestClient, paper: Paper, data: bytes, name: str = "second.pdf", **fields: str):  # type: ignore[no-untyped-def]
    values = {"csrf_token": "test-csrf-token", **fields}
    return upload(client, f"/papers/{paper.id}/versions", values, data, name)


def test_a_member_uploads_a_revised_version_and_the_history_is_kept(
    client: TestClient, db: Session, world: World, paper: Paper, storage: LocalStorage
) -> None:
    sign_in(client, world.owner)
    second = samples.docx_document(["Revised text"])
    response = _revise(client, paper, second, "revised.docx", lock_version=str(paper.lock_version))
    assert response.status_code == 303, response.text[-400:]
    first_version, second_version = _versions(db)
    assert (first_version.number, second_version.number) == (1, 2)
    assert second_version.sha256 == hashlib.sha256(second).hexdigest()
    assert first_version.sha256 != second_version.sha256
    assert sorted(stored_files(storage)) == sorted(
        [first_version.file_key, second_version.file_key]
    )
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "paper.revise")).all()
    assert [e.after["version"] for e in events if e.after] == [2]
    page = client.get(f"/papers/{paper.id}")
    assert first_version.sha256 in page.text and second_version.sha256 in page.text
    assert "New version uploaded" in page.text


def test_a_revision_answers_a_request_for_revision(
    client: TestClient, db: Session, world: World, paper: Paper
) -> None:
    paper.status = PaperStatus.revision_requested
    db.flush()
    assert _revise(client, paper, a_pdf(2)).status_code == 303
    db.refresh(paper)
    assert paper.status is PaperStatus.submitted


def test_a_repeated_revision_with_a_stale_lock_version_is_refused(
    client: TestClient, db: Session, world: World, paper: Paper, storage: LocalStorage
) -> None:
    lock = str(paper.lock_version)
    assert _revise(client, paper, a_pdf(2), lock_version=lock).status_code == 303
    files = stored_files(storage)
    again = _revise(client, paper, a_pdf(3), lock_version=lock)
    assert again.status_code == 409
    assert "has changed since you opened the page" in again.text
    assert len(_versions(db)) == 2
    assert stored_files(storage) == files


def test_a_hostile_revision_is_refused_and_the_paper_unchanged(
    client: TestClient, db: Session, world: World, paper: Paper, storage: LocalStorage
) -> None:
    files = stored_files(storage)
    response = _revise(client, paper, samples.encrypted_pdf())
    assert response.status_code == 422
    assert "password-protected" in response.text
    assert len(_versions(db)) == 1
    assert stored_files(storage) == files


def test_after_the_deadline_members_cannot_revise_or_withdraw(
    client: TestClient, db: Session, world: World, paper: Paper, storage: LocalStorage
) -> None:
    _close_window(db, world)
    files = stored_files(storage)
    response = _revise(client, paper, a_pdf(2))
    assert response.status_code == 403
    assert (
        "has passed: only the organisers of this meeting can change the paper now" in response.text
    )
    withdraw = post_form(client, f"/papers/{paper.id}/withdraw")
    assert withdraw.status_code == 403
    db.refresh(paper)
    assert paper.status is PaperStatus.submitted
    assert stored_files(storage) == files
    page = client.get(f"/papers/{paper.id}")
    assert f'action="/papers/{paper.id}/versions"' not in page.text


def test_after_the_deadline_organisers_can_replace_and_withdraw(
    client: TestClient, db: Session, world: World, paper: Paper
) -> None:
    _close_window(db, world)
    sign_in(client, world.organiser)
    assert _revise(client, paper, a_pdf(2)).status_code == 303
    assert len(_versions(db)) == 2
    response = post_form(client, f"/papers/{paper.id}/withdraw")
    assert response.status_code == 303
    db.refresh(paper)
    assert paper.status is PaperStatus.withdrawn


def test_a_member_withdraws_before_the_deadline(
    client: TestClient, db: Session, world: World, paper: Paper
) -> None:
    response = post_form(
        client, f"/papers/{paper.id}/withdraw", {"lock_version": str(paper.lock_version)}
    )
    assert response.status_code == 303
    db.refresh(paper)
    assert paper.status is PaperStatus.withdrawn and paper.withdrawn_at is not None
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "paper.withdraw")).one()
    again = post_form(client, f"/papers/{paper.id}/withdraw")
    assert again.status_code == 409
    assert _revise(client, paper, a_pdf(2)).status_code == 409
    assert "Withdrawn" in client.get(f"/organisations/{world.org.id}/submissions").text


@pytest.mark.parametrize(
    "who", ["moderator", "other_owner", "other_organiser", "other_moderator", "stranger"]
)
def test_others_cannot_revise_or_withdraw(
    client: TestClient, db: Session, world: World, paper: Paper, who: str
) -> None:
    sign_in(client, getattr(world, who))
    assert _revise(client, paper, a_pdf(2)).status_code == 403
    assert post_form(client, f"/papers/{paper.id}/withdraw").status_code == 403
    db.refresh(paper)
    assert paper.status is PaperStatus.submitted
    assert len(_versions(db)) == 1
