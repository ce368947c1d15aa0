"""Test databases: SQLite by default, PostgreSQL when PLENARY_TEST_DATABASE_URL names one.

For PostgreSQL a throwaway database is created beside the one named, and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from app.db import make_engine

TEST_DATABASE_ENV = "PLENARY_TEST_DATABASE_URL"


@contextmanager
def throwaway_database(tmp_dir: Path) -> Iterator[str]:
    """Yields the URL of an empty database that is removed afterwards."""
    configured = os.environ.get(TEST_DATABASE_ENV, "").strip()
    if not configured or configured.startswith("sqlite"):
        yield f"sqlite:///{tmp_dir / 'test.sqlite3'}"
        return
    base = make_url(configured)
    name = f"plenary_test_{secrets.token_hex(4)}"
    admin = make_engine(configured).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
