"""A meeting with agenda items, organisations and everyone who may (or may not) look at its
dossier. Test modules import the `dw` fixture from here (`from tests.dossiers.world import dw`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import Settings
from app.consultations import service as consultations
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole
from app.organisations.models import Organisation, OrganisationType
from app.storage import Storage, get_storage
from app.submissions.models import Paper
from tests.factories import (
    accept_and_route,
    grant,
    make_agenda_item,
    make_meeting,
    make_organisation,
    make_paper,
    make_process,
    make_user,
    store_version_file,
)
from tests.support import sample_files as samples

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class DossierWorld:
    db: Session
    storage: Storage
    process: Process
    meeting: Meeting
    item: AgendaItem
    item2: AgendaItem
    org: Organisation
    other_org: Organisation
    owner: User
    organiser: User
    moderator: User
    admin: User
    other_organiser: User
    other_moderator: User
    stranger: User
    count: int = 0

    @property
    def url(self) -> str:
        return f"/processes/{self.process.slug}/meetings/{self.meeting.slug}/dossier"

    @property
    def api_url(self) -> str:
        return f"/api/v1/meetings/{self.meeting.id}/dossier"

    def paper(
        self,
        item: AgendaItem | None = None,
        *,
        pages: int = 0,
        route: bool = True,
        org: Organisation | None = None,
        **kw: Any,
    ) -> Paper:
        """A paper of the meeting, accepted and routed to `item` (default: the first item)
        unless `route` is False; with `pages`, a real PDF of that many pages is stored."""
        self.count += 1
        kw.setdefault("submitted_at", T0 + timedelta(minutes=self.count))
        target = item or self.item
        paper = make_paper(self.db, self.meeting, org or self.org, self.owner, [target], **kw)
        if pages:
            data = samples.pdf_document(pages)
            store_version_file(self.db, self.storage, paper, data, pages=pages)
        if route:
            accept_and_route(self.db, paper, target)
        return paper


@pytest.fixture
def dw(db: Session, settings: Settings) -> DossierWorld:
    process = make_process(db, title="Issyk-Kul Dialogue")
    other_process = make_process(db)
    meeting = make_meeting(
        db, process, title="Preparatory consultation", timezone="Asia/Bishkek", venue="Bishkek"
    )
    owner = make_user(db)
    org = make_organisation(db, owner=owner, name="Migrant Workers Support Centre", country="KG")
    other_org = make_organisation(
        db, name="Asociación de Migrantes", country="ES", type=OrganisationType.diaspora
    )
    organiser, moderator, admin = make_user(db), make_user(db), make_user(db, is_admin=True)
    other_organiser, other_moderator = make_user(db), make_user(db)
    grant(db, organiser, process, ProcessRole.organiser)
    grant(db, moderator, process, ProcessRole.moderator)
    grant(db, other_organiser, other_process, ProcessRole.organiser)
    grant(db, other_moderator, other_process, ProcessRole.moderator)
    consultations.get_meeting_page(db, process.slug, meeting.slug)  # loads meeting.process
    return DossierWorld(
        db=db,
        storage=get_storage(settings),
        process=process,
        meeting=meeting,
        item=make_agenda_item(db, meeting, number="1", title="Recruitment", position=1),
        item2=make_agenda_item(db, meeting, number="2", title="Remittances", position=2),
        org=org,
        other_org=other_org,
        owner=owner,
        organiser=organiser,
        moderator=moderator,
        admin=admin,
        other_organiser=other_organiser,
        other_moderator=other_moderator,
        stranger=make_user(db),
    )
