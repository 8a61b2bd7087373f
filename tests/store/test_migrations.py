"""The packaged migrations build the models' schema on an empty file and do nothing on a migrated one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from railwatch import store
from railwatch.store import migrate
from railwatch.store.models import Base

TABLES = {"site", "track", "landmark", "scene", "scene_site", "observation", "car", "event", "alert",
          "consist", "movement"}


def test_migration_creates_schema(tmp_path: Path):
    path = tmp_path / "new.db"
    db = store.open(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        assert TABLES <= names and "alembic_version" in names
        assert migrate.current(conn) == migrate.head() == "0003"
        # the migrated schema is exactly what the models describe
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], diff
    db.close()


def test_migration_is_noop_when_current(tmp_path: Path):
    path = tmp_path / "again.db"
    store.open(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    before = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    con.close()
    db = store.open(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        assert migrate.current(conn) == "0003"
    db.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == before
    assert con.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    con.close()


@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry'")
def test_migration_on_postgis(any_url):
    db = store.open(any_url)
    db.close()
    db = store.open(any_url)  # second open: already at head
    with db.engine.connect() as conn:
        assert TABLES <= set(inspect(conn).get_table_names())
        assert migrate.current(conn) == migrate.head()
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        # PostGIS-only extras (GiST indexes, spatial_ref_sys) are not in the models
        extra = [d for d in diff if d[0] == "remove_index"
                 or (d[0] == "remove_table" and d[1].name == "spatial_ref_sys")]
        assert [d for d in diff if d not in extra] == [], diff
    db.close()


def test_migrations_run_without_alembic_ini(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no alembic.ini here
    monkeypatch.delenv("RAILWATCH_DB", raising=False)
    db = store.open()
    assert (tmp_path / "railwatch.db").exists()
    assert db.count("site") == 0
    db.close()
