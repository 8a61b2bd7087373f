"""railwatch watch on a static STAC catalog: items over the site are ingested and analysed once."""

from __future__ import annotations

import json

from railwatch import store


def test_watch_stac_catalog_once(cli, catalog, yard, db_url):
    store.open(db_url).put_site(yard)
    r = cli("watch", catalog, "--site", "simyard", "--once", "--db", db_url, "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert len(out["scenes"]) == 3 and out["sites"] == ["simyard"]  # clear, old and cloudy; not far
    db = store.open(db_url)
    assert {o.scene_id for o in db.observations(site="simyard")} == set(out["scenes"])
    r = cli("watch", catalog, "--site", "simyard", "--once", "--db", db_url, "--json")
    assert r.code == 0 and json.loads(r.out)["scenes"] == []
