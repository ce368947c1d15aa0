"""One action on a selection of papers: decide (accept, reject, ...), route, or assign.

Input that is wrong for every paper (no reason for a rejection, an unknown reason code,
assignee or agenda item) refuses the whole action (422) before anything changes. After that
each paper is done on its own, in its own savepoint: a paper someone else changed meanwhile
(its lock version moved on), or one the action does not fit (not accepted, so it cannot be
routed), is reported and left as it is, and the others go through. The moderator sees which
papers were done and which were not, with their current state, and can act on those again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import Settings
from app.consultations.models import Meeting
from app.errors import AppError, FormError
from app.i18n import N_
from app.i18n import gettext as _
from app.moderation import assignment, service
from app.moderation import repository as moderation_repository
from app.moderation.schemas import BulkInput, DecisionCreate
from app.moderation.service import PaperConflict
from app.submissions.models import Paper, PaperStatus

NO_PAPER = N_("This paper is not in this meeting's queue.")


@dataclass(frozen=True)
class Outcome:
    paper_id: int
    title: str
    done: bool
    conflict: bool = False
    message: str = ""


@dataclass
class BulkResult:
    action: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.done]

    @property
    def conflicts(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.conflict]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.done and not o.conflict]


def _assignee_id(actor: User, value: str | None) -> int | None:
    if value in (None, "none"):
        return None
    if value == "me":
        return actor.id
    return int(value or 0)


def _check_once(session: Session, actor: User, meeting: Meeting, data: BulkInput) -> None:
    """Refuse input that is wrong whatever the paper, before changing anything."""
    if data.action in ("accepted", "rejected", "revision_requested", "in_review"):
        target = PaperStatus(data.action)
        reason = service.reason_for(session, meeting.process_id, data.reason_code)
        service.check_reason(target, reason, data.reason)
    elif data.action == "assign":
        if data.assignee is None:
            raise FormError({"assignee": _("Choose who to assign the papers to.")})
        assignment.check_assignee(session, meeting.process, _assignee_id(actor, data.assignee))
    elif (
        data.action == "route"
        and data.agenda_item_id is not None
        and all(item.id != data.agenda_item_id for item in meeting.agenda_items)
    ):
        raise FormError({"agenda_item_id": _("Choose an agenda item of this meeting.")})


def _apply_one(
    session: Session,
    settings: Settings,
    actor: User,
    data: BulkInput,
    paper: Paper,
    lock_version: int,
) -> None:
    if data.action == "assign":
        assignee = _assignee_id(actor, data.assignee)
        assignment.assign(session, actor, paper, assignee, lock_version)
    elif data.action == "route":
        item_id = data.agenda_item_id
        if item_id is None:
            service.check_lock(paper, lock_version)
            links = sorted(paper.agenda_links, key=lambda link: link.agenda_item.position)
            item_id = paper.routed_item_id or (links[0].agenda_item_id if links else 0)
        assignment.route(session, actor, paper, item_id, lock_version)
    else:
        decision = DecisionCreate(
            to_status=PaperStatus(data.action),
            reason_code=data.reason_code,
            reason=data.reason,
            staged=data.staged,
            lock_version=lock_version,
        )
        service.decide(session, settings, actor, paper, decision)


def apply(
    session: Session, settings: Settings, actor: User, meeting: Meeting, data: BulkInput
) -> BulkResult:
    _check_once(session, actor, meeting, data)
    refs = dict(data.papers)  # the same paper twice: the last lock version counts
    papers = moderation_repository.get_papers(session, list(refs))
    result = BulkResult(action=data.action)
    for paper_id, lock_version in refs.items():
        paper = papers.get(paper_id)
        if paper is None or paper.meeting_id != meeting.id:
            result.outcomes.append(Outcome(paper_id, "", done=False, message=NO_PAPER))
            continue
        try:
            _apply_one(session, settings, actor, data, paper, lock_version)
        except PaperConflict as exc:
            result.outcomes.append(Outcome(paper.id, paper.title, False, True, exc.message))
        except AppError as exc:
            message = exc.message
            if isinstance(exc, FormError) and exc.fields:
                message = next(iter(exc.fields.values()))
            result.outcomes.append(Outcome(paper.id, paper.title, False, False, message))
        else:
            result.outcomes.append(Outcome(paper.id, paper.title, done=True))
    return result
