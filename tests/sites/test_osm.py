"""OSM import: XML and Overpass JSON give the same site; stations, sidings, and the border point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point

from railwatch import sites
from railwatch.errors import TrackFileError
from railwatch.geo import distance_m

DATA = Path(__file__).parent / "data"
XML = DATA / "toy_border.osm"
OVERPASS = DATA / "toy_border.json"


def test_xml_tracks_and_tags():
    site = sites.read_osm(XML, site_id="toy")
    assert site.id == "toy"
    assert [t.id for t in site.tracks] == ["toy/osm-way-100", "toy/osm-way-101", "toy/osm-way-102"]
    main, north, siding = site.tracks
    assert (main.gauge_mm, main.country, main.kind, main.name) == (0, "KP", "rail", "Border line")
    assert (north.gauge_mm, north.country, north.kind) == (1520, "RU", "rail")
    assert siding.kind == "siding"
    assert all(t.geometry_quality == "osm" for t in site.tracks)
    assert site.countries == ["KP", "RU"]
    assert all(site.aoi.contains(t.line) for t in site.tracks)


def test_stations():
    site = sites.read_osm(XML, site_id="toy")
    stations = {lm.name: lm for lm in site.landmarks if lm.kind == "station"}
    assert set(stations) == {"Toyville", "Southtown"}  # railway=station; public_transport + train=yes
    south = stations["Southtown"]
    assert south.track == "toy/osm-way-100"
    assert south.chainage_m == pytest.approx(distance_m(Point(10.0, 49.99), Point(10.002, 49.993)), abs=1.0)
    assert stations["Toyville"].track in ("toy/osm-way-101", "toy/osm-way-102")


def test_border_point_at_true_intersection():
    site = sites.read_osm(XML, site_id="toy")
    borders = [lm for lm in site.landmarks if lm.kind == "border"]
    assert len(borders) == 1
    b = borders[0]
    # way 100 runs (10.004, 49.996) -> (10.008, 50.004); the boundary (lat 50.0) meets it at lon 10.006
    assert distance_m(b.point, Point(10.006, 50.0)) < 1.0
    assert b.track == "toy/osm-way-100"
    expected = distance_m(Point(10.0, 49.99), Point(10.004, 49.996)) + distance_m(
        Point(10.004, 49.996), Point(10.006, 50.0)
    )
    assert b.chainage_m == pytest.approx(expected, abs=2.0)
    assert b.country == "KP"


def test_xml_and_overpass_give_the_same_site():
    a = sites.read_osm(XML, site_id="toy")
    b = sites.read_osm(OVERPASS, site_id="toy")
    assert [t.id for t in a.tracks] == [t.id for t in b.tracks]
    for ta, tb in zip(a.tracks, b.tracks, strict=True):
        assert ta.line.equals_exact(tb.line, 1e-9)
        assert (ta.gauge_mm, ta.country, ta.kind) == (tb.gauge_mm, tb.country, tb.kind)
    assert [(lm.id, lm.kind, lm.name, lm.track, lm.chainage_m) for lm in a.landmarks] == [
        (lm.id, lm.kind, lm.name, lm.track, lm.chainage_m) for lm in b.landmarks
    ]
    assert a.aoi.equals_exact(b.aoi, 1e-9)


def test_site_id_defaults_to_file_name_and_load_detects_format():
    assert sites.read_osm(XML).id == "toy-border"
    assert sites.load(str(OVERPASS)).tracks[0].id == "toy-border/osm-way-100"
    assert sites.load(str(XML)).tracks[0].id == "toy-border/osm-way-100"


def test_boundary_relation_members_count_as_border(tmp_path: Path):
    obj = json.loads(OVERPASS.read_text())
    for el in obj["elements"]:
        if el["type"] == "way" and el["id"] == 200:
            el["tags"] = {}
    obj["elements"].append(
        {
            "type": "relation",
            "id": 9,
            "members": [{"type": "way", "ref": 200, "role": "outer"}],
            "tags": {"boundary": "administrative", "admin_level": "2"},
        }
    )
    p = tmp_path / "rel.json"
    p.write_text(json.dumps(obj))
    borders = [lm for lm in sites.read_osm(p).landmarks if lm.kind == "border"]
    assert len(borders) == 1 and distance_m(borders[0].point, Point(10.006, 50.0)) < 1.0


def test_xml_that_does_not_parse(tmp_path: Path):
    p = tmp_path / "bad.osm"
    p.write_text('<osm version="0.6"><node id="1" lat="50" lon="10">')
    with pytest.raises(TrackFileError, match="does not parse") as exc:
        sites.read_osm(p)
    assert exc.value.path == str(p)


def test_no_railway_ways(tmp_path: Path):
    p = tmp_path / "roads.osm"
    p.write_text(
        '<osm version="0.6"><node id="1" lat="50" lon="10"/><node id="2" lat="50.1" lon="10"/>'
        '<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way></osm>'
    )
    with pytest.raises(TrackFileError, match="no railway ways"):
        sites.read_osm(p)


def test_overpass_without_elements(tmp_path: Path):
    p = tmp_path / "x.json"
    p.write_text('{"version": 0.6}')
    with pytest.raises(TrackFileError, match="no 'elements'"):
        sites.read_osm(p)


def test_neither_xml_nor_json(tmp_path: Path):
    p = tmp_path / "x.osm"
    p.write_text("railway=rail")
    with pytest.raises(TrackFileError, match="neither OSM XML nor Overpass JSON"):
        sites.read_osm(p)
