"""paper search index

Full-text search over papers, made by hand (no model): an FTS5 virtual table on SQLite, a table
of weighted tsvectors on PostgreSQL (document: title, summary and text, matched through a GIN
index; heading: title and summary, for ranking; the paper's meeting, to scope a search without a
join). app/submissions/search.py writes and queries
both; migrations/env.py keeps Alembic's model comparison off them (is_search_table).

No backfill: no database holds papers yet (they arrived in the previous revision). To index
existing papers later, run app.submissions.search.rebuild_index.

Revision ID: c4030f68bdf9
Revises: 297a1428756f
Create Date: 2026-11-29 14:32:13.624489+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c4030f68bdf9"
down_revision: str | None = "297a1428756f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # rowid = papers.id. The table keeps its own copy of the (normalised) text: a contentless
        # table could not forget a paper's old text once the paper has changed.
        op.execute(
            "CREATE VIRTUAL TABLE paper_search USING fts5("
            "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        return
    op.create_table(
        "paper_search",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.Column("heading", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_search_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_paper_search")),
    )
    op.create_index(
        "ix_paper_search_document", "paper_search", ["document"], postgresql_using="gin"
    )
    # Without statistics the planner assumes a match is selective and always answers it from
    # the GIN index; with them, a word found in most papers gets a sequential scan that
    # decompresses every document vector (3x slower at 50,000 papers).
    op.execute("ALTER TABLE paper_search ALTER COLUMN document SET STATISTICS 0")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE paper_search")
        return
    op.drop_index("ix_paper_search_document", table_name="paper_search", postgresql_using="gin")
    op.drop_table("paper_search")
