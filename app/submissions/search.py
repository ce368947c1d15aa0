"""Full-text search over papers: SQLite FTS5 on the embedded default, PostgreSQL full-text search
on PostgreSQL, behind one interface.

Text is normalised here before either engine sees it (case, accents, ligatures, punctuation; Chinese
and Japanese split into characters), so both databases index the same words and a query means the
same on each. A user's query is parsed here into terms and never reaches an engine's query syntax:
on SQLite each term becomes a quoted FTS5 string, on PostgreSQL a tsquery is built by functions from
bound parameters.

Query language, the same on both databases: words are ANDed; "a phrase" matches consecutive words;
`or` between two terms matches either; `-word` or `-"a phrase"` excludes. All else is punctuation.

Ranking differs where the engines differ in cost: bm25 over title (x10), summary (x4) and text on
SQLite; ts_rank over title and summary only on PostgreSQL, where matches in the text alone follow
by paper id (ranking on the text vector means reading it for every match: 5-10x slower for a
common word at 50,000 papers). A title match comes first on both.

The index is kept by the code that changes a paper: call `index_paper` after the title, summary
or a version's text changed (same transaction), `remove_paper` before deleting a paper.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import reduce
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.submissions.models import Paper, PaperVersion

SEARCH_TABLE = "paper_search"
MAX_BODY_CHARS = 250_000  # keeps a PostgreSQL tsvector well under its 1 MB limit
MAX_QUERY_CHARS = 1_000
MAX_TERMS = 16
MAX_LIMIT = 500


# --- Normalisation: what both engines index and what queries are matched against ---------------


def _char_class(codepoints: Sequence[int]) -> str:
    return "".join(re.escape(chr(c)) for c in codepoints)


# Diacritics (Latin, Greek, Cyrillic), Hebrew points, Arabic harakat and the tatweel are dropped.
_FOLDED = re.compile(
    "[\u0300-\u036f\u0640"
    + _char_class(
        [
            c
            for c in [*range(0x0591, 0x05C8), *range(0x0610, 0x061B), *range(0x064B, 0x0670)]
            if unicodedata.category(chr(c)) == "Mn"
        ]
    )
    + "\u0670]"
)
# Other combining marks (Indic vowel signs, ...) belong to the word they sit in.
_MARKS = _char_class([c for c in range(0x0300, 0x10000) if unicodedata.category(chr(c))[0] == "M"])
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORD = re.compile(f"(?=[^\\W_])[{_CJK}]|(?:(?![{_CJK}])[^\\W_]|[{_MARKS}])+")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def words(text: str) -> list[str]:
    """The words of `text` as indexed: case-folded, accents removed, CJK one character a word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _WORD.findall(unicodedata.normalize("NFC", _FOLDED.sub("", decomposed)))


def _normalised(text: str) -> str:
    return " ".join(words(text))


# --- Query parsing -------------------------------------------------------------------------------

_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: every group must match (one of its terms), no excluded term may."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


def parse_query(query: str) -> SearchQuery:
    """Terms are normalised word sequences (a phrase when several); never raises."""
    cleaned = _CONTROL.sub(" ", query[:MAX_QUERY_CHARS])
    groups: list[list[str]] = []
    excluded: list[str] = []
    after_term = join_next = False
    count = 0
    for match in _TOKEN.finditer(cleaned):
        negated, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if phrase is None and not negated and word.casefold() == "or":
            join_next, after_term = after_term, False
            continue
        term = _normalised(phrase if phrase is not None else word)
        if not term or count >= MAX_TERMS:
            continue
        count += 1
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        after_term, join_next = not negated, False
    return SearchQuery(tuple(tuple(g) for g in groups), tuple(excluded))


# --- The two engines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Document:
    paper_id: int
    meeting_id: int
    title: str
    summary: str
    body: str


class _Engine(Protocol):
    def write(self, session: Session, documents: Sequence[_Document]) -> None: ...

    def remove(self, session: Session, paper_ids: Sequence[int]) -> None: ...

    def clear(self, session: Session) -> None: ...

    common_matches: int | None
    """From this many matches in a meeting on, the queue checks its candidates in order
    (`keep_matching`) instead of collecting every match; None: never."""

    def matching_ids(self, groups: Sequence[Sequence[str]]) -> Select[int]: ...

    def meeting_matches(self, groups: Sequence[Sequence[str]], meeting_id: int) -> Select[int]: ...

    def matching_among(
        self, groups: Sequence[Sequence[str]], ids: Sequence[int]
    ) -> Select[int]: ...

    def ranked(self, groups: Sequence[Sequence[str]], meeting_id: int) -> Select[int, float]:
        """(paper_id, score) of the meeting's matches; a lower score ranks higher."""
        ...


_fts = table(
    SEARCH_TABLE,
    column("rowid", Integer),
    column("title"),
    column("summary"),
    column("body"),
)
_fts_target: ColumnElement[Any] = literal_column(SEARCH_TABLE)
# bm25 weights per column (title, summary, body): a title match outranks a body full of the word.
_BM25_WEIGHTS = (10.0, 4.0, 1.0)


def _fts5_expression(groups: Sequence[Sequence[str]]) -> str:
    """Each term is an FTS5 string (a phrase when several words), so no input is syntax."""
    parts = []
    for group in groups:
        strings = ['"' + term.replace('"', '""') + '"' for term in group]
        parts.append(strings[0] if len(strings) == 1 else "(" + " OR ".join(strings) + ")")
    return " AND ".join(parts)


class _Fts5:
    # FTS5 hands over 25,000 matching rowids in a few milliseconds: collecting them all is cheap.
    common_matches: int | None = None

    def write(self, session: Session, documents: Sequence[_Document]) -> None:
        self.remove(session, [d.paper_id for d in documents])
        session.execute(
            _fts.insert(),
            [
                {"rowid": d.paper_id, "title": d.title, "summary": d.summary, "body": d.body}
                for d in documents
            ],
        )

    def remove(self, session: Session, paper_ids: Sequence[int]) -> None:
        session.execute(delete(_fts).where(_fts.c.rowid.in_(paper_ids)))

    def clear(self, session: Session) -> None:
        session.execute(delete(_fts))

    def _match(self, groups: Sequence[Sequence[str]]) -> ColumnElement[bool]:
        return _fts_target.match(_fts5_expression(groups))

    def matching_ids(self, groups: Sequence[Sequence[str]]) -> Select[int]:
        return select(_fts.c.rowid).where(self._match(groups))

    def meeting_matches(self, groups: Sequence[Sequence[str]], meeting_id: int) -> Select[int]:
        return self.matching_ids(groups).where(
            _fts.c.rowid.in_(select(Paper.id).where(Paper.meeting_id == meeting_id))
        )

    def matching_among(self, groups: Sequence[Sequence[str]], ids: Sequence[int]) -> Select[int]:
        return self.matching_ids(groups).where(_fts.c.rowid.in_(ids))

    def ranked(self, groups: Sequence[Sequence[str]], meeting_id: int) -> Select[int, float]:
        score = func.bm25(_fts_target, *_BM25_WEIGHTS, type_=Float)
        # Materialised, so every match is ranked before papers are joined: else SQLite may walk
        # the meeting's papers and run the FTS5 query once per paper.
        ranked = (
            select(_fts.c.rowid.label("paper_id"), score.label("score"))
            .where(self._match(groups))
            .cte("ranked")
            .prefix_with("MATERIALIZED")
        )
        return (
            select(ranked.c.paper_id, ranked.c.score)
            .join(Paper, Paper.id == ranked.c.paper_id)
            .where(Paper.meeting_id == meeting_id)
        )


_pg = table(
    SEARCH_TABLE,
    column("paper_id", Integer),
    column("meeting_id", Integer),
    column("document", TSVECTOR),
    column("heading", TSVECTOR),
)
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")
# ts_rank weights for D, C, B, A: body D, summary B, title A.
_TS_RANK_WEIGHTS: ColumnElement[Any] = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")


def _pg_vector(text: Any, weight: str) -> ColumnElement[Any]:
    return func.setweight(func.to_tsvector(_SIMPLE, text), literal_column(f"'{weight}'"))


def _tsquery(groups: Sequence[Sequence[str]]) -> ColumnElement[Any]:
    def alternatives(group: Sequence[str]) -> ColumnElement[Any]:
        phrases = [func.phraseto_tsquery(_SIMPLE, literal(term)) for term in group]
        return reduce(lambda a, b: a.op("||")(b), phrases)

    return reduce(lambda a, b: a.op("&&")(b), [alternatives(g) for g in groups])


class _Postgres:
    # Collecting n matches costs about 2.5 us each (GIN bitmap, heap, join to papers); checking a
    # candidate costs about 65 us (its document vector is read), and a page of 51 needs 51 * N / n
    # candidates. Even at N = 50,000 papers the two meet near n = 8,000.
    common_matches: int | None = 8_000

    def write(self, session: Session, documents: Sequence[_Document]) -> None:
        heading = _pg_vector(bindparam("title"), "A").op("||")(
            _pg_vector(bindparam("summary"), "B")
        )
        stmt = pg_insert(_pg).values(
            paper_id=bindparam("paper_id"),
            meeting_id=bindparam("meeting_id"),
            document=heading.op("||")(_pg_vector(bindparam("body"), "D")),
            heading=heading,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["paper_id"],
            set_={
                "meeting_id": stmt.excluded.meeting_id,
                "document": stmt.excluded.document,
                "heading": stmt.excluded.heading,
            },
        )
        session.execute(stmt, [asdict(d) for d in documents])

    def remove(self, session: Session, paper_ids: Sequence[int]) -> None:
        session.execute(delete(_pg).where(_pg.c.paper_id.in_(paper_ids)))

    def clear(self, session: Session) -> None:
        session.execute(delete(_pg))

    def matching_ids(self, groups: Sequence[Sequence[str]]) -> Select[int]:
        return select(_pg.c.paper_id).where(_pg.c.document.bool_op("@@")(_tsquery(groups)))

    def meeting_matches(self, groups: Sequence[Sequence[str]], meeting_id: int) -> Select[int]:
        return self.matching_ids(groups).where(_pg.c.meeting_id == meeting_id)

    def matching_among(self, groups: Sequence[Sequence[str]], ids: Sequence[int]) -> Select[int]:
        return self.matching_ids(groups).where(_pg.c.paper_id.in_(ids))

    def ranked(self, groups: Sequence[Sequence[str]], meeting_id: int) -> Select[int, float]:
        # Ranked on the small heading vector (title, summary): the document vector of a match is
        # then never read (GIN answers the match), which keeps common words fast. The meeting
        # is kept here too, so no join with papers is needed.
        query = _tsquery(groups)
        score = -func.ts_rank(_TS_RANK_WEIGHTS, _pg.c.heading, query, type_=Float)
        return select(_pg.c.paper_id, score.label("score")).where(
            _pg.c.document.bool_op("@@")(query), _pg.c.meeting_id == meeting_id
        )


def _engine(session: Session) -> _Engine:
    """The one place where the database decides how search works."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _Fts5()
    if dialect == "postgresql":
        return _Postgres()
    raise RuntimeError(f"full-text search is not implemented for {dialect}")


# --- Keeping the index ---------------------------------------------------------------------------


def _current_text() -> ColumnElement[str]:
    """A paper's current text: its highest-numbered version's."""
    return (
        select(PaperVersion.text)
        .where(PaperVersion.paper_id == Paper.id)
        .order_by(PaperVersion.number.desc())
        .limit(1)
        .correlate(Paper)
        .scalar_subquery()
    )


def _documents(session: Session, condition: ColumnElement[bool], limit: int) -> list[_Document]:
    rows = session.execute(
        select(Paper.id, Paper.meeting_id, Paper.title, Paper.summary, _current_text())
        .where(condition)
        .order_by(Paper.id)
        .limit(limit)
    )
    return [
        _Document(
            paper_id=paper_id,
            meeting_id=meeting_id,
            title=_normalised(title),
            summary=_normalised(summary),
            body=_normalised((text or "")[:MAX_BODY_CHARS]),
        )
        for paper_id, meeting_id, title, summary, text in rows
    ]


def index_paper(session: Session, paper_id: int) -> None:
    """(Re)index a paper from its title, summary and current version's text."""
    engine = _engine(session)
    documents = _documents(session, Paper.id == paper_id, 1)
    if documents:
        engine.write(session, documents)
    else:
        engine.remove(session, [paper_id])


def remove_paper(session: Session, paper_id: int) -> None:
    _engine(session).remove(session, [paper_id])


def rebuild_index(session: Session, batch_size: int = 500) -> int:
    """Index every paper afresh; returns how many. For operators and after bulk loads."""
    engine = _engine(session)
    engine.clear(session)
    count, last_id = 0, 0
    while documents := _documents(session, Paper.id > last_id, batch_size):
        engine.write(session, documents)
        count += len(documents)
        last_id = documents[-1].paper_id
    return count


# --- Searching -----------------------------------------------------------------------------------


def matching_papers_clause(session: Session, query: str) -> ColumnElement[bool] | None:
    """A filter on Paper for the queue to combine with its own; None when the query is empty."""
    parsed = parse_query(query)
    engine = _engine(session)
    clauses = []
    if parsed.groups:
        clauses.append(Paper.id.in_(engine.matching_ids(parsed.groups)))
    if parsed.excluded:
        clauses.append(Paper.id.not_in(engine.matching_ids([parsed.excluded])))
    return and_(*clauses) if clauses else None


def is_common(session: Session, meeting_id: int, query: str) -> bool:
    """Whether `query` matches so many of the meeting's papers that a queue page is found
    faster by checking candidates in the page's order (`keep_matching`) than by collecting
    every match first. Counts no further than the engine's threshold."""
    parsed = parse_query(query)
    engine = _engine(session)
    # A phrase is checked against each candidate's text, which makes counting its matches
    # cost what collecting them does; phrases are rarely common, so they are collected.
    phrases = any(" " in term for group in parsed.groups for term in group)
    if not parsed.groups or phrases or engine.common_matches is None:
        return False
    capped = engine.meeting_matches(parsed.groups, meeting_id).limit(engine.common_matches)
    count = session.scalar(select(func.count()).select_from(capped.subquery()))
    return (count or 0) >= engine.common_matches


def keep_matching(session: Session, query: str, paper_ids: Sequence[int]) -> set[int]:
    """Those of `paper_ids` that match `query` (all of them when the query is empty)."""
    parsed = parse_query(query)
    engine = _engine(session)
    kept = set(paper_ids)
    if parsed.groups and kept:
        kept = set(session.scalars(engine.matching_among(parsed.groups, sorted(kept))))
    if parsed.excluded and kept:
        kept -= set(session.scalars(engine.matching_among([parsed.excluded], sorted(kept))))
    return kept


def search_paper_ids(
    session: Session, meeting_id: int, query: str, limit: int = 50, after: int | None = None
) -> list[int]:
    """A meeting's papers matching `query`, best first; an empty query lists them all by id.

    `after` is the last paper id of the previous page (keyset); when it no longer matches, the
    result is empty.
    """
    parsed = parse_query(query)
    engine = _engine(session)
    if parsed.groups:
        hits = engine.ranked(parsed.groups, meeting_id)
    else:
        hits = select(Paper.id.label("paper_id"), literal(0.0, Float).label("score")).where(
            Paper.meeting_id == meeting_id
        )
    if parsed.excluded:
        excluded = engine.matching_ids([parsed.excluded])
        hits = hits.where(hits.selected_columns.paper_id.not_in(excluded))
    found = hits.cte("hits")
    stmt = (
        select(found.c.paper_id)
        .order_by(found.c.score, found.c.paper_id)
        .limit(max(1, min(limit, MAX_LIMIT)))
    )
    if after is not None:
        after_score = select(found.c.score).where(found.c.paper_id == after).scalar_subquery()
        stmt = stmt.where(
            or_(
                found.c.score > after_score,
                and_(found.c.score == after_score, found.c.paper_id > after),
            )
        )
    return list(session.scalars(stmt))


def is_search_table(name: str | None) -> bool:
    """Tables the search migration makes by hand (FTS5 and its shadow tables, or the tsvector
    table); Alembic's model comparison must leave them alone."""
    return name is not None and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_"))
