"""Fixtures: one migrated database per run, a rolled-back transaction per test, an app on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import Database
from app.jobs.worker import run_until_idle
from app.main import create_app
from app.migrate import upgrade
from tests.support.database import throwaway_database
from tests.support.smtp import SmtpServer

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        db = Database(url)
        upgrade(db.engine)
        yield db
        db.dispose()


@pytest.fixture(scope="session")
def engine(database: Database) -> Engine:
    return database.engine


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


def _session_on(connection: Connection) -> Session:
    return Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    session = _session_on(connection)
    yield session
    session.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        secret_key=TEST_SECRET,
        base_url=BASE_URL,
        data_dir=tmp_path / "data",
        demo=False,
        oidc_providers={},
        embedded_worker=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def app(settings: Settings, database: Database, connection: Connection) -> FastAPI:
    application = create_app(settings, database=database)
    application.state.session_factory = lambda: _session_on(connection)
    return application


@pytest.fixture
def client(app: FastAPI, db: Session) -> Iterator[TestClient]:
    db.flush()
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer, settings: Settings) -> SmtpServer:
    """A real SMTP server, emptied for this test, that the app's settings point at."""
    smtp_server.clear()
    settings.smtp_url = smtp_server.url
    return smtp_server


@pytest.fixture
def run_jobs(connection: Connection, settings: Settings) -> Callable[[], int]:
    """Run the queued background jobs now, inside this test's transaction."""
    return lambda: run_until_idle(lambda: _session_on(connection), settings)
