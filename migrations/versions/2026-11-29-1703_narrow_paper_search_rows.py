"""Narrow paper search rows (PostgreSQL): both tsvectors are stored out of line.

A search that matches half of a meeting visits every matching row of `paper_search`. With the
heading vector (title and summary, ~650 bytes) kept in the row, 50,000 rows fill 35 MB of heap;
with a toast target of 128 bytes both vectors go to the TOAST table and the rows fill 4 MB, so
the bitmap heap scan of a common word reads a tenth of the pages. Existing rows move on their
next rewrite (`VACUUM FULL paper_search`; rows written afresh move at once). SQLite: nothing to do.

Revision ID: 3f1d2c9e8b70
Revises: 7a0e1c000002
Create Date: 2026-11-29 17:03:02.820936+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3f1d2c9e8b70"
down_revision: str | None = "7a0e1c000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE paper_search SET (toast_tuple_target = 128)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE paper_search RESET (toast_tuple_target)")
