"""The built-in catalog: every site valid, real distances, and the Tumangang -> bridge -> Khasan chain."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import Point, box

from railwatch import sites
from railwatch.errors import SiteNotFound, TrackFileError
from railwatch.geo import distance_m, point_at
from railwatch.sites import schematic

EXPECTED = {"tumangang", "friendship-bridge", "khasan", "sinuiju-dandong", "namyang-tumen", "manpo-jian"}
BRIDGE_CENTRE = Point(130.641056, 42.415167)


def _mark(site, lid):
    return next(lm for lm in site.landmarks if lm.id == lid)


def test_names_and_catalog():
    assert set(sites.names()) == EXPECTED
    assert [s.id for s in sites.catalog()] == sites.names()


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_every_site_is_valid(sid):
    site = sites.load(sid)
    assert site.id == sid and site.name
    assert ZoneInfo(site.timezone)
    assert site.countries and set(site.countries) <= {"KP", "RU", "CN"}
    assert site.tracks
    for t in site.tracks:
        assert t.id.startswith(f"{sid}/")
        assert t.site == sid
        assert t.gauge_mm in (0, 1435, 1520)
        assert t.geometry_quality == "schematic"
        assert site.aoi.contains(t.line)
        # margin: the AOI reaches at least ~150 m beyond every vertex
        for c in t.line.coords:
            assert site.aoi.exterior.distance(Point(c)) > 0.0013  # ~145 m in latitude degrees
    for lm in site.landmarks:
        assert site.aoi.contains(lm.point)
        assert lm.track is not None, lm.id
        track = site.track(lm.track)
        assert 0.0 <= lm.chainage_m <= track.length_m
        assert distance_m(point_at(track.line, lm.chainage_m), lm.point) < 1.0
    assert len({t.id for t in site.tracks}) == len(site.tracks)


def test_track_ids_globally_unique():
    ids = [t.id for s in sites.catalog() for t in s.tracks]
    assert len(ids) == len(set(ids))


def test_timezones_and_countries():
    by_id = {s.id: s for s in sites.catalog()}
    assert by_id["tumangang"].timezone == "Asia/Pyongyang"
    assert by_id["khasan"].timezone == "Asia/Vladivostok"
    for sid in ("sinuiju-dandong", "namyang-tumen", "manpo-jian"):
        assert by_id[sid].timezone == "Asia/Shanghai"
        assert by_id[sid].countries == ["CN", "KP"]
        kinds = sorted(lm.id for lm in by_id[sid].landmarks)
        assert kinds == ["border-point", "bridge-end-cn", "bridge-end-kp"]
    assert by_id["friendship-bridge"].countries == ["KP", "RU"]
    assert by_id["tumangang"].track("tumangang/main").gauge_mm == 0  # dual gauge 1520/1435


def test_tumangang_yard_holds_100_cars():
    site = sites.load("tumangang")
    yard = [t for t in site.tracks if t.kind == "yard"]
    assert len(yard) == 8
    assert all(600.0 <= t.length_m <= 1100.0 for t in yard)
    assert sum(t.length_m for t in yard) / 15.0 > 100  # 15 m per car


def test_khasan_has_six_tracks_and_station():
    site = sites.load("khasan")
    assert sorted(t.id for t in site.tracks) == [f"khasan/{i}" for i in range(1, 7)]
    station = _mark(site, "station")
    assert distance_m(station.point, Point(130.644917, 42.430056)) < 1.0
    assert 1500.0 < distance_m(station.point, BRIDGE_CENTRE) < 1900.0


def test_bridge_distances():
    bridge = sites.load("friendship-bridge")
    kp, ru, border = (_mark(bridge, i) for i in ("bridge-end-kp", "bridge-end-ru", "border-point"))
    length = distance_m(kp.point, ru.point)
    assert 500.0 <= length <= 900.0
    assert kp.chainage_m < border.chainage_m < ru.chainage_m
    assert ru.chainage_m - kp.chainage_m == pytest.approx(length, abs=2.0)
    assert distance_m(border.point, Point(130.641271, 42.415217)) < 0.5
    assert kp.country == "KP" and ru.country == "RU"
    assert sites.country_at(bridge, "friendship-bridge/main", 10.0) == "KP"
    assert sites.country_at(bridge, "friendship-bridge/main", border.chainage_m + 5.0) == "RU"
    station = _mark(sites.load("tumangang"), "station")
    assert 2000.0 <= distance_m(station.point, BRIDGE_CENTRE) <= 3500.0


def test_chain_tumangang_bridge_khasan_connects():
    """A train can be followed Tumangang -> bridge -> Khasan along joined track, NK towards Russia."""
    t_main = sites.load("tumangang").track("tumangang/main")
    bridge = sites.load("friendship-bridge")
    b_main = bridge.track("friendship-bridge/main")
    khasan = sites.load("khasan")
    k_main = khasan.track("khasan/1")
    assert distance_m(Point(t_main.line.coords[-1]), Point(b_main.line.coords[0])) < 1.0
    assert distance_m(Point(b_main.line.coords[-1]), Point(k_main.line.coords[0])) < 1.0
    # west -> east, then north
    assert t_main.line.coords[0][0] < t_main.line.coords[-1][0]
    assert b_main.line.coords[0][0] < b_main.line.coords[-1][0]
    assert k_main.line.coords[0][1] < k_main.line.coords[-1][1]
    # Khasan station is about 2 km by rail from the border point
    border = _mark(bridge, "border-point")
    station = _mark(khasan, "station")
    by_rail = (b_main.length_m - border.chainage_m) + station.chainage_m
    assert 1700.0 <= by_rail <= 2500.0
    # Tumangang station to the border by rail, ~3 km
    t_station = _mark(sites.load("tumangang"), "station")
    assert 2500.0 <= (t_main.length_m - t_station.chainage_m) + border.chainage_m <= 3500.0


def test_find_and_overlapping():
    assert [s.id for s in sites.find(130.641056, 42.415167)] == ["friendship-bridge"]
    assert [s.id for s in sites.find(130.6081, 42.4214)] == ["tumangang"]
    assert sites.find(0.0, 0.0) == []
    near_tumen = box(130.60, 42.40, 130.66, 42.44)
    assert {s.id for s in sites.overlapping(near_tumen)} == {"tumangang", "friendship-bridge", "khasan"}
    ring = [(124.38, 40.11), (124.40, 40.11), (124.40, 40.12), (124.38, 40.12)]
    assert [s.id for s in sites.overlapping(ring)] == ["sinuiju-dandong"]
    # neighbouring AOIs overlap where their tracks join
    t, b = sites.load("tumangang"), sites.load("friendship-bridge")
    assert t.aoi.intersects(b.aoi)


def test_load_unknown_site_and_missing_file(tmp_path: Path):
    with pytest.raises(SiteNotFound, match="unknown site 'atlantis'"):
        sites.load("atlantis")
    with pytest.raises(TrackFileError, match="no such file"):
        sites.load(str(tmp_path / "nowhere.geojson"))


def test_load_returns_fresh_objects():
    a = sites.load("khasan")
    a.tracks.clear()
    assert sites.load("khasan").tracks


def test_catalog_files_match_the_schematic_layout(tmp_path: Path):
    """The committed package data is exactly what `python -m railwatch.sites.schematic` writes."""
    schematic.write(tmp_path)
    packaged = resources.files("railwatch.sites") / "catalog"
    for sid in EXPECTED:
        fresh = json.loads((tmp_path / f"{sid}.geojson").read_text())
        assert fresh == json.loads((packaged / f"{sid}.geojson").read_text()), sid
