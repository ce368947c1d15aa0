"""Recording recommendations, citations, participants, focal points and rounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.comments.models import CommentStatus
from app.errors import Forbidden, FormError, NotFound
from app.impact import participation, service
from app.impact.models import AddresseeScope, FocalPoint
from app.impact.schemas import (
    CitationCreate,
    FocalPointCreate,
    ParticipantCreate,
    RecommendationCreate,
    RoundCreate,
)
from tests.factories import (
    accept_and_route,
    make_comment,
    make_meeting,
    make_paper,
    make_user,
)
from tests.impact.factories import ImpactWorld, impact_world, make_recommendation


@pytest.fixture
def world(db: Session) -> ImpactWorld:
    return impact_world(db)


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_organiser_records_a_recommendation_addressed_to_countries(
    db: Session, world: ImpactWorld
) -> None:
    data = RecommendationCreate(
        number="2", text="Ratify ILO C189.", countries="kg, TJ", agenda_item_id=world.item.id
    )
    rec = service.create_recommendation(db, world.organiser, world.meeting, data)
    assert rec.addressee_scope is AddresseeScope.countries
    assert rec.countries == ["KG", "TJ"]
    assert service.addressed_countries(db, rec) == {"KG", "TJ"}
    assert "recommendation.create" in _actions(db)


def test_regions_and_all_states(db: Session, world: ImpactWorld) -> None:
    rec = service.create_recommendation(
        db,
        world.organiser,
        world.meeting,
        RecommendationCreate(number="3", text="x", regions="143"),
    )
    assert rec.addressee_scope is AddresseeScope.regions
    assert service.addressed_countries(db, rec) == {"KG", "KZ", "TJ", "TM", "UZ"}
    assert service.addressed_countries(db, world.recommendation) == {"KG", "KZ"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"number": "1", "text": "taken"}, "number"),
        ({"number": "9", "text": "x", "countries": "KG XX"}, "countries"),
        ({"number": "9", "text": "x", "regions": "999"}, "regions"),
        ({"number": "9", "text": "x", "countries": "KG", "regions": "143"}, "regions"),
        ({"number": "9", "text": "x", "agenda_item_id": 999999}, "agenda_item_id"),
    ],
)
def test_recommendation_errors(
    db: Session, world: ImpactWorld, values: dict[str, object], field: str
) -> None:
    with pytest.raises(FormError) as caught:
        service.create_recommendation(
            db, world.organiser, world.meeting, RecommendationCreate.model_validate(values)
        )
    assert field in caught.value.fields


@pytest.mark.parametrize("who", ["outsider", "focal_kg", "org_owner"])
def test_only_organisers_manage_recommendations(db: Session, world: ImpactWorld, who: str) -> None:
    user = getattr(world, who)
    with pytest.raises(Forbidden):
        service.create_recommendation(
            db, user, world.meeting, RecommendationCreate(number="5", text="x")
        )
    with pytest.raises(Forbidden):
        service.update_recommendation(
            db, user, world.recommendation, RecommendationCreate(number="1", text="changed")
        )
    with pytest.raises(Forbidden):
        participation.grant_focal_point(
            db, user, world.process, FocalPointCreate(email=user.email, country="KG")
        )
    with pytest.raises(Forbidden):
        participation.add_participant(db, user, world.meeting, ParticipantCreate(country="FR"))
    now = datetime.now(UTC)
    with pytest.raises(Forbidden):
        participation.create_round(
            db,
            user,
            world.process,
            RoundCreate(title="r", opens_at=now, closes_at=now + timedelta(days=1)),
        )


def test_admin_manages_any_process(db: Session, world: ImpactWorld) -> None:
    admin = make_user(db, is_admin=True)
    rec = service.create_recommendation(
        db, admin, world.meeting, RecommendationCreate(number="7", text="x")
    )
    assert rec.number == "7"


def test_update_is_audited_with_before_and_after(db: Session, world: ImpactWorld) -> None:
    service.update_recommendation(
        db,
        world.organiser,
        world.recommendation,
        RecommendationCreate(number="1", text="New text", adopted_on=date(2026, 1, 2)),
    )
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "recommendation.update")).one()
    assert event.after is not None and event.after["text"] == "New text"
    assert event.before is not None and event.before["text"] != "New text"


def test_drafts_are_hidden_from_the_public(db: Session, world: ImpactWorld) -> None:
    draft = make_recommendation(db, world.meeting, number="D", adopted_on=None)
    assert draft not in service.list_recommendations(db, world.process)
    assert draft in service.list_recommendations(db, world.process, include_drafts=True)
    with pytest.raises(NotFound):
        service.get_visible_recommendation(db, world.outsider, draft.id)
    assert service.get_visible_recommendation(db, world.organiser, draft.id) is not None


def test_citations_of_the_meetings_inputs(db: Session, world: ImpactWorld) -> None:
    paper = accept_and_route(db, make_paper(db, world.meeting, world.org, world.org_owner), None)
    comment = make_comment(db, world.item, world.org_member, status=CommentStatus.published)
    rec = world.recommendation
    service.add_citation(
        db, world.organiser, rec, CitationCreate(paper_id=paper.id, dossier_page=12)
    )
    service.add_citation(db, world.organiser, rec, CitationCreate(comment_id=comment.id))
    with pytest.raises(FormError):  # twice
        service.add_citation(db, world.organiser, rec, CitationCreate(paper_id=paper.id))
    with pytest.raises(FormError):  # neither
        service.add_citation(db, world.organiser, rec, CitationCreate())
    other_meeting = make_meeting(db, world.process)
    foreign = make_paper(db, other_meeting, world.org, world.org_owner)
    with pytest.raises(FormError):
        service.add_citation(db, world.organiser, rec, CitationCreate(paper_id=foreign.id))
    cited = service.recommendations_for_organisation(db, world.org.id)
    assert [(r.id, [p.id for p in papers]) for r, papers in cited] == [(rec.id, [paper.id])]
    papers, comments = service.citable_inputs(db, world.meeting)
    assert paper in papers and comment in comments


def test_organisation_page_lists_only_adopted_recommendations(
    db: Session, world: ImpactWorld
) -> None:
    paper = make_paper(db, world.meeting, world.org, world.org_owner)
    draft = make_recommendation(db, world.meeting, number="D", adopted_on=None)
    service.add_citation(db, world.organiser, draft, CitationCreate(paper_id=paper.id))
    assert service.recommendations_for_organisation(db, world.org.id) == []


def test_participants(db: Session, world: ImpactWorld) -> None:
    added = participation.add_participant(
        db, world.organiser, world.meeting, ParticipantCreate(country="tj")
    )
    assert added.country == "TJ"
    with pytest.raises(FormError):
        participation.add_participant(
            db, world.organiser, world.meeting, ParticipantCreate(country="TJ")
        )
    with pytest.raises(FormError):
        participation.add_participant(
            db, world.organiser, world.meeting, ParticipantCreate(country="ZZ")
        )
    named = participation.add_participant(
        db, world.organiser, world.meeting, ParticipantCreate(name="Migrant Forum Asia")
    )
    assert named.organisation_id is None
    participation.remove_participant(db, world.organiser, world.meeting, added.id)
    assert "TJ" not in service.addressed_countries(db, world.recommendation)
    assert {"participant.add", "participant.remove"} <= set(_actions(db))


def test_focal_points_are_granted_and_revoked_with_audit(db: Session, world: ImpactWorld) -> None:
    person = make_user(db)
    fp = participation.grant_focal_point(
        db, world.organiser, world.process, FocalPointCreate(email=person.email, country="tj")
    )
    assert (fp.user_id, fp.country) == (person.id, "TJ")
    with pytest.raises(FormError):
        participation.grant_focal_point(
            db, world.organiser, world.process, FocalPointCreate(email=person.email, country="TJ")
        )
    with pytest.raises(FormError):
        participation.grant_focal_point(
            db, world.organiser, world.process, FocalPointCreate(email="nobody@x.org", country="TJ")
        )
    participation.revoke_focal_point(db, world.organiser, world.process, fp.id)
    assert db.get(FocalPoint, fp.id) is None
    assert {"focal_point.grant", "focal_point.revoke"} <= set(_actions(db))


def test_round_must_close_after_it_opens(db: Session, world: ImpactWorld) -> None:
    now = datetime.now(UTC)
    with pytest.raises(FormError):
        participation.create_round(
            db, world.organiser, world.process, RoundCreate(title="r", opens_at=now, closes_at=now)
        )
