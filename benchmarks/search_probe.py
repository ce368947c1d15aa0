"""Measure paper search and duplicate clustering at scale: run by hand, prints figures.

    .venv/bin/python benchmarks/search_probe.py                       # SQLite in a temp folder
    .venv/bin/python benchmarks/search_probe.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For PostgreSQL a throwaway database is created beside the one named and dropped afterwards.
Papers get ~2 KB of text drawn from a Zipf-distributed multilingual vocabulary, all in one meeting
(the worst case for a meeting-scoped search). The last line reads
`search db=<name> rows=<n> index_s=<n> p50_search_ms=<n> p95_search_ms=<n> p95_filtered_ms=<n>`.
"""

# ruff: noqa: S311 -- seeded pseudo-random data, not secrets

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.consultations.models import Meeting, Process
from app.db import Database
from app.migrate import upgrade
from app.moderation import duplicates, search
from app.organisations.models import Organisation, OrganisationType
from app.submissions.models import (
    Consent,
    ConversionState,
    Paper,
    PaperLanguage,
    PaperStatus,
    PaperVersion,
    ScanState,
)
from tests.support.database import TEST_DATABASE_ENV, throwaway_database

_REAL_WORDS = (
    "the of and to in for on with by that this we our their is are be should must will call upon "
    "climate adaptation finance loss damage fund resilience communities coastal rural women youth "
    "indigenous peoples rights land water food security agriculture drought flood early warning "
    "systems governance transparency accountability civil society participation consultation "
    "national plans emissions mitigation energy transition renewable coal workers health "
    "migration displacement cities infrastructure ecosystems biodiversity forests oceans "
    "technology transfer capacity developing countries support grants loans debt "
    "la de el los las y en para con por que una derechos migración participación sociedad "
    "desarrollo educación población mujeres jóvenes políticas públicas gobierno acción "
    "le les des et pour avec dans une société développement éducation santé régional "
    "coopération économie environnement collectivités égalité accès protection réfugiés"
)
REAL_WORDS = _REAL_WORDS.split()


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzéèáíóúñç"
    invented = {
        "".join(rng.choice(letters) for _ in range(rng.randint(4, 11)))
        for _ in range(size - len(REAL_WORDS))
    }
    return REAL_WORDS + sorted(invented)


class Writer:
    def __init__(self, words: list[str], seed: int) -> None:
        self.words = words
        self.rng = random.Random(seed)
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def sentence(self, n: int) -> str:
        chosen = self.rng.choices(self.words, cum_weights=self.cumulative, k=n)
        return " ".join(chosen).capitalize() + "."

    def text(self, chars: int) -> str:
        parts: list[str] = []
        size = 0
        while size < chars:
            sentence = self.sentence(self.rng.randint(8, 25))
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load(session: Session, n: int, writer: Writer) -> tuple[int, list[str]]:
    process = Process(slug="probe", title="Probe", regions=[])
    session.add(process)
    session.flush()
    now = datetime.now(UTC)
    meeting = Meeting(
        process_id=process.id,
        slug="probe",
        title="Probe",
        starts_on=date.today(),
        ends_on=date.today(),
        languages=["en"],
        submissions_open_at=now - timedelta(days=10),
        submissions_close_at=now + timedelta(days=10),
    )
    orgs = [
        Organisation(name=f"Org {i}", acronym=f"O{i}", type=OrganisationType.ngo, country="KG")
        for i in range(200)
    ]
    session.add_all([meeting, *orgs])
    session.flush()
    statuses = list(PaperStatus)
    bodies: list[str] = []
    for start in range(1, n + 1, 1000):
        papers, versions = [], []
        for paper_id in range(start, min(start + 1000, n + 1)):
            body = writer.text(2000)
            bodies.append(body)
            papers.append(
                {
                    "id": paper_id,
                    "meeting_id": meeting.id,
                    "organisation_id": orgs[paper_id % len(orgs)].id,
                    "title": writer.sentence(writer.rng.randint(4, 10))[:300],
                    "summary": writer.sentence(writer.rng.randint(30, 60)),
                    "language": PaperLanguage.en,
                    "consent": Consent.public_named,
                    "status": statuses[paper_id % len(statuses)],
                    "lock_version": 1,
                    "submitted_at": now - timedelta(seconds=paper_id),
                    "updated_at": now,
                }
            )
            versions.append(
                {
                    "paper_id": paper_id,
                    "number": 1,
                    "file_key": f"k/{paper_id}",
                    "original_name": "paper.pdf",
                    "kind": "pdf",
                    "media_type": "application/pdf",
                    "size": 1,
                    "sha256": "0" * 64,
                    "pages": 1,
                    "text": body,
                    "conversion_state": ConversionState.not_needed,
                    "scan_state": ScanState.clean,
                    "created_at": now,
                }
            )
        session.execute(insert(Paper), papers)
        session.execute(insert(PaperVersion), versions)
    return meeting.id, bodies


def queries(words: list[str], bodies: list[str], rng: random.Random) -> dict[str, list[str]]:
    def phrase() -> str:
        tokens = rng.choice(bodies).split()
        start = rng.randrange(len(tokens) - 3)
        return '"' + " ".join(tokens[start : start + 3]) + '"'

    return {
        "rare word": [rng.choice(words[5000:]) for _ in range(60)],
        "medium word": [rng.choice(words[300:3000]) for _ in range(60)],
        "common word": [rng.choice(words[:60]) for _ in range(40)],
        "two words": [
            f"{rng.choice(words[50:2000])} {rng.choice(words[50:2000])}" for _ in range(40)
        ],
        "phrase": [phrase() for _ in range(40)],
        "accent folded": ["migracion", "participacion", "societe", "developpement", "educacion"]
        * 4,
    }


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'probe.sqlite3'}"
        return
    import os

    os.environ[TEST_DATABASE_ENV] = url
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(Path(tmp)) as throwaway:
        yield throwaway


def probe_search(url: str, n: int) -> None:
    rng = random.Random(7)
    words = vocabulary(rng)
    db = Database(url)
    upgrade(db.engine)
    name = db.engine.dialect.name
    with db.sessionmaker() as session, session.begin():
        start = time.perf_counter()
        meeting_id, bodies = load(session, n, Writer(words, seed=11))
        print(f"[{name}] loaded {n} papers in {time.perf_counter() - start:.1f} s")
    with db.sessionmaker() as session, session.begin():
        start = time.perf_counter()
        search.rebuild_index(session)
        index_s = time.perf_counter() - start
    print(f"[{name}] index build: {index_s:.1f} s ({n / index_s:.0f} papers/s)")
    with db.sessionmaker() as session, session.begin():
        single = [timed(lambda: search.index_paper(session, rng.randint(1, n))) for _ in range(200)]
    print(
        f"[{name}] index_paper: p50 {percentile(single, 50):.2f} ms "
        f"p95 {percentile(single, 95):.2f} ms"
    )
    if name == "postgresql":
        with db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE paper_search")
            conn.exec_driver_sql("VACUUM ANALYZE papers")

    everything: list[float] = []
    filtered: list[float] = []
    with db.sessionmaker() as session:
        for kind, batch in queries(words, bodies, rng).items():
            times: list[float] = []
            matches: list[int] = []
            for q in batch:
                times.append(timed(lambda q=q: search.search_paper_ids(session, meeting_id, q, 50)))
                clause = search.matching_papers_clause(session, q)
                matches.append(session.scalar(select(func.count(Paper.id)).where(clause)) or 0)
            everything.extend(times)
            print(
                f"[{name}] {kind:14} p50 {percentile(times, 50):7.1f} ms  "
                f"p95 {percentile(times, 95):7.1f} ms  max {max(times):7.1f} ms  "
                f"(first page of 50; median matches {statistics.median(matches):.0f})"
            )
            # the queue's use: search clause + a status filter + newest first, one page
            for q in batch[:20]:
                clause = search.matching_papers_clause(session, q)
                assert clause is not None
                stmt = (
                    select(Paper.id)
                    .where(
                        clause,
                        Paper.meeting_id == meeting_id,
                        Paper.status == PaperStatus.submitted,
                    )
                    .order_by(Paper.submitted_at.desc(), Paper.id.desc())
                    .limit(50)
                )
                filtered.append(timed(lambda stmt=stmt: session.scalars(stmt).all()))
        # keyset: page 2 of a medium word
        q = words[500]
        first = search.search_paper_ids(session, meeting_id, q, 50)
        if first:
            page2 = timed(
                lambda: search.search_paper_ids(session, meeting_id, q, 50, after=first[-1])
            )
            print(f"[{name}] keyset page 2 of {q!r}: {page2:.1f} ms")
    db.dispose()
    print(
        f"search db={name} rows={n} index_s={index_s:.1f} "
        f"p50_search_ms={percentile(everything, 50):.1f} "
        f"p95_search_ms={percentile(everything, 95):.1f} "
        f"p95_filtered_ms={percentile(filtered, 95):.1f}"
    )


def probe_duplicates(n: int) -> None:
    rng = random.Random(3)
    writer = Writer(vocabulary(rng), seed=5)
    texts = [writer.text(2000) for _ in range(n)]
    # campaigns: 20 of 25 copies, one of 1,000, each copy with a few words changed
    planted = 0
    for size in [25] * 20 + [1000]:
        base = writer.text(2000).split()
        for _ in range(size):
            copy = list(base)
            for _ in range(2):
                copy[rng.randrange(len(copy))] = writer.sentence(1)
            texts[planted] = "Submitted by organisation " + str(planted) + ". " + " ".join(copy)
            planted += 1
    start = time.perf_counter()
    signatures = [duplicates.signature(t) for t in texts]
    sign_s = time.perf_counter() - start
    start = time.perf_counter()
    found = duplicates.clusters(enumerate(signatures))
    cluster_s = time.perf_counter() - start
    sizes = sorted((len(c) for c in found), reverse=True)
    print(
        f"duplicates rows={n} signature_s={sign_s:.1f} ({sign_s / n * 1000:.2f} ms each) "
        f"clusters_s={cluster_s:.2f} clusters={len(found)} sizes={sizes[:3]}...{sizes[-3:]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="PostgreSQL URL; SQLite in a temp folder if omitted")
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--skip-duplicates", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    args = parser.parse_args()
    if not args.skip_search:
        with database(args.database_url) as url:
            probe_search(url, args.papers)
    if not args.skip_duplicates:
        probe_duplicates(args.papers)


if __name__ == "__main__":
    main()
