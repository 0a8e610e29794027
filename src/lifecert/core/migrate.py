"""Running Alembic from code: the CLI, the dev server on start, and the tests use this."""

from __future__ import annotations

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from lifecert.core.settings import REPO_ROOT


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(
    connection: Connection | None = None, *, url: str | None = None, revision: str = "head"
) -> None:
    command.upgrade(alembic_config(connection, url), revision)


def downgrade(
    connection: Connection | None = None, *, url: str | None = None, revision: str = "base"
) -> None:
    command.downgrade(alembic_config(connection, url), revision)


@lru_cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
