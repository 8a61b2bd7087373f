"""By-type intervals travel from count() through the pipeline and the store to the API and the report
sentence: at 0.5 m every track carries them, at 2 m (types not read) none does and no sentence is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from railwatch import imagery, pipeline, simulate, store
from railwatch.detect.count import count
from railwatch.narrative.composition import latest_composition, scene_by_type
from railwatch.server.geojson import observation_dict

DAY0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("gsd", [0.5, 2.0])
def test_by_type_interval_end_to_end(tmp_path, gsd):
    site = simulate.make_site(seed=5, n_tracks=2, length_m=250)
    cars = simulate.random_cars(site, seed=5, occupancy=0.5)
    path = simulate.render(site, cars, tmp_path / "s.tif", gsd_m=gsd, acquired=DAY0, seed=5)
    db = store.open(f"sqlite:///{tmp_path / 'w.db'}")
    db.put_site(site)
    sid, _ = db.add_scene(imagery.open(path), [site.id])
    result = pipeline.analyse_task(pipeline.Task(sid, str(path), DAY0, gsd, site))
    assert result.error is None
    db.put_observations(sid, site.id, result.observations)
    stored = db.observations(site=site.id)
    assert len(stored) == 2
    sentence = latest_composition(stored)
    if gsd >= 1.0:
        assert all(o.by_type_expected is None for o in stored)
        assert observation_dict(stored[0])["by_type_low"] is None
        assert sentence is None
        return
    for o in stored:
        assert o.by_type_expected is not None and o.by_type_low is not None and o.by_type_high is not None
        assert sum(o.by_type_expected.values()) == pytest.approx(o.cars, abs=0.05)
        for k, m in o.by_type_expected.items():
            assert o.by_type_low[k] <= m <= o.by_type_high[k] <= o.cars_high
    # the look's by-type interval from the stored tracks is the one count() gives for the scene
    direct = count(path, tracks=site).by_type_interval
    from_store = scene_by_type(stored)
    assert set(from_store) == set(direct)
    for k, tc in direct.items():
        m, lo, hi, _ = from_store[k]
        assert m == pytest.approx(tc.expected, abs=0.05)
        assert abs(lo - tc.low) <= 1 and abs(hi - tc.high) <= 1, (k, (lo, hi), (tc.low, tc.high))
    api = observation_dict(stored[0])
    assert api["by_type_low"] == stored[0].by_type_low and api["by_type_high"] == stored[0].by_type_high
    assert sentence is not None and sentence.startswith("On 1 March 2025, ") and "90 % interval" in sentence

