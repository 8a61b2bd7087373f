"""A site's daily total from the store reads the interval count() gave the scene (tracks' independent
parts in quadrature, shared ones linearly), and falls back to the plain sum for rows without spreads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from railwatch import count, pipeline, simulate, store
from railwatch.activity.series import from_observations
from railwatch.detect.estimate import Side, Spread
from railwatch.records import Observation
from railwatch.store.ingest import ingest

DAY = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def test_site_total_from_the_store_is_the_scene_total_of_count(tmp_path, db_url):
    site = simulate.make_site(seed=5, n_tracks=5, length_m=500)
    cars = simulate.random_cars(site, seed=11, occupancy=0.6)
    path = simulate.render(site, cars, tmp_path / "look.tif", gsd_m=1.0, acquired=DAY, seed=2)
    result = count(str(path), tracks=site, time=DAY)
    db = store.open(db_url)
    db.put_site(site)
    ingest(db, path, site=site)
    assert [r.error for r in pipeline.analyse(db, executor="local")] == [None]
    stored = db.observations(site=site.id)
    db.close()
    assert all(o.spread is not None for o in stored) and {o.coverage for o in stored} == {1.0}
    (total,) = from_observations(stored)
    (look,) = total.looks
    assert look.count == result.total > 20
    assert (look.low, look.high) == (result.total_low, result.total_high)
    # five tracks' intervals added linearly would be wider: the store no longer does that
    linear = (sum(o.cars_low for o in stored), sum(o.cars_high for o in stored))
    assert look.high - look.low < linear[1] - linear[0]


def _obs(track: str, spread: Spread | None) -> Observation:
    return Observation(site="s", track=track, acquired=DAY, coverage=1.0, cars=20, cars_low=16,
                       cars_high=25, scene_id=1, spread=spread)


def test_rows_without_spreads_add_linearly_and_partial_looks_still_scale():
    old = [_obs(f"t{k}", None) for k in range(4)]
    (lk,) = from_observations(old)[0].looks
    assert (lk.count, lk.low, lk.high) == (80, 64, 100)
    sp = Spread(down=Side(3.0, 0.5), up=Side(4.0, 0.5))
    (lk,) = from_observations([replace(o, spread=sp) for o in old])[0].looks
    # down: hypot(2 * 3, 4 * 0.5) = 6.3 -> 73; up: hypot(2 * 4, 2) = 8.2 -> 89
    assert (lk.count, lk.low, lk.high) == (80, 73, 89)
    (mixed,) = from_observations([replace(old[0], spread=sp)] + old[1:])[0].looks
    assert lk.low > mixed.low >= 64 and lk.high < mixed.high <= 100
    half = [replace(o, spread=sp, coverage=0.5) for o in old]
    (part,) = from_observations(half)[0].looks
    assert part.count == 160 and part.low >= 73 and part.high > 2 * 89
