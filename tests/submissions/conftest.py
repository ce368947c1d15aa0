"""A meeting open for papers, organisations and the people who act on papers, and helpers to
upload real files through the HTTP routes and to check that a refusal left nothing behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import Settings
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole
from app.organisations.models import MemberRole, Organisation
from app.storage import LocalStorage, get_storage
from app.submissions.models import Paper, PaperVersion
from tests.factories import (
    add_member,
    grant,
    make_agenda_item,
    make_meeting,
    make_organisation,
    make_process,
    make_user,
)
from tests.support import sample_files as samples
from tests.support.web import TEST_CSRF

PDF_TYPE = "application/pdf"


@dataclass
class World:
    process: Process
    meeting: Meeting
    item: AgendaItem
    item2: AgendaItem
    closed_item: AgendaItem
    org: Organisation
    other_org: Organisation
    owner: User
    member: User
    other_owner: User
    organiser: User
    moderator: User
    other_organiser: User
    other_moderator: User
    stranger: User

    @property
    def meeting_url(self) -> str:
        return f"/processes/{self.process.slug}/meetings/{self.meeting.slug}"

    @property
    def submit_url(self) -> str:
        return f"{self.meeting_url}/papers"

    @property
    def api_submit_url(self) -> str:
        return f"/api/v1/meetings/{self.meeting.id}/papers"

    def fields(self, **overrides: Any) -> dict[str, Any]:
        """A valid submission form (without the file)."""
        values: dict[str, Any] = {
            "csrf_token": TEST_CSRF,
            "organisation_id": str(self.org.id),
            "title": "Safe labour migration corridors",
            "summary": "What recruitment reform should achieve, in three proposals.",
            "language": "en",
            "agenda_item_ids": [str(self.item.id)],
            "consent": "public_named",
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def world(db: Session) -> World:
    process = make_process(db, title="Issyk-Kul Dialogue")
    other_process = make_process(db)
    meeting = make_meeting(
        db,
        process,
        title="Preparatory consultation",
        timezone="Asia/Bishkek",
        max_file_mb=1,
        papers_per_organisation=2,
        summary_word_limit=20,
    )
    owner, member, other_owner = make_user(db), make_user(db), make_user(db)
    org = make_organisation(db, owner=owner, name="Migrant Workers Support Centre")
    add_member(db, org, member, MemberRole.member)
    other_org = make_organisation(db, owner=other_owner, name="Asociación de Migrantes")
    organiser, moderator, other_organiser = make_user(db), make_user(db), make_user(db)
    other_moderator = make_user(db)
    grant(db, organiser, process, ProcessRole.organiser)
    grant(db, moderator, process, ProcessRole.moderator)
    grant(db, other_organiser, other_process, ProcessRole.organiser)
    grant(db, other_moderator, other_process, ProcessRole.moderator)
    return World(
        process=process,
        meeting=meeting,
        item=make_agenda_item(db, meeting, number="1", title="Recruitment"),
        item2=make_agenda_item(db, meeting, number="2", title="Remittances"),
        closed_item=make_agenda_item(db, meeting, number="3", title="Closing", papers_open=False),
        org=org,
        other_org=other_org,
        owner=owner,
        member=member,
        other_owner=other_owner,
        organiser=organiser,
        moderator=moderator,
        other_organiser=other_organiser,
        other_moderator=other_moderator,
        stranger=make_user(db),
    )


@pytest.fixture
def storage(settings: Settings) -> LocalStorage:
    store = get_storage(settings)
    assert isinstance(store, LocalStorage)
    return store


def upload(
    client: TestClient,
    url: str,
    fields: dict[str, Any],
    data: bytes | None,
    filename: str = "paper.pdf",
    *,
    content_type: str = PDF_TYPE,
    headers: dict[str, str] | None = None,
) -> Response:
    """POST a multipart form, its fields first and the file last (as browsers send it)."""
    parts: list[tuple[str, Any]] = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append((name, str(one)))
    if data is not None:
        parts.append(("file", (filename, data, content_type)))
    body, boundary = multipart(parts)
    all_headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    all_headers.update(headers or {})
    return client.post(url, content=body, headers=all_headers, follow_redirects=False)


def multipart(
    parts: list[tuple[str, Any]], boundary: str = "plenary-test-boundary"
) -> tuple[bytes, str]:
    """Encode parts in exactly this order: (name, text) or (name, (filename, bytes, type))."""
    out = bytearray()
    for name, value in parts:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            filename, data, ctype = value
            out += (
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n"
            ).encode()
            out += data
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += value.encode()
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), boundary


def stored_files(storage: LocalStorage) -> list[str]:
    """Every file in storage, completed or partial."""
    if not storage.root.exists():
        return []
    return sorted(str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file())


def paper_count(db: Session) -> int:
    return int(db.scalar(select(func.count(Paper.id))) or 0)


def assert_nothing_stored(db: Session, storage: LocalStorage) -> None:
    assert stored_files(storage) == []
    assert paper_count(db) == 0
    assert db.scalar(select(func.count(PaperVersion.id))) == 0


def a_pdf(pages: int = 1) -> bytes:
    return samples.pdf_document(pages)
