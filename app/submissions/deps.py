"""Loader dependencies: load the paper, meeting or organisation of the request and check that
the user may see it. Unknown objects are 404 before any permission check; others are 403.

Each comes twice: for pages (session cookie) and for the API (bearer token, or session + CSRF).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import ApiUser, CurrentUser
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting
from app.deps import SessionDep
from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.organisations import service as organisations
from app.organisations.models import MemberRole, Organisation
from app.submissions import policies, repository, service
from app.submissions.models import Paper
from app.submissions.policies import PaperAccess

NO_MEETING = N_("There is no such meeting.")
NOT_A_MEMBER = N_(
    "Only members of an organisation can submit papers. Create your organisation's profile, "
    "or ask one of its owners to invite you, then try again."
)


@dataclass(frozen=True)
class PaperContext:
    paper: Paper
    user: User
    access: PaperAccess


@dataclass(frozen=True)
class CosigningAnswer:
    paper: Paper
    organisation: Organisation
    user: User


@dataclass(frozen=True)
class OrgSubmissions:
    organisation: Organisation
    user: User
    role: MemberRole


def _paper(session: Session, user: User, paper_id: int) -> PaperContext:
    paper = service.get_paper(session, paper_id)
    access = service.access_of(session, user, paper)
    if not policies.can_view(access):
        raise Forbidden(_("Only the paper's organisation and the meeting's organisers can see it."))
    return PaperContext(paper, user, access)


def _receipt(ctx: PaperContext) -> PaperContext:
    if not policies.can_view_receipt(ctx.access):
        raise Forbidden(_("Only the paper's organisation and the organisers can see its receipt."))
    return ctx


def _require_member_somewhere(session: Session, user: User) -> None:
    if not organisations.memberships_of(session, user):
        raise Forbidden(NOT_A_MEMBER)


def _org_member(session: Session, user: User, org_id: int) -> OrgSubmissions:
    org = organisations.get_organisation(session, org_id)
    role = organisations.role_of(session, org, user)
    if role is None:
        raise Forbidden(_("Only the organisation's members can see its submissions."))
    return OrgSubmissions(org, user, role)


def _cosigning(session: Session, user: User, paper_id: int, org_id: int) -> CosigningAnswer:
    paper = service.get_paper(session, paper_id)
    org = organisations.get_organisation(session, org_id)
    if organisations.role_of(session, org, user) is not MemberRole.owner:
        raise Forbidden(
            _("Only the owners of %(organisation)s can answer a co-signing request.")
            % {"organisation": org.name}
        )
    if not any(c.organisation_id == org.id for c in paper.cosigners):
        raise NotFound(_("This organisation was not asked to co-sign this paper."))
    return CosigningAnswer(paper, org, user)


def _meeting_by_slug(session: Session, slug: str, meeting_slug: str) -> Meeting:
    return consultations.get_meeting_page(session, slug, meeting_slug)


# --- pages ------------------------------------------------------------------------------------


def load_paper(session: SessionDep, user: CurrentUser, paper_id: int) -> PaperContext:
    return _paper(session, user, paper_id)


def load_paper_receipt(ctx: Annotated[PaperContext, Depends(load_paper)]) -> PaperContext:
    return _receipt(ctx)


def load_meeting(session: SessionDep, _user: CurrentUser, slug: str, meeting_slug: str) -> Meeting:
    return _meeting_by_slug(session, slug, meeting_slug)


def load_meeting_for_members(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> Meeting:
    _require_member_somewhere(session, user)
    return _meeting_by_slug(session, slug, meeting_slug)


def load_meeting_for_staff(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> Meeting:
    meeting = _meeting_by_slug(session, slug, meeting_slug)
    service.require_meeting_staff(session, user, meeting)
    return meeting


def load_meeting_for_organisers(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> Meeting:
    meeting = _meeting_by_slug(session, slug, meeting_slug)
    if not consultations.permissions_for(session, user, meeting.process).organise:
        raise Forbidden(_("Only the organisers of this process can do this."))
    return meeting


def load_org_submissions(session: SessionDep, user: CurrentUser, org_id: int) -> OrgSubmissions:
    return _org_member(session, user, org_id)


def load_cosigning(
    session: SessionDep, user: CurrentUser, paper_id: int, org_id: int
) -> CosigningAnswer:
    return _cosigning(session, user, paper_id, org_id)


ViewablePaper = Annotated[PaperContext, Depends(load_paper)]
ReceiptPaper = Annotated[PaperContext, Depends(load_paper_receipt)]
SubmissionMeeting = Annotated[Meeting, Depends(load_meeting)]
MemberSubmissionMeeting = Annotated[Meeting, Depends(load_meeting_for_members)]
StaffMeeting = Annotated[Meeting, Depends(load_meeting_for_staff)]
OrganisedMeeting = Annotated[Meeting, Depends(load_meeting_for_organisers)]
MemberOrganisation = Annotated[OrgSubmissions, Depends(load_org_submissions)]
CosigningOwner = Annotated[CosigningAnswer, Depends(load_cosigning)]


# --- API --------------------------------------------------------------------------------------


def api_load_paper(session: SessionDep, user: ApiUser, paper_id: int) -> PaperContext:
    return _paper(session, user, paper_id)


def api_load_paper_receipt(
    ctx: Annotated[PaperContext, Depends(api_load_paper)],
) -> PaperContext:
    return _receipt(ctx)


def api_load_meeting_for_members(session: SessionDep, user: ApiUser, meeting_id: int) -> Meeting:
    _require_member_somewhere(session, user)
    meeting = repository.get_meeting(session, meeting_id)
    if meeting is None:
        raise NotFound(NO_MEETING)
    return meeting


def api_load_org_submissions(session: SessionDep, user: ApiUser, org_id: int) -> OrgSubmissions:
    return _org_member(session, user, org_id)


def api_load_cosigning(
    session: SessionDep, user: ApiUser, paper_id: int, org_id: int
) -> CosigningAnswer:
    return _cosigning(session, user, paper_id, org_id)


ApiPaper = Annotated[PaperContext, Depends(api_load_paper)]
ApiReceiptPaper = Annotated[PaperContext, Depends(api_load_paper_receipt)]
ApiMemberSubmissionMeeting = Annotated[Meeting, Depends(api_load_meeting_for_members)]
ApiMemberOrganisation = Annotated[OrgSubmissions, Depends(api_load_org_submissions)]
ApiCosigningOwner = Annotated[CosigningAnswer, Depends(api_load_cosigning)]
