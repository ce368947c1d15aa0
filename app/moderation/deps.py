"""Loader dependencies of the triage pages and API: load the meeting, paper or process of the
request and check that the user may triage it (moderators and organisers of THAT process, and
platform administrators). Unknown objects are 404 before any permission check; others are 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import ApiUser, CurrentUser
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting, Process
from app.consultations.service import ProcessPermissions
from app.deps import SessionDep
from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.moderation import policies, repository
from app.submissions.models import Paper

NOT_A_MODERATOR = N_("Only the moderators and organisers of this process can triage its papers.")
NOT_AN_ORGANISER = N_("Only the organisers of this process can do this.")


@dataclass(frozen=True)
class Triage:
    """A meeting's queue, and who is looking at it."""

    meeting: Meeting
    user: User
    can: ProcessPermissions


@dataclass(frozen=True)
class TriagePaper:
    paper: Paper
    user: User
    can: ProcessPermissions


@dataclass(frozen=True)
class ReasonCodes:
    process: Process
    user: User


def _permissions(session: Session, user: User, process: Process) -> ProcessPermissions:
    can = consultations.permissions_for(session, user, process)
    if not policies.can_triage(can):
        raise Forbidden(NOT_A_MODERATOR)
    return can


def _meeting(session: Session, user: User, meeting: Meeting) -> Triage:
    return Triage(meeting, user, _permissions(session, user, meeting.process))


def _releasing(ctx: Triage) -> Triage:
    if not policies.can_release(ctx.can):
        raise Forbidden(_("Only the organisers of this process can release staged decisions."))
    return ctx


def _paper(session: Session, user: User, paper_id: int) -> TriagePaper:
    paper = repository.get_paper(session, paper_id)
    if paper is None:
        raise NotFound(_("There is no such paper."))
    return TriagePaper(paper, user, _permissions(session, user, paper.meeting.process))


def _api_meeting(session: Session, user: User, meeting_id: int) -> Triage:
    meeting = repository.get_meeting(session, meeting_id)
    if meeting is None:
        raise NotFound(_("There is no such meeting."))
    return _meeting(session, user, meeting)


# --- pages ------------------------------------------------------------------------------------


def load_queue(session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str) -> Triage:
    return _meeting(session, user, consultations.get_meeting_page(session, slug, meeting_slug))


def load_release(ctx: Annotated[Triage, Depends(load_queue)]) -> Triage:
    return _releasing(ctx)


def load_triage_paper(session: SessionDep, user: CurrentUser, paper_id: int) -> TriagePaper:
    return _paper(session, user, paper_id)


def load_reason_codes(session: SessionDep, user: CurrentUser, slug: str) -> ReasonCodes:
    process = consultations.get_process_page(session, slug)
    if not policies.can_manage_reason_codes(consultations.permissions_for(session, user, process)):
        raise Forbidden(NOT_AN_ORGANISER)
    return ReasonCodes(process, user)


Queue = Annotated[Triage, Depends(load_queue)]
ReleasingQueue = Annotated[Triage, Depends(load_release)]
TriagedPaper = Annotated[TriagePaper, Depends(load_triage_paper)]
ReasonCodeList = Annotated[ReasonCodes, Depends(load_reason_codes)]


# --- API --------------------------------------------------------------------------------------


def api_load_queue(session: SessionDep, user: ApiUser, meeting_id: int) -> Triage:
    return _api_meeting(session, user, meeting_id)


def api_load_release(ctx: Annotated[Triage, Depends(api_load_queue)]) -> Triage:
    return _releasing(ctx)


def api_load_triage_paper(session: SessionDep, user: ApiUser, paper_id: int) -> TriagePaper:
    return _paper(session, user, paper_id)


ApiQueue = Annotated[Triage, Depends(api_load_queue)]
ApiReleasingQueue = Annotated[Triage, Depends(api_load_release)]
ApiTriagedPaper = Annotated[TriagePaper, Depends(api_load_triage_paper)]
