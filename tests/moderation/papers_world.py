"""A meeting with papers to triage, and everyone who looks at them. The
`triage` fixture reaches the test modules through conftest.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole
from app.moderation.models import ReasonCode
from app.organisations.models import MemberRole, Organisation
from app.submissions.models import Paper
from tests.factories import (
    add_member,
    grant,
    make_agenda_item,
    make_meeting,
    make_organisation,
    make_paper,
    make_process,
    make_user,
)
from tests.support.web import TEST_CSRF

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Triage:
    process: Process
    meeting: Meeting
    item: AgendaItem
    item2: AgendaItem
    org: Organisation
    other_org: Organisation
    owner: User
    member: User
    organiser: User
    moderator: User
    moderator2: User
    admin: User
    other_organiser: User
    other_moderator: User
    stranger: User
    off_topic: ReasonCode
    papers: list[Paper] = field(default_factory=list)

    @property
    def queue_url(self) -> str:
        return f"/processes/{self.process.slug}/meetings/{self.meeting.slug}/queue"

    def paper(self, db: Session, **kw: Any) -> Paper:
        values: dict[str, Any] = {"submitted_at": T0 + timedelta(minutes=len(self.papers))}
        values.update(kw)
        org = values.pop("org", self.org)
        items = values.pop("items", [self.item])
        paper = make_paper(db, self.meeting, org, self.owner, items, **values)
        self.papers.append(paper)
        return paper


@pytest.fixture
def triage(db: Session) -> Triage:
    process = make_process(db, title="Issyk-Kul Dialogue")
    other_process = make_process(db)
    meeting = make_meeting(db, process, title="Preparatory consultation", timezone="Asia/Bishkek")
    owner, member = make_user(db, name="Olga Owner"), make_user(db, name="Mo Member")
    org = make_organisation(db, owner=owner, name="Migrant Workers Support Centre", country="KG")
    add_member(db, org, member, MemberRole.member)
    other_org = make_organisation(db, name="Asociación de Migrantes", country="ES")
    organiser, moderator = make_user(db, name="Orla Organiser"), make_user(db, name="Mina Mod")
    moderator2 = make_user(db, name="Milo Mod")
    other_organiser, other_moderator = make_user(db), make_user(db)
    grant(db, organiser, process, ProcessRole.organiser)
    grant(db, moderator, process, ProcessRole.moderator)
    grant(db, moderator2, process, ProcessRole.moderator)
    grant(db, other_organiser, other_process, ProcessRole.organiser)
    grant(db, other_moderator, other_process, ProcessRole.moderator)
    off_topic = ReasonCode(process_id=process.id, code="off-topic", label="Not on the agenda")
    db.add(off_topic)
    db.flush()
    return Triage(
        process=process,
        meeting=meeting,
        item=make_agenda_item(db, meeting, number="1", title="Recruitment", position=1),
        item2=make_agenda_item(db, meeting, number="2", title="Remittances", position=2),
        org=org,
        other_org=other_org,
        owner=owner,
        member=member,
        organiser=organiser,
        moderator=moderator,
        moderator2=moderator2,
        admin=make_user(db, is_admin=True),
        other_organiser=other_organiser,
        other_moderator=other_moderator,
        stranger=make_user(db),
        off_topic=off_topic,
    )


def post(client: TestClient, url: str, data: dict[str, Any], *, htmx: bool = False) -> Response:
    """A form POST with the CSRF token; lists become repeated fields."""
    form = {"csrf_token": TEST_CSRF, **data}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data=form, headers=headers, follow_redirects=False)
