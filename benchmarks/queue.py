"""Time the moderation queue of a meeting with 50,000 papers, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/queue.py                       # both databases, 50,000 papers
    .venv/bin/python benchmarks/queue.py --rows 2000 --db sqlite
    .venv/bin/python benchmarks/queue.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For each database: a temporary data folder (SQLite) or a throwaway database
`plenary_bench_<random>` beside the one named by `--pg-url` (dropped afterwards; skipped with a
message when the server cannot be reached) is migrated and loaded with `--rows` papers in one
meeting of one process: ~1-2 KB of text each, drawn from a Zipf-distributed vocabulary of
migration-policy words (English, French, Spanish) plus a long tail of rarer tokens, ~200
organisations in 40 countries, 4 agenda items, mixed statuses and languages. Rows go in with
SQLAlchemy Core executemany in batches of 5,000; then `search.rebuild_index` builds the
full-text index. An admin user gets a personal access token (API) and a signed session cookie
(HTML pages).

The real server (`python -m app serve --no-migrate`, one uvicorn worker, the embedded job worker
off) runs in a subprocess. Times are client-side wall times over loopback with a keep-alive
httpx client (the app sends no Server-Timing header), from sending the request to the last byte
of the body, after a few warm-up requests:

- first: the queue page, no filters (the full HTML page);
- deep: `status=submitted&language=fr` at the cursor reached by following 20 pages (the cursor
  is taken from the API, which encodes it the same way);
- search: the queue page with `q=` for a few realistic queries (one word, two words, a phrase,
  a word with a status filter);
- export: `queue.csv` of the whole meeting, streamed and discarded;
- api: `GET /api/v1/meetings/{id}/papers` following `next_cursor` to the end (the API's page
  size is fixed at 50).

The last line per database reads `queue db=<sqlite|postgresql> rows=<n> p95_first_ms=<n>
p95_deep_ms=<n> p95_search_ms=<n> export_s=<n> api_all_s=<n>`.
"""

# ruff: noqa: S311, E402 -- seeded pseudo-random data, not secrets; imports after the path fix

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's folder comes first on sys.path and its name would shadow the standard library's
# `queue` (imported by concurrent.futures, logging, ...): put the project there instead.
sys.path[0] = str(ROOT)

import argparse
import json
import os
import random
import secrets
import socket
import subprocess
import tempfile
import time
from base64 import b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
from itsdangerous import TimestampSigner
from sqlalchemy import insert, make_url, text
from sqlalchemy.exc import OperationalError

from app.accounts import service as accounts
from app.accounts.models import User
from app.consultations.models import AgendaItem, Meeting, Process
from app.db import Database, make_engine
from app.main import SESSION_COOKIE
from app.migrate import upgrade
from app.organisations.models import Organisation, OrganisationType, Verification
from app.submissions import search
from app.submissions.models import (
    Consent,
    ConversionState,
    Paper,
    PaperAgendaItem,
    PaperLanguage,
    PaperStatus,
    PaperVersion,
    ScanState,
)

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BATCH = 5_000
SAMPLES = 40
DEEP_PAGES = 20
PROCESS_SLUG = "global-compact-review"
MEETING_SLUG = "regional-review-2026"

POLICY_WORDS = (
    "the of and to in for on with by that this we our their is are be should must will call "
    "upon states governments ensure access support protect promote strengthen recommend urge "
    "migration migrants migrant workers labour mobility remittances diaspora refugees asylum "
    "seekers displacement displaced persons returnees return readmission reintegration border "
    "governance management visa regular irregular pathways safe orderly smuggling trafficking "
    "exploitation detention alternatives children unaccompanied minors family reunification "
    "women gender youth rights human dignity non-discrimination xenophobia racism inclusion "
    "integration social cohesion housing health care education skills recognition portability "
    "pensions social protection decent work recruitment fees employers contracts wages domestic "
    "seasonal agricultural construction climate change environmental disasters drought "
    "floods resilience adaptation data evidence statistics disaggregated consular services "
    "identity documents legal identity birth registration statelessness civil society "
    "participation consultation local authorities cities municipalities regional cooperation "
    "bilateral agreements multilateral global compact review forum implementation progress "
    "declaration commitments objectives indicators monitoring accountability funding capacity "
    "development partnerships private sector trade unions academia faith communities media "
    "narratives public perceptions information campaigns search rescue missing migrants "
    "humanitarian assistance protection vulnerable situations firewall services justice courts "
    "la de el los las y en para con por que una derechos migración migrantes trabajadores "
    "participación sociedad desarrollo protección retorno fronteras mujeres niños políticas "
    "le les des et pour avec dans une droits migrants travailleurs société développement "
    "protection retour frontières femmes enfants politiques réfugiés asile intégration"
)


REAL = set(POLICY_WORDS.split()[25:])  # past the most frequent function words


def vocabulary(rng: random.Random, tail: int = 12_000) -> list[str]:
    """Policy words first (the frequent ones), then invented rarer tokens (names, places)."""
    real = list(dict.fromkeys(POLICY_WORDS.split()))
    letters = "abcdefghijklmnopqrstuvwxyz"
    invented = sorted(
        {"".join(rng.choice(letters) for _ in range(rng.randint(5, 11))) for _ in range(tail)}
    )
    rng.shuffle(invented)
    return real + invented


class Writer:
    def __init__(self, words: list[str], seed: int) -> None:
        self.words = words
        self.rng = random.Random(seed)
        total, self.cumulative = 0.0, []
        for rank in range(len(words)):
            total += 1 / (rank + 1) ** 1.05
            self.cumulative.append(total)

    def sentence(self, n: int) -> str:
        chosen = self.rng.choices(self.words, cum_weights=self.cumulative, k=n)
        return " ".join(chosen).capitalize() + "."

    def text(self, chars: int) -> str:
        parts, size = [], 0
        while size < chars:
            sentence = self.sentence(self.rng.randint(8, 25))
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)


COUNTRIES = [
    "KG",
    "KZ",
    "TJ",
    "UZ",
    "TM",
    "AF",
    "PK",
    "IN",
    "BD",
    "NP",
    "LK",
    "PH",
    "ID",
    "TH",
    "VN",
    "MX",
    "GT",
    "HN",
    "SV",
    "CO",
    "VE",
    "EC",
    "PE",
    "BR",
    "AR",
    "MA",
    "TN",
    "EG",
    "SN",
    "ML",
    "NG",
    "GH",
    "KE",
    "ET",
    "SO",
    "ZA",
    "DE",
    "FR",
    "ES",
    "IT",
    "GR",
    "TR",
]
STATUSES = {
    PaperStatus.submitted: 40,
    PaperStatus.in_review: 20,
    PaperStatus.accepted: 15,
    PaperStatus.rejected: 10,
    PaperStatus.revision_requested: 8,
    PaperStatus.withdrawn: 7,
}
LANGUAGES = {
    PaperLanguage.en: 50,
    PaperLanguage.fr: 20,
    PaperLanguage.es: 18,
    PaperLanguage.ar: 5,
    PaperLanguage.ru: 4,
    PaperLanguage.zh: 2,
    PaperLanguage.other: 1,
}
SEARCHES = [
    {"q": "remittances"},
    {"q": "climate displacement"},
    {"q": "trafficking children", "status": "submitted"},
]


@dataclass
class Loaded:
    meeting_id: int
    token: str
    cookie: str
    phrase: str


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load(db: Database, rows: int, secret_key: str) -> Loaded:
    rng = random.Random(17)
    writer = Writer(vocabulary(rng), seed=23)
    now = datetime.now(UTC)
    with db.sessionmaker() as session, session.begin():
        process = Process(slug=PROCESS_SLUG, title="Global compact regional review", regions=[])
        session.add(process)
        session.flush()
        meeting = Meeting(
            process_id=process.id,
            slug=MEETING_SLUG,
            title="Regional review 2026",
            starts_on=date.today(),
            ends_on=date.today(),
            languages=["en", "fr", "es"],
            submissions_open_at=now - timedelta(days=60),
            submissions_close_at=now - timedelta(days=1),
        )
        session.add(meeting)
        session.flush()
        items = [
            AgendaItem(meeting_id=meeting.id, number=str(n), title=f"Item {n}", position=n)
            for n in range(1, 5)
        ]
        orgs = [
            Organisation(
                name=f"{writer.sentence(3)[:-1].title()} Network {i}",
                acronym=f"N{i}",
                type=rng.choice(list(OrganisationType)),
                country=COUNTRIES[i % len(COUNTRIES)],
                verification=Verification.verified if i % 3 else Verification.pending,
            )
            for i in range(200)
        ]
        admin = User(
            issuer="https://bench.invalid", subject="admin", name="Bench admin", is_admin=True
        )
        session.add_all([*items, *orgs, admin])
        session.flush()
        _, token = accounts.create_token(session, admin, "benchmark")
        item_ids = [i.id for i in items]
        org_ids = [o.id for o in orgs]
        meeting_id, admin_id = meeting.id, admin.id

    phrase = ""
    started = time.perf_counter()
    with db.sessionmaker() as session, session.begin():
        for start in range(1, rows + 1, BATCH):
            papers, versions, links = [], [], []
            for paper_id in range(start, min(start + BATCH, rows + 1)):
                status = pick(rng, STATUSES)
                papers.append(
                    {
                        "id": paper_id,
                        "meeting_id": meeting_id,
                        "organisation_id": rng.choice(org_ids),
                        "tracking_number": f"P-{paper_id:06d}",
                        "title": writer.sentence(rng.randint(5, 12))[:300],
                        "summary": writer.sentence(rng.randint(30, 60)),
                        "language": pick(rng, LANGUAGES),
                        "consent": Consent.public_named,
                        "status": status,
                        "announced_status": status,
                        "lock_version": 1,
                        "submitted_at": now - timedelta(seconds=rng.randint(0, 60 * 86400)),
                        "updated_at": now,
                    }
                )
                versions.append(
                    {
                        "paper_id": paper_id,
                        "number": 1,
                        "file_key": f"papers/{paper_id}/1.pdf",
                        "original_name": "position-paper.pdf",
                        "kind": "pdf",
                        "media_type": "application/pdf",
                        "size": 200_000,
                        "sha256": "0" * 64,
                        "pages": 4,
                        "text": writer.text(rng.randint(1000, 2000)),
                        "conversion_state": ConversionState.not_needed,
                        "scan_state": ScanState.clean,
                        "created_at": now,
                    }
                )
                for item_id in rng.sample(item_ids, rng.choice((1, 1, 1, 2))):
                    links.append({"paper_id": paper_id, "agenda_item_id": item_id})
            if not phrase:  # two consecutive policy words of a real text: a phrase search
                words = [w.strip(".").lower() for w in versions[-1]["text"].split()]
                pairs = pairwise(words)
                phrase = next(f'"{a} {b}"' for a, b in pairs if a in REAL and b in REAL)
            session.execute(insert(Paper), papers)
            session.execute(insert(PaperVersion), versions)
            session.execute(insert(PaperAgendaItem), links)
    print(f"  loaded {rows} papers in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    with db.sessionmaker() as session, session.begin():
        search.rebuild_index(session)
    print(f"  search index built in {time.perf_counter() - started:.1f} s", flush=True)
    if db.engine.dialect.name == "postgresql":
        # What autovacuum would have done a minute after a bulk load.
        with db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")

    session_data = {
        "uid": admin_id,
        "csrf": "bench-csrf",
        "user": {"id": admin_id, "name": "Bench admin"},
    }
    payload = b64encode(json.dumps(session_data).encode())
    cookie = TimestampSigner(secret_key).sign(payload).decode()
    return Loaded(meeting_id, token, cookie, phrase)


# --- databases -------------------------------------------------------------------------------


@contextmanager
def sqlite_database(work: Path) -> Iterator[str]:
    yield f"sqlite:///{work / 'data' / 'plenary.sqlite3'}"


@contextmanager
def pg_database(pg_url: str) -> Iterator[str]:
    name = f"plenary_bench_{secrets.token_hex(4)}"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def pg_reachable(pg_url: str) -> str | None:
    """None when the server answers, else why not."""
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


# --- server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(url: str, work: Path, secret_key: str) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PLENARY_DATABASE_URL": url,
        "PLENARY_DATA_DIR": str(work / "data"),
        "PLENARY_SECRET_KEY": secret_key,
        "PLENARY_BASE_URL": base,
        "PLENARY_EMBEDDED_WORKER": "false",
        "PLENARY_SMTP_URL": "",
        "PLENARY_CLAMD_URL": "",
        "PLENARY_DEMO": "false",
    }
    log_path = work / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "app", "serve", "--no-migrate", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited:\n{log_path.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 60 s")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- measuring -------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed_get(client: httpx.Client, url: str, params: Any = None) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(url, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {response.url} -> {response.status_code}: {response.text[:300]}")
    return elapsed, response


def sample(client: httpx.Client, url: str, params_list: list[Any], n: int) -> list[float]:
    for params in params_list:  # warm-up: templates compiled, caches and pages loaded
        timed_get(client, url, params)
    return [timed_get(client, url, params_list[i % len(params_list)])[0] for i in range(n)]


def report(label: str, times: list[float]) -> float:
    p50, p95 = percentile(times, 50), percentile(times, 95)
    print(
        f"  {label:24} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(times):7.1f} ms", flush=True
    )
    return p95


API_PAGE = 500  # the API's largest page


def measure(base: str, loaded: Loaded, rows: int, name: str) -> str:
    queue_url = f"/processes/{PROCESS_SLUG}/meetings/{MEETING_SLUG}/queue"
    api_url = f"/api/v1/meetings/{loaded.meeting_id}/papers"
    bearer = {"Authorization": f"Bearer {loaded.token}"}
    with (
        httpx.Client(base_url=base, cookies={SESSION_COOKIE: loaded.cookie}, timeout=600) as web,
        httpx.Client(base_url=base, headers=bearer, timeout=600) as api,
    ):
        first = sample(web, queue_url, [None], SAMPLES)

        deep_filter = {"status": "submitted", "language": "fr"}
        cursor, pages = None, 0
        for _ in range(DEEP_PAGES):
            body = api.get(api_url, params={**deep_filter, "cursor": cursor or ""}).json()
            if not body["next_cursor"]:
                break
            cursor, pages = body["next_cursor"], pages + 1
        deep = sample(web, queue_url, [{**deep_filter, "cursor": cursor or ""}], SAMPLES)

        searches = [*SEARCHES, {"q": loaded.phrase}]
        for params in searches:
            page = web.get(queue_url, params=params).text
            shown = page.count('name="paper"')
            print(f"  search {params}: {shown} rows on the first page", flush=True)
        found = sample(web, queue_url, searches, SAMPLES)
        # for comparison: the same first page as JSON (same query, no HTML rendering)
        api_first = sample(api, api_url, [None], SAMPLES)
        # and with the session cookie instead of the token (no last_used_at write)
        api_cookie = sample(web, api_url, [None], SAMPLES)
        per_query = {
            params["q"]: sample(web, queue_url, [params], SAMPLES // 2) for params in searches
        }

        print(f"  deep = page {pages + 1} of status=submitted&language=fr", flush=True)
        p95_first = report("first", first)
        p95_deep = report("deep", deep)
        p95_search = report("search", found)
        report("api page", api_first)
        report("api page with cookie", api_cookie)
        for q, times in per_query.items():
            report(f"search {q!r}", times)

        started = time.perf_counter()
        size, lines = 0, 0
        with web.stream("GET", queue_url + ".csv") as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\r\n")
        export_s = time.perf_counter() - started
        print(f"  export   {export_s:.2f} s, {size / 1e6:.1f} MB, {lines - 1} rows", flush=True)

        started = time.perf_counter()
        cursor, seen, requests = None, 0, 0
        while True:
            params = {"limit": API_PAGE, **({"cursor": cursor} if cursor else {})}
            response = api.get(api_url, params=params)
            response.raise_for_status()
            body = response.json()
            seen, requests = seen + len(body["items"]), requests + 1
            cursor = body["next_cursor"]
            if not cursor:
                break
        api_s = time.perf_counter() - started
        print(f"  api      {api_s:.2f} s, {seen} papers in {requests} requests", flush=True)
        if seen != rows or lines - 1 != rows:
            print(f"  WARNING: expected {rows} rows, export had {lines - 1}, API {seen}")

    return (
        f"queue db={name} rows={rows} p95_first_ms={p95_first:.1f} p95_deep_ms={p95_deep:.1f} "
        f"p95_search_ms={p95_search:.1f} export_s={export_s:.2f} api_all_s={api_s:.2f}"
    )


def run(name: str, rows: int, pg_url: str) -> None:
    print(f"[{name}]", flush=True)
    if name == "postgresql" and (why := pg_reachable(pg_url)) is not None:
        print(f"  skipped: PostgreSQL at {make_url(pg_url)!r} is unreachable ({why})")
        return
    secret_key = secrets.token_urlsafe(48)
    with tempfile.TemporaryDirectory(prefix="plenary-queue-bench-") as tmp:
        work = Path(tmp)
        databases = sqlite_database(work) if name == "sqlite" else pg_database(pg_url)
        with databases as url:
            db = Database(url)
            upgrade(db.engine)
            loaded = load(db, rows, secret_key)
            db.dispose()
            with server(url, work, secret_key) as base:
                line = measure(base, loaded, rows, name)
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    names = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for name in names:
        run(name, args.rows, args.pg_url)


if __name__ == "__main__":
    main()
