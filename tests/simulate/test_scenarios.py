"""Scenarios: times, counts and placements that retell the published episodes."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
import rasterio

from railwatch import simulate
from railwatch.errors import InputError
from railwatch.geo import WGS84, reproject
from railwatch.simulate import scenarios


def test_local_times_convert_to_utc():
    assert scenarios.local_to_utc(2022, 11, 4, 10, 24, scenarios.PYONGYANG).strftime("%H:%M") == "01:24"
    assert scenarios.local_to_utc(2022, 11, 4, 13, 10, scenarios.VLADIVOSTOK).strftime("%H:%M") == "03:10"
    assert scenarios.local_to_utc(2022, 11, 4, 14, 29, scenarios.VLADIVOSTOK).strftime("%H:%M") == "04:29"


def test_look_dates_cover_the_surge():
    looks = scenarios.look_dates(0)
    days = [d for d, _ in looks]
    assert days == sorted(days) and days[0] >= date(2023, 6, 1) and days[-1] <= date(2023, 10, 31)
    assert date(2023, 10, 5) in days and date(2023, 9, 18) in days
    gaps = [(b - a).days for a, b in zip(days[:-1], days[1:], strict=True)]
    assert max(gaps) <= 20 and 12 <= len(days) <= 35
    assert any(c > 0 for _, c in looks)  # some partly cloudy looks


@pytest.fixture(scope="module")
def crossing(tmp_path_factory):
    out = tmp_path_factory.mktemp("crossing")
    return out, simulate.scenario("crossing-2022-11-04", out, seed=0, gsd_m=4.0)


def test_crossing_scenes(crossing):
    out, paths = crossing
    manifest = json.loads((out / "scenario.json").read_text())
    assert [s["utc"] for s in manifest["scenes"]] == [
        "2022-11-04T01:24:00Z",
        "2022-11-04T03:10:00Z",
        "2022-11-04T04:29:00Z",
    ]
    assert manifest["scenes"][0]["local_time"].startswith("2022-11-04T10:24:00+09:00")
    with rasterio.open(paths[0]) as ds:
        assert ds.tags()["TIFFTAG_DATETIME"] == "2022:11:04 01:24:00"
    truths = [simulate.truth.read(p) for p in paths]
    colors = [c.color for c in truths[0].cars if c.type == "boxcar"]
    assert colors == ["#8fb8d8", "#1f3a6b", "#7a3b2a"]
    assert not any(c.locomotive for c in truths[0].cars)
    bridge = scenarios.load_site("friendship-bridge")
    ru_end = next(lm.chainage_m for lm in bridge.landmarks if lm.id.endswith("bridge-end-ru"))
    loco2 = [c for c in truths[1].cars if c.locomotive]
    assert len(loco2) == 1 and loco2[0].track == "friendship-bridge/main"
    assert 150 <= loco2[0].end_m - ru_end <= 250
    boxcars2 = [c for c in truths[1].cars if c.type == "boxcar"]
    assert all(c.end_m < loco2[0].start_m for c in boxcars2)  # the locomotive leads
    assert len({c.consist for c in boxcars2 + loco2}) == 1
    third = truths[2]
    assert {c.track for c in third.cars if c.type in ("boxcar", "locomotive")} == {"khasan/1"}
    assert sum(1 for c in third.cars if c.type == "covered") == 3
    # about 2 km from the border point on the bridge, in a straight line too
    border = next(lm.point for lm in bridge.landmarks if lm.id.endswith("border-point"))
    loco3 = next(c for c in third.cars if c.locomotive)
    crs = 32652
    d = reproject(loco3.footprint.centroid, WGS84, crs).distance(reproject(border, WGS84, crs))
    assert 1500 <= d <= 2300


def test_tumangang_counts(tmp_path, monkeypatch):
    """The series truth: baseline <= 20 before 09-18, 73 +- 2 on 10-05, mostly covered after the rise."""
    looks = scenarios.look_dates(0)
    keep = [
        lk
        for lk in looks
        if lk[0] in (date(2023, 6, 1), date(2023, 9, 18), date(2023, 10, 5)) or lk[0].month == 7
    ]
    monkeypatch.setattr(scenarios, "look_dates", lambda seed: keep)
    paths = simulate.scenario("tumangang-2023", tmp_path, seed=0, gsd_m=10.0)
    rows = list(csv.DictReader((tmp_path / "series_truth.csv").open()))
    assert len(rows) == len(paths) == len(keep)
    for row, path in zip(rows, paths, strict=True):
        truth = simulate.truth.read(path)
        assert truth.count() == int(row["count"])
        assert 0.0 <= float(row["coverage"]) <= 1.0
        if truth.meta["clouds"] > 0:  # a partial look, not a lost one
            assert 0.6 <= float(row["coverage"]) <= 0.95
        if row["date"] < "2023-09-18":
            assert int(row["count"]) <= 20
        if row["date"] == "2023-10-05":
            assert abs(int(row["count"]) - 73) <= 2
            covered = sum(1 for c in truth.railcars if c.type == "covered")
            assert covered / len(truth.railcars) > 0.6
            assert float(row["coverage"]) == 1.0
    events = list(csv.DictReader((tmp_path / "events.csv").open()))
    assert events[0]["date"] == "2023-09-13" and "summit" in events[0]["title"]


def test_return_scenario(tmp_path):
    paths = simulate.scenario("return-2022-11-29", tmp_path, seed=1, gsd_m=5.0)
    a, b = (simulate.truth.read(p) for p in paths)
    assert sum(c.locomotive for c in a.cars) == 1 and sum(c.locomotive for c in b.cars) == 0
    assert len(a.railcars) == len(b.railcars) == 8
    assert [c.color for c in sorted(a.railcars, key=lambda c: -c.start_m)] == [
        c.color for c in sorted(b.railcars, key=lambda c: -c.start_m)
    ]
    assert all(c.track.startswith("tumangang/yard") for c in b.cars)
    assert a.meta["acquired"] == "2022-11-29T02:40:00Z"


def test_unknown_scenario(tmp_path):
    with pytest.raises(InputError, match="unknown scenario"):
        simulate.scenario("nope", tmp_path)


def test_river_under_the_bridge(crossing):
    """Beside the bridge span (between its bridge-end landmarks) the image shows water, not fields."""
    _, paths = crossing
    bridge = scenarios.load_site("friendship-bridge")
    line = reproject(bridge.track("friendship-bridge/main").line, WGS84, 32652)
    ends = sorted(lm.chainage_m for lm in bridge.landmarks if "bridge" in lm.kind)
    mid = (ends[0] + ends[-1]) / 2
    p, q = line.interpolate(mid), line.interpolate(mid + 1)
    ax, ay = q.x - p.x, q.y - p.y
    with rasterio.open(paths[0]) as ds:
        img = ds.read().astype(float)
        water, land = [], []
        for off in (-120, -80, 80, 120):
            r, c = ds.index(p.x - ay * off, p.y + ax * off)
            water.append(img[:, r, c])
        for ch in (ends[0] - 300, ends[-1] + 300):
            pt = line.interpolate(ch)
            r, c = ds.index(pt.x - ay * 60, pt.y + ax * 60)
            land.append(img[:, r, c])
    for px in water:
        assert px[2] >= px[0] and px.mean() < 110  # dark, blue-green
    assert any(px[0] > px[2] for px in land)  # fields are warmer


def test_track_coverage_matches_truth(tmp_path):
    site = simulate.make_site(seed=9, n_tracks=3, length_m=400)
    when = scenarios.local_to_utc(2023, 7, 1, 11, 0, scenarios.PYONGYANG)
    cov = simulate.track_coverage(site, acquired=when, seed=21, clouds=0.4, misregistration_m=2.0)
    path = simulate.render(
        site, [], tmp_path / "c.tif", gsd_m=4.0, acquired=when, seed=21, clouds=0.4, misregistration_m=2.0
    )
    truth = simulate.truth.read(path)
    assert cov == {k: v["coverage"] for k, v in truth.meta["tracks"].items()}
