"""Composing a dossier: which papers appear where, in what order; summaries and digests."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.comments.models import CommentStatus
from app.dossiers import service
from app.dossiers.models import Dossier, DossierEntry
from app.dossiers.schemas import DigestInput, Direction, SectionUpdate, SummaryInput
from app.errors import FormError, NotFound
from app.submissions.models import Consent, PaperStatus
from tests.dossiers.world import DossierWorld
from tests.factories import make_agenda_item, make_comment, make_meeting


def _ids(view: service.DossierView) -> list[list[int]]:
    return [[p.id for p in s.papers] for s in view.sections]


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_one_section_per_agenda_item_in_agenda_order(db: Session, dw: DossierWorld) -> None:
    dw.item.position, dw.item2.position = 5, 1
    db.flush()
    view = service.dossier_view(db, dw.meeting)
    assert [s.item.number for s in view.sections] == ["2", "1"]
    assert view.dossier is None  # nothing is stored until someone changes something
    assert db.scalar(select(Dossier)) is None


def test_only_accepted_and_routed_papers_appear(db: Session, dw: DossierWorld) -> None:
    routed = dw.paper()
    to_item2 = dw.paper(dw.item2)
    dw.paper(route=False)  # submitted, never decided
    accepted_unrouted = dw.paper()
    accepted_unrouted.routed_item_id = None
    for status in (PaperStatus.withdrawn, PaperStatus.rejected, PaperStatus.in_review):
        dw.paper().status = status  # routed once, then changed: no longer in the dossier
    other_meeting_item = make_agenda_item(db, make_meeting(db, dw.process))
    stray = dw.paper()
    stray.routed_item_id = other_meeting_item.id  # an item of another meeting: ignored
    db.flush()
    view = service.dossier_view(db, dw.meeting)
    assert _ids(view) == [[routed.id], [to_item2.id]]
    assert view.paper_count == 2


def test_organisers_only_papers_are_withheld_and_anonymous_ones_included(
    db: Session, dw: DossierWorld
) -> None:
    named = dw.paper()
    anonymous = dw.paper(consent=Consent.public_anonymous)
    restricted = dw.paper(consent=Consent.restricted)
    section = service.dossier_view(db, dw.meeting).sections[0]
    assert [p.id for p in section.papers] == [named.id, anonymous.id]
    assert [p.id for p in section.withheld] == [restricted.id]


def test_papers_come_in_submission_order_until_the_organiser_orders_them(
    db: Session, dw: DossierWorld
) -> None:
    a, b, c = dw.paper(), dw.paper(), dw.paper()
    view = service.dossier_view(db, dw.meeting)
    assert _ids(view)[0] == [a.id, b.id, c.id]

    service.move_paper(db, dw.organiser, view, dw.item.id, c.id, Direction.up)
    service.move_paper(db, dw.organiser, view, dw.item.id, c.id, Direction.up)
    view = service.dossier_view(db, dw.meeting)
    assert _ids(view)[0] == [c.id, a.id, b.id]
    entries = db.scalars(select(DossierEntry).order_by(DossierEntry.position)).all()
    assert [(e.paper_id, e.position) for e in entries] == [(c.id, 1), (a.id, 2), (b.id, 3)]

    late = dw.paper()  # routed after the organiser's ordering: last
    service.move_paper(db, dw.organiser, view, dw.item.id, c.id, Direction.up)  # already first
    assert _ids(service.dossier_view(db, dw.meeting))[0] == [c.id, a.id, b.id, late.id]
    assert _actions(db).count("dossier.reorder") == 2  # the no-op move is not audited


def test_moving_down_and_rerouting(db: Session, dw: DossierWorld) -> None:
    a, b = dw.paper(), dw.paper()
    view = service.dossier_view(db, dw.meeting)
    service.move_paper(db, dw.organiser, view, dw.item.id, a.id, Direction.down)
    assert _ids(service.dossier_view(db, dw.meeting)) == [[b.id, a.id], []]
    a.routed_item_id = dw.item2.id  # moderation re-routes it
    db.flush()
    assert _ids(service.dossier_view(db, dw.meeting)) == [[b.id], [a.id]]


def test_moving_a_paper_of_another_section_is_404(db: Session, dw: DossierWorld) -> None:
    paper = dw.paper(dw.item2)
    view = service.dossier_view(db, dw.meeting)
    with pytest.raises(NotFound):
        service.move_paper(db, dw.organiser, view, dw.item.id, paper.id, Direction.up)
    with pytest.raises(NotFound):
        service.move_paper(db, dw.organiser, view, 2**31 - 1, paper.id, Direction.up)


def test_set_order_must_list_every_paper_once(db: Session, dw: DossierWorld) -> None:
    a, b = dw.paper(), dw.paper()
    view = service.dossier_view(db, dw.meeting)
    for wrong in ([a.id], [a.id, a.id], [a.id, b.id, 999]):
        with pytest.raises(FormError):
            service.set_order(db, dw.organiser, view, dw.item.id, wrong)
    service.update_section(
        db, dw.organiser, view, dw.item.id, SectionUpdate(paper_ids=[b.id, a.id])
    )
    assert _ids(service.dossier_view(db, dw.meeting))[0] == [b.id, a.id]


def test_summary_is_saved_and_audited(db: Session, dw: DossierWorld) -> None:
    view = service.dossier_view(db, dw.meeting)
    service.set_summary(
        db, dw.organiser, view, dw.item.id, SummaryInput(summary=" Two\r\n\r\nparas ")
    )
    service.set_summary(db, dw.organiser, view, dw.item.id, SummaryInput(summary="Two\n\nparas"))
    assert service.dossier_view(db, dw.meeting).sections[0].summary == "Two\n\nparas"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.summary")).one()
    assert event.before == {"summary": ""} and event.after == {"summary": "Two\n\nparas"}


def test_digest_takes_published_comments_of_the_item_only(db: Session, dw: DossierWorld) -> None:
    first = make_comment(db, dw.item, dw.owner)
    second = make_comment(db, dw.item, dw.owner)
    pending = make_comment(db, dw.item, dw.owner, status=CommentStatus.pending)
    elsewhere = make_comment(db, dw.item2, dw.owner)
    view = service.dossier_view(db, dw.meeting)
    for wrong in (pending.id, elsewhere.id):
        with pytest.raises(FormError):
            service.set_digest(db, dw.organiser, view, dw.item.id, DigestInput(comment_ids=[wrong]))
    service.set_digest(
        db, dw.organiser, view, dw.item.id, DigestInput(comment_ids=[second.id, first.id])
    )
    section = service.dossier_view(db, dw.meeting).sections[0]
    assert section.digest_ids == [first.id, second.id]  # in the order they were written
    second.status = CommentStatus.hidden  # hidden later: it drops out of the digest
    db.flush()
    assert [c.id for c in service.dossier_view(db, dw.meeting).sections[0].digest] == [first.id]
    assert _actions(db) == ["dossier.digest"]


def test_first_edit_creates_the_dossier_once(db: Session, dw: DossierWorld) -> None:
    view = service.dossier_view(db, dw.meeting)
    service.set_summary(db, dw.organiser, view, dw.item.id, SummaryInput(summary="A"))
    service.set_summary(db, dw.organiser, view, dw.item2.id, SummaryInput(summary="B"))
    assert len(db.scalars(select(Dossier)).all()) == 1
    assert [s.summary for s in service.dossier_view(db, dw.meeting).sections] == ["A", "B"]
