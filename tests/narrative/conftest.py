"""Narrative tests reuse the movement scenarios (tests/movement/scenarios.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "movement"))

import scenarios  # noqa: E402

from railwatch.movement.match import match  # noqa: E402
from railwatch.movement.network import from_sites  # noqa: E402
from railwatch.narrative.sentences import Setting  # noqa: E402


@pytest.fixture(scope="session")
def setting() -> Setting:
    sites = scenarios.border_sites()
    return Setting(from_sites(sites), {s.id: s for s in sites})


@pytest.fixture(scope="session")
def crossing(setting):
    consists = scenarios.crossing()
    return consists, match(consists, setting.network)


@pytest.fixture(scope="session")
def returning(setting):
    consists = scenarios.returning()
    return consists, match(consists, setting.network)
