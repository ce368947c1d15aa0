"""Freezing a dossier into plain JSON and turning it back into the engine's spec."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.dossiers import service, snapshot
from app.dossiers.schemas import DigestInput
from app.submissions.models import PaperCosigner
from tests.dossiers.world import DossierWorld
from tests.factories import make_comment


def test_comment_text_is_plain_paragraphs() -> None:
    html = (
        "<p>First &amp; <strong>bold</strong><br>line</p><ul><li>one</li><li>two</li></ul>"
        '<p><a href="https://example.org/a?b=1&amp;c=2">the report</a> and '
        '<a href="https://example.org">https://example.org</a></p>'
    )
    assert snapshot.comment_text(html) == (
        "First & bold\nline\n\n• one\n• two\n\n"
        "the report (https://example.org/a?b=1&c=2) and https://example.org"
    )


def test_dossier_language_is_the_first_one_plenary_speaks(db: Session, dw: DossierWorld) -> None:
    dw.meeting.languages = ["ru", "fr", "en"]
    assert snapshot.dossier_language(dw.meeting) == "fr"
    dw.meeting.languages = ["ru"]
    assert snapshot.dossier_language(dw.meeting) == "en"


def test_freeze_and_thaw(db: Session, dw: DossierWorld) -> None:
    paper = dw.paper(title="Fair recruitment")
    db.add(
        PaperCosigner(
            paper_id=paper.id, organisation_id=dw.other_org.id, confirmed_at=datetime.now(UTC)
        )
    )
    comment = make_comment(db, dw.item, dw.owner, body="<p>Hear us.</p>")
    db.flush()
    view = service.dossier_view(db, dw.meeting)
    service.set_digest(db, dw.organiser, view, dw.item.id, DigestInput(comment_ids=[comment.id]))
    db.expire(paper)  # reload the co-signers
    frozen = snapshot.freeze(service.dossier_view(db, dw.meeting), dw.organiser)
    assert frozen["meeting"]["slug"] == dw.meeting.slug
    assert frozen["sections"][0]["papers"][0]["organisations"] == [dw.org.name, dw.other_org.name]
    assert [c["name"] for c in frozen["contributors"]] == [dw.other_org.name, dw.org.name]
    assert frozen["sections"][0]["comments"][0]["text"] == "Hear us."

    built_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    spec = snapshot.to_spec(frozen, 3, built_at, lambda paper: None)
    assert (spec.build_number, spec.built_at, spec.venue_text) == (3, built_at, "Bishkek")
    assert spec.meeting_title == "Preparatory consultation"
    first = spec.sections[0]
    assert (first.number, first.title) == ("1", "Recruitment")
    assert first.papers[0].country == "Kyrgyzstan" and first.papers[0].language == "English"
    assert first.papers[0].organisation_type == "Non-governmental organisation"
    assert first.papers[0].pdf_path is None
    assert first.comments[0].author == dw.owner.name
    assert {(c.organisation, c.country) for c in spec.contributors} == {
        (dw.org.name, "Kyrgyzstan"),
        (dw.other_org.name, "Spain"),
    }
    assert "Asia/Bishkek" in spec.built_at_text
