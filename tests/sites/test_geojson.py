"""GeoJSON import and export: round trip, ids, snapping, legacy CRS, and every kind of bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point

from railwatch import sites
from railwatch.errors import TrackFileError
from railwatch.geo import distance_m, reproject

DATA = Path(__file__).parent / "data"


def _write(tmp_path: Path, obj, name: str = "f.geojson") -> Path:
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return p


def _fc(*geoms, props=None):
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props or {}, "geometry": g} for g in geoms],
    }


@pytest.mark.parametrize("sid", ["tumangang", "friendship-bridge", "sinuiju-dandong"])
def test_round_trip(tmp_path: Path, sid: str):
    site = sites.load(sid)
    back = sites.read_geojson(_write(tmp_path, sites.to_geojson(site)))
    assert (back.id, back.name, back.timezone, back.countries) == (
        site.id,
        site.name,
        site.timezone,
        site.countries,
    )
    assert back.description == site.description
    assert [t.id for t in back.tracks] == [t.id for t in site.tracks]
    for a, b in zip(site.tracks, back.tracks, strict=True):
        assert (a.gauge_mm, a.country, a.kind, a.geometry_quality) == (
            b.gauge_mm,
            b.country,
            b.kind,
            b.geometry_quality,
        )
        assert a.line.equals_exact(b.line, 1e-7)
    for a, b in zip(site.landmarks, back.landmarks, strict=True):
        assert (a.id, a.kind, a.track, a.country) == (b.id, b.kind, b.track, b.country)
        assert a.chainage_m == pytest.approx(b.chainage_m, abs=0.01)
    assert site.aoi.equals_exact(back.aoi, 1e-7)


def test_to_geojson_is_rfc7946():
    fc = sites.to_geojson(sites.load("khasan"))
    assert fc["type"] == "FeatureCollection"
    roles = [f["properties"]["role"] for f in fc["features"]]
    assert roles.count("aoi") == 1 and roles.count("track") == 6 and roles.count("landmark") == 1
    lon, lat = fc["features"][1]["geometry"]["coordinates"][0]
    assert 130 < lon < 131 and 42 < lat < 43  # lon first
    json.dumps(fc)  # plain JSON types only


def test_bare_tracks_file_keeps_ids_and_generates_missing():
    site = sites.read_geojson(DATA / "toy_tracks.geojson")
    assert site.id == "toy-tracks"
    assert [t.id for t in site.tracks] == ["a", "track-2"]
    assert site.tracks[0].gauge_mm == 1435
    assert all(site.aoi.contains(t.line) for t in site.tracks)
    signal = site.landmarks[0]
    assert (signal.id, signal.kind, signal.track) == ("signal", "signal", "a")
    assert signal.chainage_m == pytest.approx(site.tracks[0].length_m / 2.0, abs=1.0)


def test_site_id_prefixes_track_ids():
    site = sites.read_geojson(DATA / "toy_tracks.geojson", site_id="muttenz")
    assert site.id == "muttenz"
    assert [t.id for t in site.tracks] == ["muttenz/a", "muttenz/track-2"]
    assert site.landmarks[0].track == "muttenz/a"


def test_reading_a_catalog_file_under_a_new_id_renames_tracks_and_landmarks(tmp_path: Path):
    p = _write(tmp_path, sites.to_geojson(sites.load("friendship-bridge")))
    site = sites.read_geojson(p, site_id="bridge2")
    assert [t.id for t in site.tracks] == ["bridge2/main"]
    assert {lm.track for lm in site.landmarks} == {"bridge2/main"}


def test_multilinestring_gives_one_track_per_part(tmp_path: Path):
    geom = {
        "type": "MultiLineString",
        "coordinates": [[[10, 50], [10.01, 50]], [[10, 50.001], [10.01, 50.001]]],
    }
    site = sites.read_geojson(_write(tmp_path, _fc(geom, props={"id": "y"})))
    assert [t.id for t in site.tracks] == ["y-1", "y-2"]


def test_legacy_crs_member_is_reprojected(tmp_path: Path):
    lonlat = sites.read_geojson(DATA / "toy_tracks.geojson")
    utm = reproject(lonlat.tracks[0].line, 4326, 32632)
    obj = _fc({"type": "LineString", "coordinates": [list(c) for c in utm.coords]}, props={"id": "a"})
    obj["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}}
    site = sites.read_geojson(_write(tmp_path, obj))
    a, b = site.tracks[0].line.coords[0], lonlat.tracks[0].line.coords[0]
    assert distance_m(Point(a), Point(b)) < 0.01


def test_malformed_json(tmp_path: Path):
    p = _write(tmp_path, '{"type": "FeatureCollection", "features": [')
    with pytest.raises(TrackFileError, match="malformed JSON") as exc:
        sites.read_geojson(p)
    assert exc.value.path == str(p)


def test_no_linestrings(tmp_path: Path):
    p = _write(tmp_path, _fc({"type": "Point", "coordinates": [10, 50]}))
    with pytest.raises(TrackFileError, match="no LineString tracks"):
        sites.read_geojson(p)


def test_linestring_with_one_point(tmp_path: Path):
    p = _write(tmp_path, _fc({"type": "LineString", "coordinates": [[10, 50]]}))
    with pytest.raises(TrackFileError, match="at least 2 points"):
        sites.read_geojson(p)


def test_non_finite_coordinates(tmp_path: Path):
    p = _write(tmp_path, '{"type": "LineString", "coordinates": [[10, 50], [NaN, 50.1]]}')
    with pytest.raises(TrackFileError, match="non-finite"):
        sites.read_geojson(p)


def test_projected_coordinates_without_crs(tmp_path: Path):
    p = _write(
        tmp_path, _fc({"type": "LineString", "coordinates": [[612345.0, 5263456.0], [612945.0, 5263456.0]]})
    )
    with pytest.raises(TrackFileError, match="probably a projected file"):
        sites.read_geojson(p)


def test_not_geojson(tmp_path: Path):
    with pytest.raises(TrackFileError, match="not a GeoJSON object"):
        sites.read_geojson(_write(tmp_path, "[1, 2, 3]"))


def test_landmark_on_unknown_track(tmp_path: Path):
    obj = _fc({"type": "LineString", "coordinates": [[10, 50], [10.01, 50]]}, props={"id": "a"})
    obj["features"].append(
        {
            "type": "Feature",
            "properties": {"id": "x", "track": "b"},
            "geometry": {"type": "Point", "coordinates": [10, 50]},
        }
    )
    with pytest.raises(TrackFileError, match="unknown track 'b'"):
        sites.read_geojson(_write(tmp_path, obj))


def test_missing_file(tmp_path: Path):
    with pytest.raises(TrackFileError, match="no such file"):
        sites.read_geojson(tmp_path / "absent.geojson")
