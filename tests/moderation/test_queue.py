"""The queue's filters, keyset pagination and search (run on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.errors import FormError
from app.moderation import queue
from app.moderation.schemas import QueueFilters
from app.organisations.models import OrganisationType, Verification
from app.submissions import search
from app.submissions.models import (
    ConversionState,
    PaperLanguage,
    PaperStatus,
    PaperVersion,
    ScanState,
)
from tests.factories import make_organisation
from tests.moderation.papers_world import T0, Triage


def ids(db: Session, t: Triage, **filters: Any) -> list[int]:
    result = queue.page(db, t.meeting, QueueFilters(**filters), t.moderator, limit=1000)
    return [row.paper.id for row in result.rows]


def walk(db: Session, t: Triage, limit: int, **filters: Any) -> list[list[int]]:
    pages, current = [], QueueFilters(**filters)
    while True:
        result = queue.page(db, t.meeting, current, t.moderator, limit=limit)
        pages.append([row.paper.id for row in result.rows])
        if result.next_cursor is None:
            return pages
        current = current.model_copy(update={"cursor": result.next_cursor})


@pytest.mark.parametrize("sort", ["received", "-received", "title", "-title"])
def test_keyset_pages_have_no_gaps_and_no_duplicates(
    db: Session, triage: Triage, sort: str
) -> None:
    for n in range(23):
        # equal times and equal titles in pairs: the id breaks the ties
        triage.paper(db, title=f"Paper {n // 2:02d}", submitted_at=T0 + timedelta(hours=n // 2))
    pages = walk(db, triage, 5, sort=sort)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    flat = [paper_id for page in pages for paper_id in page]
    papers = {p.id: p for p in triage.papers}
    key = (
        (lambda i: (papers[i].title, i))
        if "title" in sort
        else lambda i: (papers[i].submitted_at, i)
    )
    assert flat == sorted(papers, key=key, reverse=sort.startswith("-"))


def test_a_page_boundary_survives_new_papers(db: Session, triage: Triage) -> None:
    for n in range(4):
        triage.paper(db, submitted_at=T0 + timedelta(hours=n))
    first = queue.page(db, triage.meeting, QueueFilters(), triage.moderator, limit=2)
    triage.paper(db, submitted_at=T0 - timedelta(days=1))  # arrives "before" the first page
    after = QueueFilters(cursor=first.next_cursor)
    second = queue.page(db, triage.meeting, after, triage.moderator, limit=2)
    assert [r.paper.id for r in second.rows] == [p.id for p in triage.papers[2:4]]
    assert second.next_cursor is None


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "", "e30", queue.encode_cursor("title", type("P", (), {"title": "x", "id": 1})())],
)
def test_a_forged_or_foreign_cursor_is_refused(db: Session, triage: Triage, cursor: str) -> None:
    triage.paper(db)
    if not cursor:
        assert ids(db, triage, cursor=cursor)  # empty: the first page
        return
    with pytest.raises(FormError):
        queue.page(db, triage.meeting, QueueFilters(cursor=cursor), triage.moderator)


def test_filters(db: Session, triage: Triage) -> None:
    t = triage
    union = make_organisation(db, type=OrganisationType.trade_union, country="FR")
    union.verification = Verification.verified
    plain = t.paper(db)
    french = t.paper(db, language=PaperLanguage.fr, org=union, items=[t.item2])
    accepted = {"status": PaperStatus.accepted, "announced_status": PaperStatus.accepted}
    decided = t.paper(db, assignee_id=t.moderator.id, **accepted)
    staged = t.paper(db, status=PaperStatus.rejected, announced_status=PaperStatus.in_review)
    twin_a = t.paper(db)
    twin_b = t.paper(db)
    late = t.paper(db, submitted_at=t.meeting.submissions_close_at + timedelta(hours=1))  # type: ignore[operator]
    routed = t.paper(db, routed_item_id=t.item.id, **accepted)
    db.execute(
        update(type(plain))
        .where(type(plain).id.in_([twin_a.id, twin_b.id]))
        .values(duplicate_group=twin_a.id)
    )
    unconvertible = t.paper(db, assignee_id=t.moderator2.id)
    db.execute(
        update(PaperVersion)
        .where(PaperVersion.paper_id == unconvertible.id)
        .values(conversion_state=ConversionState.failed, scan_state=ScanState.clean)
    )
    db.expire_all()
    everyone = {p.id for p in t.papers}

    assert set(ids(db, t)) == everyone
    assert ids(db, t, status=["accepted"]) == [decided.id, routed.id]
    assert set(ids(db, t, status=["accepted", "rejected"])) == {decided.id, staged.id, routed.id}
    assert ids(db, t, item=[t.item2.id]) == [french.id]
    assert ids(db, t, language=["fr"]) == [french.id]
    assert ids(db, t, org_type=["trade_union"]) == [french.id]
    assert ids(db, t, country=["fr"]) == [french.id]
    assert ids(db, t, region="155") == [french.id]  # Western Europe
    assert ids(db, t, region="142") == [p for p in ids(db, t) if p != french.id]  # Asia: KG
    assert ids(db, t, verified="yes") == [french.id]
    assert french.id not in ids(db, t, verified="no")
    assert ids(db, t, assignee="me") == [decided.id]
    assert ids(db, t, assignee=str(t.moderator2.id)) == [unconvertible.id]
    assert set(ids(db, t, assignee="none")) == everyone - {decided.id, unconvertible.id}
    assert ids(db, t, flag=["duplicate"]) == [twin_a.id, twin_b.id]
    assert ids(db, t, cluster=twin_a.id) == [twin_a.id, twin_b.id]
    assert ids(db, t, flag=["staged"]) == [staged.id]
    assert ids(db, t, flag=["late"]) == [late.id]
    assert ids(db, t, flag=["unrouted"]) == [decided.id]
    assert ids(db, t, flag=["not_convertible"]) == [unconvertible.id]
    assert unconvertible.id not in ids(db, t, flag=["not_scanned"])
    assert ids(db, t, flag=["not_convertible", "not_scanned"]) == []
    assert ids(db, t, status=["accepted"], assignee="me", flag=["unrouted"]) == [decided.id]

    rows = queue.page(db, t.meeting, QueueFilters(cluster=twin_a.id), t.moderator).rows
    assert [row.duplicates for row in rows] == [2, 2]
    assert rows[0].current is not None and rows[0].item_numbers == ["1"]


def test_only_the_newest_version_counts_for_its_flags(db: Session, triage: Triage) -> None:
    paper = triage.paper(db)
    db.execute(
        update(PaperVersion)
        .where(PaperVersion.paper_id == paper.id)
        .values(conversion_state=ConversionState.failed)
    )
    newer = PaperVersion(
        paper_id=paper.id,
        number=2,
        file_key="aa/bb/newer",
        original_name="paper.pdf",
        kind="pdf",
        media_type="application/pdf",
        size=10,
        sha256="0" * 64,
        conversion_state=ConversionState.not_needed,
        scan_state=ScanState.clean,
    )
    db.add(newer)
    db.flush()
    assert ids(db, triage, flag=["not_convertible"]) == []


def test_a_meeting_shows_only_its_own_papers(db: Session, triage: Triage) -> None:
    from tests.factories import make_meeting, make_paper

    ours = triage.paper(db)
    elsewhere = make_meeting(db, triage.process)
    make_paper(db, elsewhere, triage.org)
    assert ids(db, triage) == [ours.id]


def test_search_through_the_queue(db: Session, triage: Triage) -> None:
    remittances = triage.paper(db, title="Cheaper remittances", summary="Fees on transfers.")
    recruitment = triage.paper(db, title="Fair recruitment", summary="Zero fees for workers.")
    accepted = triage.paper(
        db, title="Recruitment agencies", summary="Licensing.", status=PaperStatus.accepted
    )
    db.execute(
        update(PaperVersion)
        .where(PaperVersion.paper_id == accepted.id)
        .values(text="Ethical recruitment of migrant domestic workers in the Gulf.")
    )
    for paper in triage.papers:
        search.index_paper(db, paper.id)
    assert ids(db, triage, q="recruitment") == [recruitment.id, accepted.id]
    assert ids(db, triage, q="fees") == [remittances.id, recruitment.id]
    assert ids(db, triage, q="fees -zero") == [remittances.id]
    assert ids(db, triage, q='"domestic workers"') == [accepted.id]  # in the file's text
    assert ids(db, triage, q="recruitment", status=["accepted"]) == [accepted.id]
    assert ids(db, triage, q="recruitment", sort="-title") == [accepted.id, recruitment.id]
    assert ids(db, triage, q="nothing-like-this") == []
    assert len(ids(db, triage, q="   ")) == 3


def test_export_rows_follow_the_filters(db: Session, triage: Triage) -> None:
    first = triage.paper(db, title="=HYPERLINK(1)", items=[triage.item, triage.item2])
    triage.paper(db, status=PaperStatus.rejected)
    statement = queue.export_statement(
        db, triage.meeting, QueueFilters(status=["submitted"]), triage.moderator
    )
    rows = [queue.export_row(row) for row in db.execute(statement)]
    assert len(rows) == 1 and len(rows[0]) == len(queue.EXPORT_HEADER)
    row = dict(zip(queue.EXPORT_HEADER, rows[0], strict=True))
    assert row["paper_id"] == first.id and row["status"] == "submitted"
    assert sorted(str(row["agenda_items"]).split(",")) == ["1", "2"]
    assert row["country"] == "KG" and row["organisation"] == triage.org.name


@pytest.mark.parametrize(
    ("candidates", "rounds"),
    [(3, 8), (2, 1)],  # enough rounds; too few, so the rest is collected after all
)
@pytest.mark.parametrize("sort", ["received", "-title"])
@pytest.mark.parametrize(
    "filters",
    [
        {"q": "remittances"},
        {"q": "remittances -fees"},
        {"q": "remittances or recruitment", "status": ["submitted"]},
        {"q": "rare"},
    ],
)
def test_a_common_word_gives_the_pages_collecting_would(
    db: Session,
    triage: Triage,
    monkeypatch: pytest.MonkeyPatch,
    candidates: int,
    rounds: int,
    sort: str,
    filters: dict[str, Any],
) -> None:
    """Checking candidates in order (a word common in the meeting) and collecting every
    match first are two ways to the same pages, with every filter and cursor."""
    texts = ["remittances fees", "remittances", "recruitment", "rare remittances", "other"]
    for n in range(17):
        status = PaperStatus.accepted if n % 4 == 0 else PaperStatus.submitted
        triage.paper(
            db,
            title=f"{texts[n % 5]} {n % 3}",
            summary=texts[(n * 2) % 5],
            status=status,
            submitted_at=T0 + timedelta(hours=n // 2),
        )
    for paper in triage.papers:
        search.index_paper(db, paper.id)
    engine = type(search._engine(db))
    collected = walk(db, triage, 4, sort=sort, **filters)
    assert not search.is_common(db, triage.meeting.id, filters["q"])

    monkeypatch.setattr(engine, "common_matches", 2)
    monkeypatch.setattr(queue, "CANDIDATES", candidates)
    monkeypatch.setattr(queue, "MAX_ROUNDS", rounds)
    assert search.is_common(db, triage.meeting.id, filters["q"])
    assert not search.is_common(db, triage.meeting.id, '"remittances fees"')  # phrases: never
    checked = walk(db, triage, 4, sort=sort, **filters)
    assert checked == collected
    assert sum(map(len, checked)) > 1


def test_keep_matching_keeps_the_matches_among_candidates(db: Session, triage: Triage) -> None:
    a = triage.paper(db, title="Remittances and fees")
    b = triage.paper(db, title="Remittances")
    c = triage.paper(db, title="Recruitment fees")
    for paper in triage.papers:
        search.index_paper(db, paper.id)
    assert search.keep_matching(db, "remittances", [a.id, b.id, c.id]) == {a.id, b.id}
    assert search.keep_matching(db, "remittances -fees", [a.id, b.id, c.id]) == {b.id}
    assert search.keep_matching(db, "fees", [b.id]) == set()
    assert search.keep_matching(db, "", [a.id, c.id]) == {a.id, c.id}
