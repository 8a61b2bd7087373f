"""railwatch search on a static STAC catalog: date range, cloud and AOI filters, ingest, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from railwatch import stac, store

START, END = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 31, tzinfo=UTC)



def _store_with(db_url, yard):
    db = store.open(db_url)
    db.put_site(yard)
    return db


def test_search_filters_range_cloud_and_aoi(catalog, yard):
    hits = stac.search(str(catalog), yard, START, END, max_cloud_pct=20)
    assert [h.id for h in hits] == ["clear"]
    assert hits[0].gsd_m == 2.0 and hits[0].cloud_pct == 5.0
    assert hits[0].href.endswith("clear.tif") and not hits[0].href.startswith("file:")
    assert [h.id for h in stac.search(str(catalog), yard, START, END)] == ["clear", "cloudy"]


def test_cli_search_ingests_matching_items(cli, catalog, yard, db_url):
    _store_with(db_url, yard).close()
    r = cli("search", "--site", "simyard", "--from", "2025-03-01", "--to", "2025-03-31",
            "--max-cloud", "20", "--stac", catalog, "--db", db_url, "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert [i["id"] for i in out["items"]] == ["clear"]
    assert len(out["scenes"]) == 1 and out["scenes"][0]["item"] == "clear"
    db = store.open(db_url)
    scenes = db.scenes(site="simyard")
    assert len(scenes) == 1
    assert scenes[0].acquired == datetime(2025, 3, 2, 2, 0, tzinfo=UTC)
    assert scenes[0].path.endswith("clear.tif")
    # A second search finds the same item and stores nothing new.
    r = cli("search", "--site", "simyard", "--from", "2025-03-01", "--to", "2025-03-31",
            "--max-cloud", "20", "--stac", f"file://{catalog}", "--db", db_url, "--json")
    assert r.code == 0 and json.loads(r.out)["scenes"][0]["created"] is False
    assert len(db.scenes(site="simyard")) == 1


def test_to_date_includes_the_whole_day(cli, catalog, yard, db_url):
    _store_with(db_url, yard).close()
    r = cli("search", "--site", "simyard", "--from", "2025-03-02", "--to", "2025-03-02",
            "--stac", catalog, "--db", db_url, "--json")
    assert r.code == 0 and [i["id"] for i in json.loads(r.out)["items"]] == ["clear"]


def _one_line(r, *needles):
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("railwatch: error:"), r.err
    for n in needles:
        assert n in lines[0]


def test_bad_input_is_one_line(cli, catalog, yard, db_url, tmp_path):
    _store_with(db_url, yard).close()
    base = ["search", "--site", "simyard", "--db", db_url]
    _one_line(cli(*base, "--from", "2025-03-01", "--to", "2025-03-31", "--stac", tmp_path / "nope.json"),
              "nope.json", "no such STAC catalog")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    _one_line(cli(*base, "--from", "2025-03-01", "--to", "2025-03-31", "--stac", bad), "bad.json")
    _one_line(cli(*base, "--from", "March", "--to", "2025-03-31", "--stac", catalog), "--from")
    _one_line(cli(*base, "--from", "2025-04-01", "--to", "2025-03-01", "--stac", catalog), "before")
    _one_line(cli("search", "--site", "atlantis", "--db", db_url, "--from", "2025-03-01", "--to",
                  "2025-03-31", "--stac", catalog), "atlantis")
    assert store.open(db_url).scenes() == []
