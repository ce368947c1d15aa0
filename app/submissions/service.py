"""Papers: reading them and working out who may do what. Flushes, never commits.

Submitting lives in submit.py, versions and withdrawal in revise.py, co-signing in cosign.py,
receipts in receipt.py, windows and late exceptions in window.py, background jobs in tasks.py.
Other domains use this module (`from app.submissions import service as submissions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import AgendaItem, Meeting
from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.organisations import service as organisations
from app.organisations.models import Organisation
from app.submissions import policies, repository, window
from app.submissions.models import Paper, PaperCosigner, PaperVersion
from app.submissions.policies import NOBODY, PaperAccess

NO_PAPER = N_("There is no such paper.")
ACTION_LABELS = {
    "paper.submit": "Submitted",
    "paper.revise": N_("New version uploaded"),
    "paper.withdraw": "Withdrawn",
    "paper.cosign.confirm": N_("Co-signing confirmed"),
    "paper.cosign.decline": N_("Co-signing declined"),
    "paper.announce": N_("Decision announced"),
}


def get_paper(session: Session, paper_id: int, *, fresh: bool = False) -> Paper:
    paper = repository.get_paper(session, paper_id, fresh=fresh)
    if paper is None:
        raise NotFound(NO_PAPER)
    return paper


def access_of(session: Session, user: User | None, paper: Paper) -> PaperAccess:
    if user is None:
        return NOBODY
    can = consultations.permissions_for(session, user, paper.meeting.process)
    cosigner_member = any(
        organisations.role_of(session, cosigner.organisation, user) is not None
        for cosigner in paper.cosigners
        if cosigner.declined_at is None
    )
    return PaperAccess(
        member=organisations.role_of(session, paper.organisation, user) is not None,
        cosigner_member=cosigner_member,
        organiser=can.organise,
        moderator=can.moderate,
    )


def agenda_items_of(paper: Paper) -> list[AgendaItem]:
    return sorted((link.agenda_item for link in paper.agenda_links), key=lambda i: i.position)


def paper_deadline(session: Session, paper: Paper) -> datetime | None:
    exception = window.late_exception_of(session, paper.meeting, paper.organisation_id)
    return window.deadline(paper.meeting, agenda_items_of(paper), exception)


def before_deadline(session: Session, paper: Paper, now: datetime) -> bool:
    end = paper_deadline(session, paper)
    return end is not None and now < end


def current_version(paper: Paper) -> PaperVersion | None:
    return paper.versions[-1] if paper.versions else None


def version_of(paper: Paper, number: int) -> PaperVersion:
    for version in paper.versions:
        if version.number == number:
            return version
    raise NotFound(_("This paper has no such version."))


def cosigner_state(cosigner: PaperCosigner) -> str:
    if cosigner.confirmed_at is not None:
        return "confirmed"
    if cosigner.declined_at is not None:
        return "declined"
    return "pending"


# --- lists ------------------------------------------------------------------------------------


def papers_of_organisation(session: Session, org: Organisation) -> list[Paper]:
    return repository.list_papers_of_organisation(session, org.id)


def organisation_choices(session: Session) -> list[Organisation]:
    """Organisations to offer as co-signers, or for a late-submission exception."""
    return repository.organisation_choices(session)


def papers_of_meeting(session: Session, meeting: Meeting) -> list[Paper]:
    return repository.list_papers_of_meeting(session, meeting.id)


@dataclass(frozen=True)
class CosigningRequest:
    paper: Paper
    cosigner: PaperCosigner

    @property
    def state(self) -> str:
        return cosigner_state(self.cosigner)


def cosigning_requests(session: Session, org: Organisation) -> list[CosigningRequest]:
    """Papers of other organisations that asked this one to co-sign, newest first."""
    requests = []
    for paper in repository.list_cosigned_papers(session, org.id):
        for cosigner in paper.cosigners:
            if cosigner.organisation_id == org.id:
                requests.append(CosigningRequest(paper, cosigner))
    return requests


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    label: str
    detail: str


def history(session: Session, papers: list[Paper]) -> dict[int, list[HistoryEntry]]:
    """What happened to each paper, oldest first, as its organisation may know it: from the
    audit log, the events named in ACTION_LABELS (a decision shows once it is announced, never
    while it is staged; moderators' own events are on the moderation page)."""
    entries: dict[int, list[HistoryEntry]] = {paper.id: [] for paper in papers}
    for event in repository.paper_history(session, list(entries)):
        if event.action not in ACTION_LABELS:
            continue
        after = event.after or {}
        detail = ""
        if "status" in after and event.action not in ("paper.submit",):
            detail = str(after["status"]).replace("_", " ")
        if "version" in after:
            detail = _("version %(number)s") % {"number": after["version"]}
        if "organisation_name" in after:
            detail = str(after["organisation_name"])
        label = _(ACTION_LABELS[event.action]) if event.action in ACTION_LABELS else event.action
        if event.object_id is not None:
            entries[event.object_id].append(
                HistoryEntry(event.created_at, event.action, label, detail)
            )
    return entries


# --- meeting-level pages ------------------------------------------------------------------------


def require_meeting_staff(session: Session, user: User, meeting: Meeting) -> None:
    """Organisers and moderators of the meeting's process (they see all its papers)."""
    can = consultations.permissions_for(session, user, meeting.process)
    if not policies.can_see_all_papers(organises=can.organise, moderates=can.moderate):
        raise Forbidden(_("Only the organisers and moderators of this process can see its papers."))
