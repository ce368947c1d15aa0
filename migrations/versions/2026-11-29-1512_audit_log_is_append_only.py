"""audit log is append-only

The database refuses UPDATE and DELETE on audit_events (and TRUNCATE on PostgreSQL), whoever
asks: the application, a script or a console. One change is let through: `actor_id` becoming
NULL with every other column unchanged, which is what ON DELETE SET NULL does when a user is
erased (their personal data goes; the record of what was done stays).

Written by hand (Alembic's model comparison does not see triggers). On SQLite, a later
migration that rebuilds audit_events in batch mode (copy, drop, rename) drops these triggers
with the old table, and one that adds a column must extend the column list below: re-create
them in that migration.

Revision ID: 5baf0d8c5716
Revises: c3efa05edc06
Create Date: 2026-11-29 15:12:14.356939+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5baf0d8c5716"
down_revision: str | None = "c3efa05edc06"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UNCHANGED = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "request_id",
        "created_at",
    )
)

_POSTGRESQL_FUNCTION = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;  -- ON DELETE SET NULL: the actor's account was deleted
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            f"WHEN NOT (NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL AND {_SQLITE_UNCHANGED}) "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END"
        )
        return
    op.execute(_POSTGRESQL_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
