"""`railwatch count`: the JSON contract, the GeoJSON footprints, the table, and one-line errors."""

from __future__ import annotations

import json

import synth
from shapely.geometry import mapping

CONTRACT = {"image", "gsd_m", "total", "total_low", "total_high", "locomotives", "tracks", "cars",
            "by_type", "by_type_low", "by_type_high"}  # the last three: additive by-type counts and intervals
TRACK_KEYS = {"id", "length_m", "coverage", "cars", "cars_low", "cars_high", "by_type", "by_type_low",
              "by_type_high"}
CAR_KEYS = {"track", "start_m", "end_m", "type", "color", "confidence"}


def _tracks_file(scene, path):
    feats = [
        {"type": "Feature", "properties": {"id": t.id}, "geometry": mapping(t.line)} for t in scene.tracks
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def test_json_matches_contract_exactly(cli, tmp_path):
    scene = synth.render(tmp_path / "s.tif", gsd_m=0.5, n_tracks=2, length_m=200, seed=9)
    tracks = _tracks_file(scene, tmp_path / "tracks.geojson")
    r = cli("count", scene.path, "--tracks", tracks, "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert set(doc) == CONTRACT
    assert isinstance(doc["total"], int) and isinstance(doc["gsd_m"], float)
    assert doc["total_low"] <= doc["total"] <= doc["total_high"]
    assert {t["id"] for t in doc["tracks"]} == {"t0", "t1"}
    for t in doc["tracks"]:
        assert set(t) == TRACK_KEYS
    assert doc["cars"]
    for c in doc["cars"]:
        assert set(c) == CAR_KEYS
    assert doc["total"] == sum(1 for c in doc["cars"] if c["type"] != "locomotive")
    assert abs(doc["total"] - len(scene.cars)) <= 2


def test_geojson_footprints_written_in_lon_lat(cli, tmp_path):
    scene = synth.render(tmp_path / "s.tif", gsd_m=0.5, n_tracks=1, length_m=150, seed=9)
    tracks = _tracks_file(scene, tmp_path / "tracks.geojson")
    out = tmp_path / "cars.geojson"
    r = cli("count", scene.path, "--tracks", tracks, "--geojson", out, "--time", "2024-05-01T03:00:00Z")
    assert r.code == 0, r.err
    assert "railcars" in r.out  # the rich table title
    doc = json.loads(out.read_text())
    assert doc["type"] == "FeatureCollection" and doc["features"]
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 120 < lon < 140 and 30 < lat < 50
    assert set(CAR_KEYS) <= set(doc["features"][0]["properties"])
    assert doc["railwatch"]["acquired"].startswith("2024-05-01T03:00")


def test_errors_are_one_line_exit_2(cli, tmp_path):
    scene = synth.render(tmp_path / "s.tif", gsd_m=1.0, n_tracks=1, length_m=100, seed=1, georef=False)
    tracks = _tracks_file(scene, tmp_path / "tracks.geojson")
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"II*\x00 this is not really a tiff")
    r = cli("count", junk, "--tracks", tracks, "--json")
    assert r.code == 2
    assert r.err.startswith("railwatch: error: ") and "junk.tif" in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert r.out == ""
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    r = cli("count", scene.path, "--tracks", bad, "--gsd", "1")
    assert r.code == 2 and "bad.geojson" in r.err
    out = tmp_path / "never.geojson"
    r = cli("count", tmp_path / "nope.tif", "--tracks", tracks, "--geojson", out)
    assert r.code == 2 and "no such file" in r.err
    assert not out.exists()
