"""Alembic environment: runs migrations on the engine handed over by clientloop.db."""

from alembic import context
from sqlmodel import SQLModel

import clientloop.models  # noqa: F401  (registers the tables on the metadata)
import review.models  # noqa: F401
import clients.models  # noqa: F401

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
