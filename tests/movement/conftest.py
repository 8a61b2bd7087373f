"""Fixtures for movement tests: the border network and the scenario consists."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenarios  # noqa: E402

from railwatch.movement.network import Network, from_sites  # noqa: E402


@pytest.fixture(scope="session")
def sites():
    return scenarios.border_sites()


@pytest.fixture(scope="session")
def network(sites) -> Network:
    return from_sites(sites)
