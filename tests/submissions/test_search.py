"""Full-text search over papers, on whichever database the suite runs (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.consultations.models import Meeting
from app.organisations.models import Organisation
from app.submissions import search
from app.submissions.models import (
    Consent,
    ConversionState,
    Paper,
    PaperLanguage,
    PaperStatus,
    PaperVersion,
    ScanState,
)
from tests.factories import make_meeting, make_organisation, make_process


@pytest.fixture
def meeting(db: Session) -> Meeting:
    return make_meeting(db, make_process(db))


@pytest.fixture
def org(db: Session) -> Organisation:
    return make_organisation(db)


def add_version(db: Session, paper: Paper, text: str) -> None:
    latest = db.scalar(
        select(func.max(PaperVersion.number)).where(PaperVersion.paper_id == paper.id)
    )
    number = (latest or 0) + 1
    db.add(
        PaperVersion(
            paper_id=paper.id,
            number=number,
            file_key=f"papers/{paper.id}/{number}",
            original_name="paper.pdf",
            kind="pdf",
            media_type="application/pdf",
            size=1,
            sha256="0" * 64,
            text=text,
            conversion_state=ConversionState.not_needed,
            scan_state=ScanState.clean,
        )
    )
    db.flush()


def make_paper(
    db: Session,
    meeting: Meeting,
    org: Organisation,
    title: str,
    summary: str = "",
    text: str | None = None,
    status: PaperStatus = PaperStatus.submitted,
) -> Paper:
    paper = Paper(
        meeting_id=meeting.id,
        organisation_id=org.id,
        title=title,
        summary=summary,
        language=PaperLanguage.en,
        consent=Consent.public_named,
        status=status,
    )
    db.add(paper)
    db.flush()
    if text is not None:
        add_version(db, paper, text)
    search.index_paper(db, paper.id)
    return paper


def found(db: Session, meeting: Meeting, query: str, **kw: int) -> list[int]:
    return search.search_paper_ids(db, meeting.id, query, **kw)


def test_finds_a_word_in_title_summary_or_body(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    in_title = make_paper(db, meeting, org, "Water governance in Central Asia")
    in_summary = make_paper(db, meeting, org, "Paper two", summary="Glacier melt and water.")
    in_body = make_paper(db, meeting, org, "Paper three", text="Permafrost monitoring data.")
    make_paper(db, meeting, org, "Unrelated", summary="Nothing here", text="Nor here.")

    assert found(db, meeting, "governance") == [in_title.id]
    assert found(db, meeting, "glacier") == [in_summary.id]
    assert found(db, meeting, "permafrost") == [in_body.id]
    assert set(found(db, meeting, "water")) == {in_title.id, in_summary.id}


def test_words_are_anded_and_case_is_ignored(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    both = make_paper(db, meeting, org, "Climate finance", text="Loss and damage fund.")
    make_paper(db, meeting, org, "Climate adaptation")

    assert found(db, meeting, "CLIMATE damage") == [both.id]


def test_accents_and_ligatures_are_folded(db: Session, meeting: Meeting, org: Organisation) -> None:
    spanish = make_paper(db, meeting, org, "Migración y desarrollo")
    french = make_paper(db, meeting, org, "Société civile", text="Le ﬁnancement des ONG.")

    assert found(db, meeting, "migracion") == [spanish.id]
    assert found(db, meeting, "MIGRACIÓN") == [spanish.id]
    assert found(db, meeting, "societe") == [french.id]
    assert found(db, meeting, "financement") == [french.id]


def test_chinese_and_japanese_words_are_found_inside_sentences(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    chinese = make_paper(db, meeting, org, "立场文件", text="我们呼吁各国政府应对气候变化的影响。")
    make_paper(db, meeting, org, "其他", text="气候和变化")

    assert found(db, meeting, "气候变化") == [chinese.id]


def test_arabic_harakat_and_hamza_are_folded(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    paper = make_paper(db, meeting, org, "ورقة", text="حقوقُ الإنسانِ")

    assert found(db, meeting, "حقوق الإنسان") == [paper.id]
    assert found(db, meeting, "حقوق الانسان") == [paper.id]  # alef with hamza folds to alef


def test_a_title_match_ranks_first(db: Session, meeting: Meeting, org: Organisation) -> None:
    body = make_paper(
        db, meeting, org, "Notes", text=" ".join(["Biodiversity matters a lot."] * 30)
    )
    summary = make_paper(db, meeting, org, "Annex", summary="On biodiversity loss")
    title = make_paper(db, meeting, org, "Biodiversity", text="A short paper about forests.")

    ranked = found(db, meeting, "biodiversity")
    assert ranked[0] == title.id
    assert set(ranked[1:]) == {summary.id, body.id}


def test_phrases_or_and_exclusion(db: Session, meeting: Meeting, org: Organisation) -> None:
    phrase = make_paper(db, meeting, org, "Human rights defenders")
    apart = make_paper(db, meeting, org, "Rights of human beings")
    other = make_paper(db, meeting, org, "Civic space")

    assert found(db, meeting, '"human rights"') == [phrase.id]
    assert set(found(db, meeting, "human")) == {phrase.id, apart.id}
    assert set(found(db, meeting, "defenders or civic")) == {phrase.id, other.id}
    assert found(db, meeting, "human -defenders") == [apart.id]
    assert set(found(db, meeting, '-"human rights"')) == {apart.id, other.id}


HOSTILE_QUERIES = [
    '"',
    '"""',
    "*",
    "climate*",
    "AND OR",
    "OR",
    "NOT",
    "NEAR(",
    "NEAR(a b, 2)",
    "title:water",
    "^water",
    "'; DROP TABLE papers; --",
    "a & b | !c <-> d:*",
    "(((",
    "-",
    "- -",
    "\x00water\x00",
    "x" * 5000,
    " ".join(["water"] * 2500),
    "😀 🌍",
    "\\",
    "%_",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_do_not_raise(
    db: Session, meeting: Meeting, org: Organisation, query: str
) -> None:
    water = make_paper(db, meeting, org, "Water", text="water drop table")

    result = found(db, meeting, query)
    clause = search.matching_papers_clause(db, query)
    if clause is not None:
        db.scalars(select(Paper.id).where(clause)).all()

    assert result in ([], [water.id])


def test_punctuation_inside_a_word_still_finds_it(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    water = make_paper(db, meeting, org, "Water", text="water drop table")

    assert found(db, meeting, '"water') == [water.id]
    assert found(db, meeting, "water*") == [water.id]
    assert found(db, meeting, "'; DROP TABLE papers; --") == []  # "papers" is not in the text
    assert found(db, meeting, "drop; table") == [water.id]


def test_empty_query_is_no_filter(db: Session, meeting: Meeting, org: Organisation) -> None:
    first = make_paper(db, meeting, org, "One")
    second = make_paper(db, meeting, org, "Two")

    for query in ["", "   ", "\t\n", "*", '""']:
        assert search.matching_papers_clause(db, query) is None
        assert found(db, meeting, query) == [first.id, second.id]


def test_reindexing_after_a_new_version_replaces_the_old_text(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    paper = make_paper(db, meeting, org, "Position", text="Original about fisheries.")
    add_version(db, paper, "Revised about aquaculture.")
    search.index_paper(db, paper.id)

    assert found(db, meeting, "fisheries") == []
    assert found(db, meeting, "aquaculture") == [paper.id]


def test_reindexing_picks_up_a_new_title(db: Session, meeting: Meeting, org: Organisation) -> None:
    paper = make_paper(db, meeting, org, "Draft title")
    paper.title = "Final wording"
    db.flush()
    search.index_paper(db, paper.id)

    assert found(db, meeting, "draft") == []
    assert found(db, meeting, "wording") == [paper.id]


def test_removed_or_deleted_papers_are_not_found(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    removed = make_paper(db, meeting, org, "Oceans one")
    deleted = make_paper(db, meeting, org, "Oceans two")
    kept = make_paper(db, meeting, org, "Oceans three")

    search.remove_paper(db, removed.id)
    search.remove_paper(db, deleted.id)
    db.execute(delete(Paper).where(Paper.id == deleted.id))
    search.index_paper(db, deleted.id)  # indexing a paper that no longer exists removes it

    assert found(db, meeting, "oceans") == [kept.id]


def test_search_is_scoped_by_meeting(db: Session, meeting: Meeting, org: Organisation) -> None:
    other_meeting = make_meeting(db, make_process(db))
    here = make_paper(db, meeting, org, "Energy transition")
    there = make_paper(db, other_meeting, org, "Energy transition")

    assert found(db, meeting, "energy") == [here.id]
    assert found(db, other_meeting, "energy") == [there.id]


def test_the_clause_combines_with_other_filters(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    accepted = make_paper(db, meeting, org, "Health systems", status=PaperStatus.accepted)
    make_paper(db, meeting, org, "Health workers", status=PaperStatus.rejected)
    make_paper(db, meeting, org, "Education", status=PaperStatus.accepted)

    clause = search.matching_papers_clause(db, "health")
    assert clause is not None
    ids = db.scalars(
        select(Paper.id)
        .where(clause, Paper.meeting_id == meeting.id, Paper.status == PaperStatus.accepted)
        .order_by(Paper.submitted_at.desc(), Paper.id.desc())
    ).all()

    assert ids == [accepted.id]


def test_pages_follow_each_other_without_gaps_or_repeats(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    for n in range(7):
        make_paper(db, meeting, org, f"Paper {n}", text="forest " * (n % 3 + 1))
    everything = found(db, meeting, "forest", limit=100)

    pages: list[int] = []
    after: int | None = None
    while page := search.search_paper_ids(db, meeting.id, "forest", limit=3, after=after):
        pages.extend(page)
        after = page[-1]

    assert len(everything) == 7
    assert pages == everything


def test_rebuild_index_indexes_every_paper(
    db: Session, meeting: Meeting, org: Organisation
) -> None:
    papers = [make_paper(db, meeting, org, f"Desert {n}") for n in range(5)]
    search.remove_paper(db, papers[0].id)

    assert search.rebuild_index(db, batch_size=2) >= 5
    assert found(db, meeting, "desert") == [p.id for p in papers]


def test_query_parsing() -> None:
    parsed = search.parse_query('Water -dams "human  Rights" or civic ÉCOLE')
    assert parsed.groups == (("water",), ("human rights", "civic"), ("ecole",))
    assert parsed.excluded == ("dams",)
    assert search.parse_query("  * ' ").is_empty
    assert len(search.parse_query("word " * 100).groups) == search.MAX_TERMS


def test_words() -> None:
    assert search.words("L'Œuvre d\u2019art: ﬁnal, e-mail_2030!") == [
        "l",
        "œuvre",
        "d",
        "art",
        "final",
        "e",
        "mail",
        "2030",
    ]
    assert search.words("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert search.words("气候变化 policy") == ["气", "候", "变", "化", "policy"]
