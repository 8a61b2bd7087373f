"""Helpers for the activity tests: write small CSVs, build looks and a store with observations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import LineString, Polygon

from railwatch.activity.series import Look


def make_looks(counts: list[float], start: date = date(2023, 1, 1), step_days: int = 7) -> list[Look]:
    """Full-coverage looks every `step_days` days with the given counts."""
    return [Look(start + timedelta(days=i * step_days), float(c), float(c), float(c), 1.0, float(c))
            for i, c in enumerate(counts)]


@pytest.fixture
def looks_of():
    """make_looks as a fixture."""
    return make_looks


@pytest.fixture
def write(tmp_path: Path):
    """Write text to a file in tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_text(text)
        return p

    return _write


@pytest.fixture
def yard_db(db_url: str) -> str:
    """A store with site 'yard' (two tracks) and a ramp of observations: ~10 cars until 2023-09-18,
    rising to ~70 by 2023-10-05; one partial look and one look under the coverage floor."""
    from railwatch import store
    from railwatch.records import Observation, Scene, Site, Track

    db = store.open(db_url)
    aoi = Polygon([(130.60, 42.41), (130.62, 42.41), (130.62, 42.43), (130.60, 42.43)])
    tracks = [Track(id=f"t{i}", line=LineString([(130.601, 42.42 + i * 0.001), (130.619, 42.42 + i * 0.001)]),
                    site="yard") for i in (1, 2)]
    db.put_site(Site(id="yard", name="Test yard", aoi=aoi, tracks=tracks))
    start = datetime(2023, 6, 2, 2, 30, tzinfo=UTC)
    noise = [1, -2, 0, 2, -1, 1, 0, -2, 2, -1, 0, 1, -1, 2, 0, -2, 1, 0, -1, 2, 1, -1, 0, 2, -2, 1, 0, -1]
    for i in range(28):
        t = start + timedelta(days=7 * i)
        day = t.date()
        if day <= date(2023, 9, 18):
            level = 10
        elif day <= date(2023, 10, 5):
            level = 10 + 60 * (day - date(2023, 9, 18)).days / 17
        else:
            level = 70
        total = max(0, round(level + noise[i]))
        coverage = 0.3 if i == 5 else (0.8 if i == 8 else 1.0)
        seen = round(total * coverage)
        scene_id, _ = db.add_scene(Scene(path=f"/tmp/s{i}.tif", sha256=f"{i:064x}", acquired=t, gsd_m=0.5,
                                         crs="EPSG:32652", footprint=aoi, width=10, height=10, band_count=3,
                                         dtype="uint8"), ["yard"])
        a = seen // 2
        obs = [Observation(site="yard", track="t1", acquired=t, coverage=coverage, cars=a, cars_low=a,
                           cars_high=a, scene_id=scene_id),
               Observation(site="yard", track="t2", acquired=t, coverage=coverage, cars=seen - a,
                           cars_low=seen - a, cars_high=seen - a, scene_id=scene_id)]
        db.put_observations(scene_id, "yard", obs)
    db.close()
    return db_url
