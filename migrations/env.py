"""Alembic environment: the URL and metadata come from LifeCert itself."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from lifecert.all_models import Base
from lifecert.core.db import build_engine
from lifecert.core.settings import get_settings

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Tests and the CLI may hand us an open connection, so one transaction covers everything.
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
    engine = build_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
run_migrations_online()
