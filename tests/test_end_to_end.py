"""End to end on the simulated 2022-11-04 crossing and 2022-11-29 return: simulate -> ingest -> analyse ->
follow -> brief.

The scenario puts three enclosed cars on the Korean side of the Friendship Bridge, then (with a
locomotive) past its Russian end and at Khasan. Rendering the three 0.5 m scenes takes about a minute;
the return scenario's two scenes (Khasan, the Tumangang yard) about 30 s.
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


def _counted(tmp_path_factory, scenario: str):
    """A scenario rendered at 0.5 m, ingested and counted into a fresh SQLite store."""
    out = tmp_path_factory.mktemp(scenario)
    paths = simulate.scenario(scenario, out / "scenes", gsd_m=0.5)
    db = store.open(f"sqlite:///{out / 'railwatch.db'}")
    ensure_catalog(db)
    for p in paths:
        ingest(db, p)
    results = pipeline.analyse(db)
    assert [r.error for r in results] == [None] * len(results)
    return db


@pytest.fixture(scope="module")
def crossing(tmp_path_factory):
    """The crossing scenario rendered, ingested and counted into a fresh SQLite store."""
    db = _counted(tmp_path_factory, "crossing-2022-11-04")
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


def test_three_car_set_followed_across_the_border(crossing):
    """KP approach -> past the Russian bridge end (locomotive attached) -> Khasan, from the pixels, although
    the same boxcars are typed differently from scene to scene."""
    found = follow(crossing, "friendship-bridge", START, END)
    crossed = [m for m in found.movements if m.crossed_border]
    assert len(crossed) == 1
    m = crossed[0]
    assert m.countries == ("KP", "RU")
    assert (m.t0.hour, m.t0.minute, m.t1.hour, m.t1.minute) == (1, 24, 3, 10)
    assert sum(1 for c in m.consist_to.cars if not c.is_locomotive) == 3
    assert any(c.is_locomotive for c in m.consist_to.cars)
    assert "locomotive attached" in m.changes
    onward = [x for x in found.movements if x.consist_from.id == m.consist_to.id]
    assert len(onward) == 1 and onward[0].consist_to.track == "khasan/1"
    text = brief(found.movements, found.consists, Setting(found.network, found.sites), START, END)
    assert "three-car set" in text
    assert "A locomotive was attached between 10:24 and 13:10" in text
    assert "adjacent track" in text  # the covered cars standing next to the set at Khasan


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    """The 2022-11-29/30 return scenario (Khasan, then the Tumangang yard) rendered, ingested, counted."""
    db = _counted(tmp_path_factory, "return-2022-11-29")
    yield db
    db.close()


def test_return_train_has_its_locomotive_at_khasan(returned):
    """At Khasan the eight cars stand behind one locomotive, found and typed from the pixels."""
    obs = [o for o in returned.observations(site="khasan", with_cars=True) if o.track == "khasan/3"]
    cars = [c for o in obs for c in o.car_list if c.track == "khasan/3"]
    locos = [c for c in cars if c.is_locomotive]
    assert len(locos) == 1
    assert 16.0 <= locos[0].length_m <= 21.0
    assert 6 <= sum(1 for c in cars if not c.is_locomotive and 360.0 <= c.start_m <= 495.0) <= 9


def test_eight_car_train_matched_from_khasan_to_the_tumangang_yard(returned):
    """Types of the same cars differ between the two looks and false cuts stand on the empty yard tracks;
    the ordered run of rare colours still picks the train out."""
    start = datetime(2022, 11, 29, tzinfo=UTC)
    end = datetime(2022, 11, 30, 23, 59, tzinfo=UTC)
    found = follow(returned, "khasan", start, end)
    moves = [
        m for m in found.movements
        if m.consist_from.track == "khasan/3" and m.consist_to.track.startswith("tumangang/yard")
    ]
    assert len(moves) == 1
    m = moves[0]
    assert len(m.consist_from.railcars) >= 7 and m.consist_from.locomotives == 1
    assert m.consist_to.locomotives == 0
    assert any("locomotive" in c and "detached" in c for c in m.changes)
