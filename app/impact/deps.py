"""Loader dependencies: load the object of the request and check the user may use it.

The user comes first (anonymous: 401 where sign-in is needed), then unknown objects (404),
then a missing role (403). Draft recommendations are 404 to everyone but the organisers.
Filing routes name the thread in the path (country, official or an organisation's shadow
report), so permission is settled before a byte of the upload is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import ApiUser, CurrentUser, OptionalApiUser, OptionalUser
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting, Process
from app.deps import SessionDep
from app.errors import NotFound
from app.i18n import gettext as _
from app.impact import reports, repository, service
from app.impact.models import Recommendation, ReportEvidence, ReportKind
from app.organisations.models import Organisation


@dataclass(frozen=True)
class Filing:
    """Who files into which thread: official (organisation None) or an organisation's shadow."""

    recommendation: Recommendation
    country: str
    kind: ReportKind
    organisation: Organisation | None
    user: User


# --- shared --------------------------------------------------------------------------------------


def _managed_process(session: Session, user: User, slug: str) -> Process:
    process = consultations.get_process_page(session, slug)
    service.require_manager(session, user, process.id)
    return process


def _managed_meeting(session: Session, user: User, meeting: Meeting) -> Meeting:
    service.require_manager(session, user, meeting.process_id)
    return meeting


def _managed_recommendation(session: Session, user: User, recommendation_id: int) -> Recommendation:
    recommendation = service.get_recommendation(session, recommendation_id)
    service.require_manager(session, user, recommendation.process_id)
    return recommendation


def _filing(
    session: Session,
    user: User,
    recommendation_id: int,
    country: str,
    kind: ReportKind,
    org_id: int | None,
) -> Filing:
    recommendation = service.get_visible_recommendation(session, user, recommendation_id)
    code = reports.checked_country(country)
    organisation = reports.check_filing(session, user, recommendation, code, kind, org_id)
    return Filing(recommendation, code, kind, organisation, user)


def _evidence(session: Session, user: User | None, evidence_id: int) -> ReportEvidence:
    evidence = repository.get_evidence(session, evidence_id)
    if evidence is None:
        raise NotFound(_("There is no such evidence."))
    service.get_visible_recommendation(session, user, evidence.report.recommendation_id)
    return evidence


# --- pages ---------------------------------------------------------------------------------------


def load_process(session: SessionDep, slug: str) -> Process:
    return consultations.get_process_page(session, slug)


def load_managed_process(session: SessionDep, user: CurrentUser, slug: str) -> Process:
    return _managed_process(session, user, slug)


def load_managed_meeting(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> Meeting:
    return _managed_meeting(
        session, user, consultations.get_meeting_page(session, slug, meeting_slug)
    )


def load_visible_recommendation(
    session: SessionDep, user: OptionalUser, recommendation_id: int
) -> Recommendation:
    return service.get_visible_recommendation(session, user, recommendation_id)


def load_managed_recommendation(
    session: SessionDep, user: CurrentUser, recommendation_id: int
) -> Recommendation:
    return _managed_recommendation(session, user, recommendation_id)


def load_official_filing(
    session: SessionDep, user: CurrentUser, recommendation_id: int, country: str
) -> Filing:
    return _filing(session, user, recommendation_id, country, ReportKind.official, None)


def load_shadow_filing(
    session: SessionDep, user: CurrentUser, recommendation_id: int, country: str, org_id: int
) -> Filing:
    return _filing(session, user, recommendation_id, country, ReportKind.shadow, org_id)


def load_evidence(session: SessionDep, user: OptionalUser, evidence_id: int) -> ReportEvidence:
    return _evidence(session, user, evidence_id)


PublicProcess = Annotated[Process, Depends(load_process)]
ManagedProcess = Annotated[Process, Depends(load_managed_process)]
ManagedMeeting = Annotated[Meeting, Depends(load_managed_meeting)]
VisibleRecommendation = Annotated[Recommendation, Depends(load_visible_recommendation)]
ManagedRecommendation = Annotated[Recommendation, Depends(load_managed_recommendation)]
OfficialFiling = Annotated[Filing, Depends(load_official_filing)]
ShadowFiling = Annotated[Filing, Depends(load_shadow_filing)]
VisibleEvidence = Annotated[ReportEvidence, Depends(load_evidence)]


# --- API -----------------------------------------------------------------------------------------


def api_load_managed_process(session: SessionDep, user: ApiUser, slug: str) -> Process:
    return _managed_process(session, user, slug)


def api_load_managed_meeting(session: SessionDep, user: ApiUser, meeting_id: int) -> Meeting:
    return _managed_meeting(session, user, service.get_meeting(session, meeting_id))


def api_load_public_meeting(session: SessionDep, meeting_id: int) -> Meeting:
    return service.get_meeting(session, meeting_id)


def api_load_visible_recommendation(
    session: SessionDep, user: OptionalApiUser, recommendation_id: int
) -> Recommendation:
    return service.get_visible_recommendation(session, user, recommendation_id)


def api_load_managed_recommendation(
    session: SessionDep, user: ApiUser, recommendation_id: int
) -> Recommendation:
    return _managed_recommendation(session, user, recommendation_id)


def api_load_official_filing(
    session: SessionDep, user: ApiUser, recommendation_id: int, country: str
) -> Filing:
    return _filing(session, user, recommendation_id, country, ReportKind.official, None)


def api_load_shadow_filing(
    session: SessionDep, user: ApiUser, recommendation_id: int, country: str, org_id: int
) -> Filing:
    return _filing(session, user, recommendation_id, country, ReportKind.shadow, org_id)


def api_load_evidence(
    session: SessionDep, user: OptionalApiUser, evidence_id: int
) -> ReportEvidence:
    return _evidence(session, user, evidence_id)


ApiManagedProcess = Annotated[Process, Depends(api_load_managed_process)]
ApiManagedMeeting = Annotated[Meeting, Depends(api_load_managed_meeting)]
ApiPublicMeeting = Annotated[Meeting, Depends(api_load_public_meeting)]
ApiVisibleRecommendation = Annotated[Recommendation, Depends(api_load_visible_recommendation)]
ApiManagedRecommendation = Annotated[Recommendation, Depends(api_load_managed_recommendation)]
ApiOfficialFiling = Annotated[Filing, Depends(api_load_official_filing)]
ApiShadowFiling = Annotated[Filing, Depends(api_load_shadow_filing)]
ApiVisibleEvidence = Annotated[ReportEvidence, Depends(api_load_evidence)]
