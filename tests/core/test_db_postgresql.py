"""Connection settings on PostgreSQL (skipped on SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session


def test_connections_do_not_jit_compile_plans(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: set PLENARY_TEST_DATABASE_URL")
    assert db.scalar(text("SHOW jit")) == "off"
