from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from app.models import metadata
from app.submissions.search import is_search_table


def test_models_match_migrations(connection: Connection) -> None:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            # The search tables are made by hand in their migration (FTS5 / tsvector), not models.
            "include_object": lambda _obj, name, type_, *_: (
                not (type_ == "table" and is_search_table(name))
            ),
        },
    )
    diff = compare_metadata(context, metadata)
    assert diff == [], f"models and migrations differ; generate a migration: {diff}"
