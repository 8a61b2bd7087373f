"""A seeded store and TestClients over it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from seed import seed  # noqa: E402

TOKEN = "s3cret"


@pytest.fixture
def seeded(tmp_path: Path) -> dict:
    db_url = f"sqlite:///{tmp_path / 'railwatch.db'}"
    return seed(db_url, tmp_path) | {"db_url": db_url}


@pytest.fixture
def client(seeded: dict):
    from fastapi.testclient import TestClient

    from railwatch.server import create_app

    with TestClient(create_app(seeded["db_url"], token=TOKEN, max_upload_mb=1)) as c:
        yield c
