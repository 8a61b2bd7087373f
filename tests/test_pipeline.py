"""pipeline.analyse: the local and Dask executors store the same observations, re-runs replace rather
than duplicate, and a failing task is reported while the others are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from railwatch import pipeline, simulate, store
from railwatch.store.ingest import ingest

DAY0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scenes(tmp_path_factory) -> tuple[object, list[Path]]:
    """Three small 2 m scenes of one simulated yard with different cars."""
    folder = tmp_path_factory.mktemp("pipeline-scenes")
    site = simulate.make_site(seed=3, n_tracks=3, length_m=400)
    paths = []
    for i in range(3):
        cars = simulate.random_cars(site, seed=10 + i, occupancy=0.3 + 0.2 * i)
        paths.append(simulate.render(site, cars, folder / f"scene{i}.tif", gsd_m=2.0,
                                     acquired=DAY0 + timedelta(days=i), seed=i))
    return site, paths


def _load(url: str, site, paths: list[Path]):
    db = store.open(url)
    db.put_site(site)
    for p in paths:
        ingest(db, p, site=site)
    return db


def _key(db) -> list[tuple]:
    return sorted(
        (o.scene_id, o.track, o.cars, o.cars_low, o.cars_high, round(o.coverage, 6), o.locomotives,
         tuple(sorted(o.by_type.items())))
        for o in db.observations(site="simyard")
    )


def _result_key(results) -> list[tuple]:
    return sorted((r.scene_id, o.track, o.cars, o.cars_low, o.cars_high, round(o.coverage, 6),
                   tuple(sorted(o.by_type.items())), len(o.car_list))
                  for r in results for o in r.observations)


def test_local_and_dask_store_identical_observations(scenes, db_url):
    site, paths = scenes
    db = _load(db_url, site, paths)
    res_local = pipeline.analyse(db, executor="local")
    assert [r.error for r in res_local] == [None] * 3
    want = _key(db)
    assert len(want) == 3 * len(site.tracks)
    assert sum(k[2] for k in want) > 0  # the scenes hold cars and the count found some
    res_dask = pipeline.analyse(db, executor="dask", workers=2)
    assert all(r.error is None for r in res_dask)
    assert _result_key(res_dask) == _result_key(res_local)
    assert _key(db) == want


def test_rerun_does_not_duplicate(scenes, db_url):
    site, paths = scenes
    db = _load(db_url, site, paths)
    pipeline.analyse(db)
    first = _key(db)
    n_obs = db.count("observation")
    pipeline.analyse(db)
    assert db.count("observation") == n_obs
    assert _key(db) == first


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_failed_task_is_reported_others_stored(scenes, db_url, tmp_path, executor):
    site, paths = scenes
    copies = []
    for p in paths:
        q = tmp_path / p.name
        q.write_bytes(p.read_bytes())
        copies.append(q)
    db = _load(db_url, site, copies)
    copies[1].unlink()
    results = pipeline.analyse(db, executor=executor, workers=2)
    failed = [r for r in results if r.error]
    assert len(failed) == 1
    assert "scene1.tif" in failed[0].error
    stored = {o.scene_id for o in db.observations(site="simyard")}
    ok = {r.scene_id for r in results if r.error is None}
    assert stored == ok and len(ok) == 2


def test_dask_worker_exception_is_a_task_error(scenes, db_url):
    site, paths = scenes
    db = _load(db_url, site, paths[:1])
    good = pipeline.plan(db)
    broken = pipeline.Task(scene_id=99, path="/nonexistent.tif", acquired=None, gsd_m=2.0, site=None)
    results = list(pipeline.run_dask([broken, *good], workers=1))
    bad = [r for r in results if r.error]
    assert len(results) == 2 and len(bad) == 1
    assert bad[0].scene_id == 99 and "worker failed: AttributeError" in bad[0].error
    assert [r.scene_id for r in results if not r.error] == [good[0].scene_id]
