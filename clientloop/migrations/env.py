"""Alembic environment: runs migrations on the engine handed over by clientloop.db."""

from alembic import context
from sqlmodel import SQLModel

# Importing the table modules registers them on the one metadata Alembic compares against.
import clients.models
import records.tables
import review.models

_TABLE_MODULES = (records.tables, review.models, clients.models)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
