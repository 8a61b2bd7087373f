import json

import scenarios

from railwatch import store


def _fill(db_url):
    db = store.open(db_url)
    scenarios.fill_store(db, scenarios.crossing() + scenarios.returning())
    db.close()


def test_movements_json_from_the_store_and_stored(cli, db_url):
    _fill(db_url)
    r = cli("movements", "--db", db_url, "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["consists"] == 6
    moves = data["movements"]
    assert len(moves) == 3
    first = moves[0]
    assert first["t0"].startswith("2022-11-04T01:24") and first["t1"].startswith("2022-11-04T03:10")
    assert first["crossed_border"] is True and first["countries"] == ["KP", "RU"]
    assert first["changes"] == ["locomotive attached"]
    assert moves[2]["changes"] == ["locomotive detached"] and moves[2]["to"]["cars"] == 8
    db = store.open(db_url)
    assert len(db.movements()) == 3
    assert len(db.movements(site="khasan")) == 2  # the first leg ends on the bridge, not at Khasan
    # running again replaces rather than duplicates
    assert cli("movements", "--db", db_url, "--json").code == 0
    assert len(store.open(db_url).movements()) == 3


def test_movements_window_and_site_filters(cli, db_url):
    _fill(db_url)
    r = cli("movements", "--db", db_url, "--from", "2022-11-04", "--to", "2022-11-04", "--json")
    assert r.code == 0, r.err
    assert len(json.loads(r.out)["movements"]) == 2
    r = cli("movements", "--db", db_url, "--site", "tumangang", "--from", "2022-11-29", "--json")
    assert [m["changes"] for m in json.loads(r.out)["movements"]] == [["locomotive detached"]]
    r = cli("movements", "--db", db_url)
    assert r.code == 0 and "KP->RU" in r.out and "RU->KP" in r.out


def test_movements_bad_input_is_one_line_exit_2(cli, db_url):
    _fill(db_url)
    r = cli("movements", "--db", db_url, "--site", "atlantis")
    assert r.code == 2 and r.err.count("\n") == 1 and "atlantis" in r.err
    r = cli("movements", "--db", db_url, "--from", "4 Nov")
    assert r.code == 2 and "--from" in r.err
    r = cli("movements", "--db", db_url, "--from", "2022-11-05", "--to", "2022-11-04")
    assert r.code == 2 and "before" in r.err
    assert len(store.open(db_url).movements()) == 0


def test_movements_on_an_empty_store_says_no_sites(cli, db_url):
    r = cli("movements", "--db", db_url)
    assert r.code == 2 and "no sites" in r.err
