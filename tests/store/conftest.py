"""A store holding one small site, for the store tests."""

from __future__ import annotations

import pytest
from store_samples import make_site

from railwatch import store


@pytest.fixture
def db(db_url):
    s = store.open(db_url)
    s.put_site(make_site())
    yield s
    s.close()
