"""End to end on the simulated 2022-11-04 crossing: simulate -> ingest -> analyse -> follow -> brief.

The scenario puts three enclosed cars on the Korean side of the Friendship Bridge, then (with a
locomotive) past its Russian end and at Khasan. Rendering the three 0.5 m scenes takes about a minute.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from railwatch import pipeline, simulate, store
from railwatch.movement.follow import follow
from railwatch.narrative import Setting, brief
from railwatch.store.ingest import ensure_catalog, ingest

pytestmark = pytest.mark.slow

START = datetime(2022, 11, 4, tzinfo=UTC)
END = datetime(2022, 11, 4, 23, 59, tzinfo=UTC)


@pytest.fixture(scope="module")
def crossing(tmp_path_factory):
    """The crossing scenario rendered, ingested and counted into a fresh SQLite store."""
    out = tmp_path_factory.mktemp("crossing")
    paths = simulate.scenario("crossing-2022-11-04", out / "scenes", gsd_m=0.5)
    db = store.open(f"sqlite:///{out / 'railwatch.db'}")
    ensure_catalog(db)
    for p in paths:
        ingest(db, p)
    results = pipeline.analyse(db)
    assert [r.error for r in results] == [None] * len(results)
    yield db
    db.close()


def test_bridge_deck_is_not_counted_as_cars(crossing):
    """The first look: three boxcars on the Korean approach, nothing on the 640 m deck."""
    obs = [o for o in crossing.observations(site="friendship-bridge", with_cars=True)
           if o.acquired == min(x.acquired for x in crossing.observations(site="friendship-bridge"))]
    cars = [c for o in obs for c in o.car_list if o.track == "friendship-bridge/main"]
    on_deck = [c for c in cars if 505.0 < c.start_m and c.end_m < 1135.0]
    assert on_deck == []
    near = [c for c in cars if 315.0 <= c.start_m and c.end_m <= 385.0]
    assert 3 <= len(near) <= 4  # the three boxcars (the red-brown one may keep a ballast fringe)
    assert len(cars) <= 6


@pytest.mark.xfail(reason="the locomotive is still split from its front cab and typed boxcar", strict=False)
def test_three_car_set_followed_across_the_border(crossing):
    found = follow(crossing, "friendship-bridge", START, END)
    crossed = [m for m in found.movements if m.crossed_border]
    assert len(crossed) >= 1
    m = crossed[0]
    assert sum(1 for c in m.consist_to.cars if not c.is_locomotive) == 3
    assert any(c.is_locomotive for c in m.consist_to.cars)
    text = brief(found.movements, found.consists, Setting(found.network, found.sites), START, END)
    assert "three-car set" in text
    assert "locomotive attached" in text
