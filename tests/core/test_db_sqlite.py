"""SQLite transactions of sessions that write: they take the write lock when they begin, so a
read followed by a write never fails because another connection committed in between."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db import intend_to_write, make_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def _write_elsewhere(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        connection.execute(text("INSERT INTO note (body) VALUES ('other')"))
        connection.commit()


def test_a_deferred_read_then_write_fails_after_another_commit(engine: Engine) -> None:
    """Why writers need the lock up front: SQLite refuses the late upgrade at once."""
    with Session(engine) as session:
        session.execute(text("SELECT count(*) FROM note"))
        _write_elsewhere(engine)
        with pytest.raises(OperationalError, match="locked"):
            session.execute(text("INSERT INTO note (body) VALUES ('mine')"))


def test_a_session_that_writes_holds_the_lock_from_its_first_read(engine: Engine) -> None:
    with Session(engine) as session:
        intend_to_write(session)
        session.execute(text("SELECT count(*) FROM note"))
        with pytest.raises(OperationalError, match="locked"):
            _write_elsewhere(engine)  # the other writer waits (here: gives up at once)
        session.execute(text("INSERT INTO note (body) VALUES ('mine')"))
        session.commit()
        # The next transaction of the same session writes too.
        session.execute(text("SELECT 1"))
        with pytest.raises(OperationalError, match="locked"):
            _write_elsewhere(engine)
        session.commit()
    _write_elsewhere(engine)
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM note ORDER BY id")).scalars().all()
    assert bodies == ["mine", "other"]
