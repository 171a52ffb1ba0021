"""Alembic environment, wired to the tables in annotator.store.models.

Run programmatically by annotator.store.migrate (the engine's connection is passed in), or by
`alembic -c annotator/store/alembic.ini` with ANNOTATOR_DB / sqlalchemy.url for development.
"""

from alembic import context
from sqlmodel import SQLModel

import annotator.store.models  # noqa: F401  (registers the tables)
from annotator.store.engine import make_engine, resolve_url

target_metadata = SQLModel.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )


connection = context.config.attributes.get("connection")
if connection is not None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or resolve_url())
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
