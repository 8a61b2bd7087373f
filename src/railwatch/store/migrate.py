"""Run the store's Alembic migrations from code: the script location is inside the package, so a user
needs no alembic.ini in their working directory."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def config(url: str | None = None) -> Config:
    """An Alembic Config pointing at the packaged migrations (and at `url`, if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head() -> str:
    """The newest revision the package ships."""
    rev = ScriptDirectory.from_config(config()).get_current_head()
    assert rev is not None
    return rev


def current(connection: Connection) -> str | None:
    """The revision a database is at, or None for an empty one."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database behind `engine` to the newest revision; a no-op when it is already there."""
    with engine.begin() as conn:
        if current(conn) == head():
            return
        cfg = config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
