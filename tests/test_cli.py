"""The `plenary` command, run as a user would: real database file, real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.accounts import service as accounts
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cli import cli
from app.config import get_settings
from app.consultations.models import AgendaItem, Meeting, Process, RoleGrant
from app.db import Database
from app.organisations.models import Organisation

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PLENARY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PLENARY_DATABASE_URL", raising=False)
    monkeypatch.delenv("PLENARY_DEMO", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _database(data_dir: Path) -> Database:
    return Database(f"sqlite:///{data_dir / 'plenary.sqlite3'}")


def _counts(data_dir: Path) -> dict[str, int]:
    database = _database(data_dir)
    with database.sessionmaker() as session:
        counts = {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (User, Organisation, Process, Meeting, AgendaItem, RoleGrant, AuditEvent)
        }
    database.dispose()
    return counts


def test_demo_is_idempotent_and_complete(data_dir: Path) -> None:
    first = runner.invoke(cli, ["demo"])
    assert first.exit_code == 0, first.output
    counts = _counts(data_dir)
    assert counts["Process"] == 2  # the dialogue, and the follow-up demo (app/impact/demo.py)
    assert counts["Meeting"] == 4  # two ahead; two past conferences of the follow-up demo
    assert counts["AgendaItem"] == 8 + 6  # the four Dialogue topics per meeting; 3 + 3 follow-up
    assert counts["Organisation"] == 5 + 26  # five to sign in as; 26 answered the questionnaire
    assert counts["RoleGrant"] == 3  # an organiser and a moderator; the follow-up's organiser
    assert counts["AuditEvent"] > 0
    second = runner.invoke(cli, ["demo"])
    assert second.exit_code == 0, second.output
    assert _counts(data_dir) == counts

    database = _database(data_dir)
    with database.sessionmaker() as session:
        countries = set(session.scalars(select(Organisation.country)))
        demo_users = accounts.demo_users(session)
    database.dispose()
    assert len(countries) == 16  # the five's, and eleven more among the questionnaire's
    assert any(u.is_admin for u in demo_users)


def _signed_in_user(data_dir: Path, email: str) -> None:
    database = _database(data_dir)
    with database.sessionmaker() as session, session.begin():
        accounts.upsert_user_from_claims(
            session,
            {"iss": "https://idp.test", "sub": email, "email": email, "email_verified": True},
        )
    database.dispose()


def test_grant_and_token(data_dir: Path) -> None:
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    _signed_in_user(data_dir, "rosa@example.org")

    result = runner.invoke(cli, ["grant", "rosa@example.org", "admin"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["grant", "rosa@example.org", "moderator", "--process", "issyk-kul-dialogue"]
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        cli, ["grant", "rosa@example.org", "moderator", "--process", "issyk-kul-dialogue"]
    )
    assert again.exit_code == 1
    assert "already" in again.output

    token = runner.invoke(cli, ["token", "create", "rosa@example.org"])
    assert token.exit_code == 0, token.output
    raw = token.output.strip()
    assert raw.startswith("pln_")
    database = _database(data_dir)
    with database.sessionmaker() as session:
        user = accounts.authenticate_token(session, raw)
        assert user is not None
        assert user.is_admin
    database.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grant", "nobody@example.org", "admin"], "No user"),
        (["grant", "rosa@example.org", "emperor"], "Unknown role"),
        (["grant", "rosa@example.org", "organiser"], "needs --process"),
        (
            ["grant", "rosa@example.org", "organiser", "--process", "nope"],
            "no such consultation process",
        ),
        (["token", "create", "nobody@example.org"], "No user"),
    ],
)
def test_bad_arguments_give_clear_messages(data_dir: Path, args: list[str], message: str) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    _signed_in_user(data_dir, "rosa@example.org")
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert message in result.output


def test_worker_once_runs_the_periodic_tasks_then_the_jobs(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plenary worker --once` (e.g. from cron) also calls the periodic tasks (reminders)."""
    from app import jobs

    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    calls: list[object] = []
    monkeypatch.setitem(jobs.PERIODIC, "test.tick", lambda session, now: calls.append(now))
    result = runner.invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert f"Ran {len(jobs.PERIODIC)} periodic task(s) and 0 job(s)." in result.output


def test_serve_refuses_a_missing_secret_outside_demo(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLENARY_SECRET_KEY", raising=False)
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "PLENARY_SECRET_KEY" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_demo_answers_like_the_readme_says(tmp_path: Path) -> None:
    """`plenary serve --demo` migrates, loads demo data and serves pages in a real process."""
    port = _free_port()
    env = {**os.environ, "PLENARY_DATA_DIR": str(tmp_path)}
    env.pop("PLENARY_DATABASE_URL", None)
    command = [sys.executable, "-m", "app", "serve", "--demo", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        home = httpx.get(base)
        assert "Issyk-Kul Dialogue on Migration" in home.text
        signin = httpx.get(f"{base}/auth/signin")
        assert "Sign in as demo user" in signin.text
    finally:
        server.terminate()
        server.wait(timeout=10)
