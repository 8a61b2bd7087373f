"""`railwatch sites list | show | import`: tables, JSON, the store write, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from railwatch import sites, store

DATA = Path(__file__).parent / "data"


def test_list_json(cli):
    r = cli("sites", "list", "--json")
    assert r.code == 0, r.err
    rows = json.loads(r.out)
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == set(sites.names())
    assert by_id["khasan"]["tracks"] == 6
    assert by_id["friendship-bridge"]["countries"] == ["KP", "RU"]
    assert by_id["tumangang"]["track_km"] > 8.0


def test_list_table(cli):
    r = cli("sites", "list")
    assert r.code == 0
    assert "friendship-bridge" in r.err and "sinuiju-dandong" in r.err and "track km" in r.err


def test_show_table_has_lengths_and_chainage(cli):
    r = cli("sites", "show", "friendship-bridge")
    assert r.code == 0, r.err
    assert "friendship-bridge/main" in r.err
    border = next(lm for lm in sites.load("friendship-bridge").landmarks if lm.kind == "border")
    assert f"{border.chainage_m:.1f}" in r.err
    assert "Asia/Vladivostok" in r.err


def test_show_json_is_geojson(cli):
    r = cli("sites", "show", "khasan", "--json")
    assert r.code == 0, r.err
    fc = json.loads(r.out)
    assert fc["type"] == "FeatureCollection"
    assert sites.from_geojson(fc).id == "khasan"


def test_show_a_file(cli):
    r = cli("sites", "show", str(DATA / "toy_border.osm"), "--json")
    assert r.code == 0, r.err
    assert len(json.loads(r.out)["features"]) == 1 + 3 + 3  # AOI, 3 tracks, 2 stations + 1 border


def test_import_osm_saves_to_store(cli, db_url):
    r = cli("sites", "import", str(DATA / "toy_border.json"), "--id", "toy", "--db", db_url, "--json")
    assert r.code == 0, r.err
    info = json.loads(r.out)
    assert (info["id"], info["tracks"], info["landmarks"]) == ("toy", 3, 3)
    with store.open(db_url) as db:
        site = db.get_site("toy")
    assert sorted(t.id for t in site.tracks) == ["toy/osm-way-100", "toy/osm-way-101", "toy/osm-way-102"]
    assert {lm.kind for lm in site.landmarks} == {"station", "border"}


def test_import_bare_geojson_prefixes_ids_with_file_name(cli, db_url):
    r = cli("sites", "import", str(DATA / "toy_tracks.geojson"), "--db", db_url)
    assert r.code == 0, r.err
    assert "imported site toy-tracks" in r.err
    with store.open(db_url) as db:
        assert sorted(t.id for t in db.get_site("toy-tracks").tracks) == [
            "toy-tracks/a",
            "toy-tracks/track-2",
        ]


def test_unknown_site_is_one_line_exit_2(cli):
    r = cli("sites", "show", "atlantis")
    assert r.code == 2
    assert r.err.strip().startswith("railwatch: error: unknown site 'atlantis'")
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err


def test_bad_file_is_one_line_exit_2_and_nothing_stored(cli, db_url, tmp_path: Path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "LineString", "coordinates": [[500000, 4700000], [500100, 4700000]]}')
    r = cli("sites", "import", str(bad), "--db", db_url)
    assert r.code == 2
    assert r.err.strip().splitlines() == [r.err.strip()]
    assert r.err.startswith(f"railwatch: error: {bad}: ") and "projected" in r.err
    with store.open(db_url) as db:
        assert db.sites() == []


def test_missing_file_exit_2(cli, db_url, tmp_path: Path):
    r = cli("sites", "import", str(tmp_path / "nope.osm"), "--db", db_url)
    assert r.code == 2
    assert "no such file" in r.err


def test_show_a_stored_site(cli, db_url):
    assert cli("sites", "import", str(DATA / "toy_border.osm"), "--id", "toy", "--db", db_url).code == 0
    r = cli("sites", "show", "toy", "--db", db_url, "--json")
    assert r.code == 0, r.err
    ids = [f["properties"]["id"] for f in json.loads(r.out)["features"] if f["properties"]["role"] == "track"]
    assert ids == ["toy/osm-way-100", "toy/osm-way-101", "toy/osm-way-102"]
    r = cli("sites", "show", "ghost", "--db", db_url)
    assert r.code == 2 and "no site 'ghost' in the store" in r.err
