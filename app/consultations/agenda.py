"""Agenda items of a meeting: add, edit, reorder, delete. Services flush; the request commits."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.consultations import repository
from app.consultations.models import AgendaItem, Meeting
from app.consultations.schemas import AgendaItemCreate, AgendaItemUpdate
from app.consultations.service import local_to_utc, snapshot
from app.errors import FormError
from app.i18n import gettext as _

ITEM_FIELDS = ("number", "title", "background", "papers_open", "comments_open", "closes_at")


class Direction(enum.StrEnum):
    up = "up"
    down = "down"


def list_items(session: Session, meeting: Meeting) -> list[AgendaItem]:
    return repository.list_agenda_items(session, meeting.id)


def _checked_values(
    session: Session, meeting: Meeting, changes: dict[str, Any], except_id: int | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values = dict(changes)
    if "closes_at" in values:
        values["closes_at"] = local_to_utc(
            values["closes_at"], meeting.timezone, "closes_at", errors
        )
    if "number" in values and repository.agenda_number_taken(
        session, meeting.id, values["number"], except_id
    ):
        errors["number"] = _("Another agenda item of this meeting has this number.")
    if errors:
        raise FormError(errors)
    return values


def add_item(session: Session, actor: User, meeting: Meeting, data: AgendaItemCreate) -> AgendaItem:
    values = _checked_values(session, meeting, data.model_dump(), None)
    position = repository.last_agenda_position(session, meeting.id) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, **values)
    session.add(item)
    session.flush()
    after = snapshot(item, ITEM_FIELDS)
    audit.record(session, actor, "agenda_item.create", "agenda_item", item.id, None, after)
    return item


def update_item(
    session: Session, actor: User, meeting: Meeting, item: AgendaItem, data: AgendaItemUpdate
) -> AgendaItem:
    changes = data.changes()
    position = changes.pop("position", None)
    values = _checked_values(session, meeting, changes, item.id)
    before = snapshot(item, ITEM_FIELDS)
    for field, value in values.items():
        setattr(item, field, value)
    session.flush()
    after = snapshot(item, ITEM_FIELDS)
    if after != before:
        audit.record(session, actor, "agenda_item.update", "agenda_item", item.id, before, after)
    if position is not None:
        move_item_to(session, actor, meeting, item, position)
    return item


def move_item_to(
    session: Session, actor: User, meeting: Meeting, item: AgendaItem, index: int
) -> list[AgendaItem]:
    """Put the item at the 0-based `index` of the agenda (clamped); positions become 1..n."""
    items = repository.list_agenda_items(session, meeting.id)
    old_index = next(i for i, other in enumerate(items) if other.id == item.id)
    index = max(0, min(index, len(items) - 1))
    items.insert(index, items.pop(old_index))
    for position, other in enumerate(items, start=1):
        other.position = position
    session.flush()
    if index != old_index:
        audit.record(
            session,
            actor,
            "agenda_item.move",
            "agenda_item",
            item.id,
            {"index": old_index},
            {"index": index},
        )
    return items


def move_item(
    session: Session, actor: User, meeting: Meeting, item: AgendaItem, direction: Direction
) -> list[AgendaItem]:
    items = repository.list_agenda_items(session, meeting.id)
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    target = index - 1 if direction is Direction.up else index + 1
    return move_item_to(session, actor, meeting, item, max(target, 0))


def delete_item(session: Session, actor: User, item: AgendaItem) -> None:
    before = snapshot(item, ITEM_FIELDS)
    item_id = item.id
    session.delete(item)
    session.flush()
    audit.record(session, actor, "agenda_item.delete", "agenda_item", item_id, before, None)
