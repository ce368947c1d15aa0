"""Who works on a paper (claim / assign) and where an accepted paper goes (its dossier section).

Both are checked against the lock version the moderator saw, like decisions (service.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Process
from app.db import utcnow
from app.errors import Conflict, FormError
from app.i18n import gettext as _
from app.moderation import policies, repository
from app.moderation.service import check_lock, guarded, state
from app.submissions.models import Paper


def assignable(session: Session, process: Process, user: User) -> list[User]:
    """The people a paper can be assigned to: the process's moderators and organisers (and
    the acting user, e.g. an administrator without a grant)."""
    people = repository.moderators_of(session, process.id)
    if all(person.id != user.id for person in people):
        people.insert(0, user)
    return people


def check_assignee(session: Session, process: Process, assignee_id: int | None) -> User | None:
    """The user to assign to, who must be able to triage the process."""
    if assignee_id is None:
        return None
    assignee = repository.get_user(session, assignee_id)
    if assignee is None or not policies.can_triage(
        consultations.permissions_for(session, assignee, process)
    ):
        raise FormError({"assignee": _("Choose a moderator or organiser of this process.")})
    return assignee


def assign(
    session: Session, actor: User, paper: Paper, assignee_id: int | None, lock_version: int
) -> Paper:
    """Assign the paper to a moderator of its process (None: nobody); claiming is assigning
    to oneself."""
    check_lock(paper, lock_version)
    assignee = check_assignee(session, paper.meeting.process, assignee_id)
    if paper.assignee_id == assignee_id:
        return paper
    before = state(paper)

    def change() -> None:
        paper.assignee_id = assignee.id if assignee else None
        paper.updated_at = utcnow()

    guarded(session, paper, change)
    after = state(paper)
    action = "paper.claim" if assignee_id == actor.id else "paper.assign"
    audit.record(session, actor, action, "paper", paper.id, before, after)
    return paper


def route(
    session: Session, actor: User, paper: Paper, agenda_item_id: int, lock_version: int
) -> Paper:
    """Send an accepted paper to a dossier section: an agenda item of its meeting."""
    check_lock(paper, lock_version)
    if not policies.can_route(paper.status):
        raise Conflict(
            _("Only accepted papers can be routed; “%(title)s” is not accepted.")
            % {"title": paper.title}
        )
    if all(item.id != agenda_item_id for item in paper.meeting.agenda_items):
        raise FormError({"agenda_item_id": _("Choose an agenda item of this meeting.")})
    if paper.routed_item_id == agenda_item_id:
        return paper
    before = state(paper)

    def change() -> None:
        paper.routed_item_id = agenda_item_id
        paper.updated_at = utcnow()

    guarded(session, paper, change)
    audit.record(session, actor, "paper.route", "paper", paper.id, before, state(paper))
    return paper
