"""railwatch's store: SQLAlchemy models, packaged Alembic migrations and the `Store` API.
A SQLite file by default; PostgreSQL (+PostGIS) by URL. The only place that knows SQL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from railwatch.errors import StoreError
from railwatch.store.database import SceneNotFound, Store, sqlite_pragmas

DEFAULT_URL = "sqlite:///./railwatch.db"


def default_url() -> str:
    """$RAILWATCH_DB, or a railwatch.db SQLite file in the working directory."""
    return os.environ.get("RAILWATCH_DB") or DEFAULT_URL


def resolve_url(url: str | None = None) -> str:
    """A database URL from a URL, a plain file path (taken as SQLite) or None (the default)."""
    if not url:
        return default_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    return url


def open(url: str | None = None) -> Store:  # noqa: A001 - rasterio-style verb
    """Open (creating and migrating as needed) the store at `url`."""
    from railwatch.store import migrate

    url = resolve_url(url)
    try:
        if url.startswith("sqlite"):
            _check_sqlite_dir(url)
            engine = create_engine(url, connect_args={"timeout": 30})
            sqlite_pragmas(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        migrate.upgrade(engine)
    except StoreError:
        raise
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot open the database: {str(exc).splitlines()[0]}", path=url) from exc
    return Store(url, engine)


def _check_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1] if "///" in url else ""
    if not path or path == ":memory:":
        return
    folder = Path(path).expanduser().resolve().parent
    if not folder.is_dir():
        raise StoreError(f"folder {folder} does not exist", path=url)


__all__ = ["open", "Store", "SceneNotFound", "default_url", "resolve_url", "DEFAULT_URL"]
