"""Recommendations, their citations, meeting participants, focal points and reporting rounds.

Services flush; the request or task commits. Every change is audited. Participants, focal
points and rounds live in participation.py, follow-up reports in reports.py, the CSV/XLSX import
in imports.py, reminders in reminders.py. Other code (the analysis subpackage, demo data) reads
through the functions here: `addressed_countries`, `addressed_by_recommendation`,
`list_recommendations`, `today`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting, Process
from app.errors import Forbidden, FormError, NotFound
from app.i18n import gettext as _
from app.impact import addressees, policies, repository
from app.impact.models import (
    Recommendation,
    RecommendationCitation,
)
from app.impact.schemas import (
    CitationCreate,
    RecommendationCreate,
)

RECOMMENDATION_FIELDS = (
    "number",
    "text",
    "agenda_item_id",
    "adopted_on",
    "addressee_scope",
    "countries",
    "regions",
)


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        value = getattr(obj, field)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        elif hasattr(value, "value"):
            value = value.value
        values[field] = value
    return values


def now() -> datetime:
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    return (at or now()).date()


# --- permissions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactPermissions:
    manage: bool
    focal_countries: frozenset[str]


def permissions_for(session: Session, user: User | None, process: Process) -> ImpactPermissions:
    roles = consultations.roles_in(session, user, process.id)
    focal = repository.focal_countries(session, user.id, process.id) if user else set()
    return ImpactPermissions(policies.can_manage(user, roles), frozenset(focal))


def can_manage(session: Session, user: User | None, process_id: int) -> bool:
    return policies.can_manage(user, consultations.roles_in(session, user, process_id))


def require_manager(session: Session, user: User, process_id: int) -> None:
    if not can_manage(session, user, process_id):
        raise Forbidden(_("Only the organisers of this process can do this."))


def can_view(session: Session, user: User | None, recommendation: Recommendation) -> bool:
    roles = consultations.roles_in(session, user, recommendation.process_id)
    return policies.can_view_recommendation(user, roles, recommendation.adopted_on, today())


# --- reading -------------------------------------------------------------------------------------


def get_recommendation(session: Session, recommendation_id: int) -> Recommendation:
    recommendation = repository.get_recommendation(session, recommendation_id)
    if recommendation is None:
        raise NotFound(_("There is no such recommendation."))
    return recommendation


def get_visible_recommendation(
    session: Session, user: User | None, recommendation_id: int
) -> Recommendation:
    """Drafts are as good as absent for everyone but the organisers."""
    recommendation = get_recommendation(session, recommendation_id)
    if not can_view(session, user, recommendation):
        raise NotFound(_("There is no such recommendation."))
    return recommendation


def list_recommendations(
    session: Session,
    process: Process,
    *,
    include_drafts: bool = False,
    meeting_id: int | None = None,
) -> list[Recommendation]:
    found = repository.list_recommendations(session, process.id, meeting_id)
    if include_drafts:
        return found
    day = today()
    return [r for r in found if policies.is_public(r.adopted_on, day)]


def processes_with_recommendations(session: Session) -> list[Process]:
    """Processes with at least one adopted recommendation."""
    return repository.processes_with_recommendations(session, today())


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = repository.get_meeting(session, meeting_id)
    if meeting is None:
        raise NotFound(_("There is no such meeting."))
    return meeting


def addressed_by_recommendation(
    session: Session, recommendations: list[Recommendation]
) -> dict[int, frozenset[str]]:
    """{recommendation id: the countries it addresses}, with one query for participants."""
    participants = repository.participant_countries(
        session, {r.meeting_id for r in recommendations}
    )
    return {
        r.id: addressees.resolve(
            r.addressee_scope, r.countries, r.regions, participants.get(r.meeting_id, set())
        )
        for r in recommendations
    }


def addressed_countries(session: Session, recommendation: Recommendation) -> frozenset[str]:
    return addressed_by_recommendation(session, [recommendation])[recommendation.id]


def describe_addressees(recommendation: Recommendation) -> str:
    return addressees.describe(
        recommendation.addressee_scope, recommendation.countries, recommendation.regions
    )


def recommendations_for_organisation(
    session: Session, organisation_id: int
) -> list[tuple[Recommendation, list[Any]]]:
    """Public recommendations citing the organisation's papers, each with the papers cited."""
    day = today()
    grouped: dict[int, tuple[Recommendation, list[Any]]] = {}
    for rec, paper in repository.recommendations_citing_organisation(session, organisation_id):
        if policies.is_public(rec.adopted_on, day):
            grouped.setdefault(rec.id, (rec, []))[1].append(paper)
    return list(grouped.values())


# --- recording recommendations -------------------------------------------------------------------


def _checked_values(
    session: Session, meeting_id: int, data: RecommendationCreate, except_id: int | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if repository.number_taken(session, meeting_id, data.number, except_id):
        errors["number"] = _("Another recommendation of this meeting has this number.")
    unknown = addressees.unknown_countries(data.countries)
    if unknown:
        errors["countries"] = _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
    unknown = addressees.unknown_regions(data.regions)
    if unknown:
        errors["regions"] = _("Unknown region codes: %(codes)s.") % {"codes": ", ".join(unknown)}
    if data.countries and data.regions:
        errors["regions"] = _("Address named countries or regions, not both.")
    if data.agenda_item_id is not None and data.agenda_item_id not in {
        item.id for item in repository.agenda_items(session, meeting_id)
    }:
        errors["agenda_item_id"] = _("Choose an agenda item of this meeting.")
    if errors:
        raise FormError(errors)
    return {
        "number": data.number,
        "text": data.text,
        "agenda_item_id": data.agenda_item_id,
        "adopted_on": data.adopted_on,
        "addressee_scope": addressees.scope_for(data.countries, data.regions),
        "countries": data.countries,
        "regions": [] if data.countries else data.regions,
    }


def create_recommendation(
    session: Session, actor: User, meeting: Meeting, data: RecommendationCreate
) -> Recommendation:
    require_manager(session, actor, meeting.process_id)
    values = _checked_values(session, meeting.id, data, None)
    recommendation = Recommendation(
        process_id=meeting.process_id,
        meeting_id=meeting.id,
        position=repository.max_position(session, meeting.id) + 1,
        created_by_id=actor.id,
        **values,
    )
    session.add(recommendation)
    session.flush()
    after = snapshot(recommendation, RECOMMENDATION_FIELDS)
    audit.record(
        session, actor, "recommendation.create", "recommendation", recommendation.id, None, after
    )
    return recommendation


def update_recommendation(
    session: Session, actor: User, recommendation: Recommendation, data: RecommendationCreate
) -> Recommendation:
    require_manager(session, actor, recommendation.process_id)
    values = _checked_values(session, recommendation.meeting_id, data, recommendation.id)
    before = snapshot(recommendation, RECOMMENDATION_FIELDS)
    for field, value in values.items():
        setattr(recommendation, field, value)
    session.flush()
    after = snapshot(recommendation, RECOMMENDATION_FIELDS)
    if after != before:
        audit.record(
            session,
            actor,
            "recommendation.update",
            "recommendation",
            recommendation.id,
            before,
            after,
        )
    return recommendation


# --- citations -----------------------------------------------------------------------------------


def agenda_items(session: Session, meeting: Meeting) -> list[Any]:
    return repository.agenda_items(session, meeting.id)


def citable_inputs(session: Session, meeting: Meeting) -> tuple[list[Any], list[Any]]:
    """(accepted papers, published comments) of the meeting."""
    return (
        repository.citable_papers(session, meeting.id),
        repository.citable_comments(session, meeting.id),
    )


def add_citation(
    session: Session, actor: User, recommendation: Recommendation, data: CitationCreate
) -> RecommendationCitation:
    require_manager(session, actor, recommendation.process_id)
    if (data.paper_id is None) == (data.comment_id is None):
        raise FormError({"paper_id": _("Choose one paper or one comment.")})
    if data.paper_id is not None:
        paper = repository.get_paper(session, data.paper_id)
        if paper is None or paper.meeting_id != recommendation.meeting_id:
            raise FormError({"paper_id": _("Choose a paper of this meeting.")})
    else:
        comment = repository.get_comment(session, data.comment_id or 0)
        if comment is None or comment.agenda_item.meeting_id != recommendation.meeting_id:
            raise FormError({"comment_id": _("Choose a comment of this meeting.")})
    if repository.citation_exists(session, recommendation.id, data.paper_id, data.comment_id):
        raise FormError({"paper_id": _("This input is already cited.")})
    citation = RecommendationCitation(
        recommendation_id=recommendation.id,
        paper_id=data.paper_id,
        comment_id=data.comment_id,
        dossier_page=data.dossier_page,
        created_by_id=actor.id,
    )
    session.add(citation)
    session.flush()
    after = data.model_dump() | {"recommendation_id": recommendation.id}
    audit.record(
        session, actor, "recommendation.cite", "recommendation", recommendation.id, None, after
    )
    return citation


def remove_citation(
    session: Session, actor: User, recommendation: Recommendation, citation_id: int
) -> None:
    require_manager(session, actor, recommendation.process_id)
    citation = repository.get_citation(session, citation_id)
    if citation is None or citation.recommendation_id != recommendation.id:
        raise NotFound(_("There is no such citation."))
    before = {
        "recommendation_id": recommendation.id,
        "paper_id": citation.paper_id,
        "comment_id": citation.comment_id,
        "dossier_page": citation.dossier_page,
    }
    session.delete(citation)
    session.flush()
    audit.record(
        session, actor, "recommendation.uncite", "recommendation", recommendation.id, before, None
    )
