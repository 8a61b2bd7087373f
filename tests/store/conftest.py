"""A store holding one small site, for the store tests: on SQLite always, and on a throw-away
PostgreSQL + PostGIS server (scripts/postgres.sh, or $RAILWATCH_TEST_PG) for tests marked postgres."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from store_samples import make_site

from railwatch import store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def postgres_url():
    """URL of an empty-able PostGIS database; skips when none can be had."""
    url = os.environ.get("RAILWATCH_TEST_PG")
    if url:
        yield url
        return
    script = REPO / "scripts" / "postgres.sh"
    if not script.exists() or not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("no PostgreSQL server available")
    folder = tempfile.mkdtemp(prefix="rw-store-pg-")
    try:
        p = subprocess.run(["bash", str(script), "start", folder], capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot start PostgreSQL: {exc}")
    if p.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"cannot start PostgreSQL: {p.stderr.strip()[-200:]}")
    yield p.stdout.strip().splitlines()[-1]
    subprocess.run(["bash", str(script), "stop", folder], capture_output=True, timeout=120)
    shutil.rmtree(folder, ignore_errors=True)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("DROP EXTENSION IF EXISTS postgis CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_url(request, db_url):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        return db_url
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def db(any_url):
    s = store.open(any_url)
    s.put_site(make_site())
    yield s
    s.close()
