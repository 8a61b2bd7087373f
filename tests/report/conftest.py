"""The seeded store of the server tests (a UTM 52N GeoTIFF with painted cars at Tumangang)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("rw_seed", Path(__file__).parents[1] / "server" / "seed.py")
seed_mod = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(seed_mod)  # type: ignore[union-attr]


@pytest.fixture
def seeded(tmp_path: Path) -> dict:
    db_url = f"sqlite:///{tmp_path / 'railwatch.db'}"
    return seed_mod.seed(db_url, tmp_path) | {"db_url": db_url}
