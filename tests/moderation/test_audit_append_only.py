"""Nothing updates or deletes an audit row: the mapper refuses, and so does the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import audit
from app.audit.models import AuditEvent, AuditLogIsAppendOnly
from app.db import Database
from app.migrate import alembic_config, upgrade
from tests.factories import make_user

REVISION = "5baf0d8c5716"  # audit log is append-only


@pytest.fixture
def event(db: Session) -> AuditEvent:
    actor = make_user(db)
    return audit.record(db, actor, "org.verify", "organisation", 7, {"a": 1}, {"a": 2})


def test_the_mapper_refuses_to_change_an_event(db: Session, event: AuditEvent) -> None:
    event.action = "org.reject"
    with pytest.raises(AuditLogIsAppendOnly):
        db.flush()


def test_the_mapper_refuses_to_delete_an_event(db: Session, event: AuditEvent) -> None:
    db.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.flush()


def _refused(connection: Connection, statement: object) -> None:
    """The statement fails in the database; the test's transaction goes on (savepoint)."""
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(statement)  # type: ignore[call-overload]
    savepoint.rollback()


def test_the_database_refuses_update(
    db: Session, connection: Connection, event: AuditEvent
) -> None:
    db.flush()
    _refused(connection, update(AuditEvent).where(AuditEvent.id == event.id).values(action="x"))
    raw = text("UPDATE audit_events SET after = NULL WHERE id = :id").bindparams(id=event.id)
    _refused(connection, raw)
    # Clearing the actor is allowed only on its own (see the next test), not with other changes.
    _refused(
        connection,
        update(AuditEvent).where(AuditEvent.id == event.id).values(actor_id=None, object_id=8),
    )
    stored = connection.execute(select(AuditEvent.action).where(AuditEvent.id == event.id))
    assert stored.scalar_one() == "org.verify"


def test_the_database_refuses_delete(
    db: Session, connection: Connection, event: AuditEvent
) -> None:
    db.flush()
    _refused(connection, delete(AuditEvent).where(AuditEvent.id == event.id))
    _refused(connection, text("DELETE FROM audit_events"))
    assert connection.execute(select(AuditEvent.id).where(AuditEvent.id == event.id)).scalar()


def test_the_database_refuses_truncate_on_postgresql(
    db: Session, connection: Connection, event: AuditEvent
) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    db.flush()
    _refused(connection, text("TRUNCATE audit_events"))


def test_deleting_a_user_keeps_their_events_without_the_actor(
    db: Session, connection: Connection
) -> None:
    actor = make_user(db)
    event = audit.record(db, actor, "process.update", "process", 3, {"t": "a"}, {"t": "b"})
    event_id = event.id
    db.expunge(event)
    db.delete(actor)
    db.flush()
    row = connection.execute(select(AuditEvent).where(AuditEvent.id == event_id)).one()
    assert row.actor_id is None
    assert (row.action, row.object_id, row.before, row.after) == (
        "process.update",
        3,
        {"t": "a"},
        {"t": "b"},
    )


def _triggers(database: Database) -> set[str]:
    with database.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": "audit_events"},
        )
        return set(rows.scalars())


def test_the_migration_adds_and_removes_the_triggers(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    try:
        upgrade(database.engine)
        assert _triggers(database) == {"audit_events_no_update", "audit_events_no_delete"}
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, f"{REVISION}-1")
        assert _triggers(database) == set()
        upgrade(database.engine)
        assert len(_triggers(database)) == 2
    finally:
        database.dispose()
