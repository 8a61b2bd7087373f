"""Fixtures shared by every test: the shared reference data, a temporary store, a CLI runner."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path | None:
    for cand in (os.environ.get("RAILWATCH_SHARED_DATA"), REPO.parent / "shared" / "data"):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: reference facts, the real Muttenz images, sample GeoTIFFs."""
    p = _shared_data()
    if p is None:
        pytest.skip("../shared/data not present")
    return p


@pytest.fixture(scope="session")
def _pg_template() -> str | None:
    """With $RAILWATCH_TEST_PG (a PostgreSQL server URL): a template database holding PostGIS, made
    once per session, that each test's database is copied from. None otherwise."""
    server = os.environ.get("RAILWATCH_TEST_PG")
    if not server:
        yield None
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"rw_template_{os.getpid()}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    tpl = create_engine(make_url(server).set(database=name))
    with tpl.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    tpl.dispose()
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path, _pg_template: str | None, request: pytest.FixtureRequest) -> str:
    """A fresh store: a SQLite file in a temporary folder, or, when $RAILWATCH_TEST_PG names a
    PostgreSQL server, a new PostGIS database copied from a template (dropped after the test)."""
    if _pg_template is None:
        return f"sqlite:///{tmp_path / 'railwatch.db'}"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = make_url(os.environ["RAILWATCH_TEST_PG"])
    name = f"rw_test_{os.getpid()}_{next(_PG_SEQ)}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {_pg_template}")

    def _drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()

    request.addfinalizer(_drop)
    return server.set(database=name).render_as_string(hide_password=False)


_PG_SEQ = itertools.count()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `railwatch ARGS...` in-process; returns exit code, stdout and stderr."""
    from railwatch.cli.main import run

    def _run(*args: str) -> CliResult:
        capsys.readouterr()
        code = run([str(a) for a in args])
        cap = capsys.readouterr()
        return CliResult(code, cap.out, cap.err)

    return _run
