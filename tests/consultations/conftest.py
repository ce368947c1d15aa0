"""A small consultation world shared by the route and API tests, and the people who act in it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole
from tests.factories import grant, make_agenda_item, make_meeting, make_process, make_user

PERSONAS = ("anonymous", "stranger", "moderator", "other_organiser", "organiser", "admin")
ORGANISING = ("organiser", "admin")
NOT_ORGANISING = ("stranger", "moderator", "other_organiser")


@dataclass
class World:
    process: Process
    other_process: Process
    meeting: Meeting
    item: AgendaItem
    people: dict[str, User | None]

    @property
    def meeting_url(self) -> str:
        return f"/processes/{self.process.slug}/meetings/{self.meeting.slug}"


@pytest.fixture
def world(db: Session) -> World:
    process = make_process(db, title="Asia Dialogue", regions=["Central Asia"])
    other_process = make_process(db, title="Other Dialogue")
    meeting = make_meeting(db, process, title="Bishkek Review", timezone="Asia/Bishkek")
    item = make_agenda_item(db, meeting, number="1", title="Opening")
    people: dict[str, User | None] = {
        "anonymous": None,
        "stranger": make_user(db),
        "moderator": make_user(db),
        "other_organiser": make_user(db),
        "organiser": make_user(db),
        "admin": make_user(db, is_admin=True),
    }
    grant(db, people["moderator"], process, ProcessRole.moderator)  # type: ignore[arg-type]
    grant(db, people["other_organiser"], other_process, ProcessRole.organiser)  # type: ignore[arg-type]
    grant(db, people["organiser"], process, ProcessRole.organiser)  # type: ignore[arg-type]
    return World(process, other_process, meeting, item, people)
