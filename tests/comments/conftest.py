"""A consultation with an agenda item open for comments, and the people who act on it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.comments import service
from app.consultations.models import AgendaItem, CommentMode, Meeting, Process, ProcessRole
from app.organisations.models import Organisation
from tests.factories import (
    add_member,
    grant,
    make_agenda_item,
    make_meeting,
    make_organisation,
    make_process,
    make_user,
)


@dataclass
class World:
    process: Process
    meeting: Meeting
    item: AgendaItem
    closed_item: AgendaItem
    premoderated_item: AgendaItem
    organisation: Organisation
    people: dict[str, User]

    def __getattr__(self, name: str) -> User:
        people: dict[str, User] = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


@pytest.fixture
def world(db: Session) -> World:
    process = make_process(db, title="Asia Dialogue")
    other_process = make_process(db, title="Other Dialogue")
    meeting = make_meeting(db, process, title="Bishkek Review", timezone="Asia/Bishkek")
    item = make_agenda_item(db, meeting, number="1", title="Opening", background="Why we meet.")
    closed_item = make_agenda_item(db, meeting, number="2", title="Closed", comments_open=False)
    premoderated = make_meeting(db, process, comment_mode=CommentMode.premoderated)
    premoderated_item = make_agenda_item(db, premoderated, number="1", title="Held")
    people = {
        "author": make_user(db, name="Aida Author", email="aida@example.org"),
        "member": make_user(db, name="Mika Member"),
        "stranger": make_user(db, name="Sam Stranger"),
        "moderator": make_user(db, name="Mo Moderator"),
        "organiser": make_user(db, name="Olga Organiser"),
        "other_moderator": make_user(db, name="Otto Elsewhere"),
        "admin": make_user(db, name="Ada Admin", is_admin=True),
    }
    organisation = make_organisation(db, owner=people["author"], name="Steppe Voices")
    add_member(db, organisation, people["member"])
    grant(db, people["moderator"], process, ProcessRole.moderator)
    grant(db, people["organiser"], process, ProcessRole.organiser)
    grant(db, people["other_moderator"], other_process, ProcessRole.moderator)
    for loaded in (item, closed_item, premoderated_item):  # with meeting and process, as routes do
        service.get_agenda_item(db, loaded.id)
    return World(process, meeting, item, closed_item, premoderated_item, organisation, people)
