"""`railwatch activity`, `events` and `alerts` end to end: CSV and store paths, errors as one line."""

from __future__ import annotations

import json

import pytest

from railwatch.activity import synthetic

SERIES_HEADER = "date,site,count,coverage\n"


@pytest.fixture
def tumangang_csv(write):
    s = synthetic.tumangang_2023(0)
    rows = [f"{lk.date},tumangang,{lk.seen:g},{lk.coverage:.3f}" for lk in reversed(s.looks)]  # unsorted
    flat = synthetic.stationary(5)
    rows += [f"{lk.date},khasan,{lk.seen:g},{lk.coverage:.3f}" for lk in flat.looks]
    return write("series.csv", SERIES_HEADER + "\n".join(rows) + "\n")


@pytest.fixture
def events_csv(write):
    return write("events.csv", "date,title,source\n2023-09-13,Kim-Putin summit,https://www.reuters.com/\n")


def test_activity_csv_json(cli, tumangang_csv, events_csv):
    r = cli("activity", tumangang_csv, "--events", events_csv, "--json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    sites = {s["site"]: s for s in d["sites"]}
    assert set(sites) == {"khasan", "tumangang"}
    assert sites["khasan"]["change_points"] == []
    (cp,) = sites["tumangang"]["change_points"]
    assert cp["direction"] == "increase" and cp["date"] == "2023-09-20"
    (lag,) = sites["tumangang"]["event_lags"]
    assert lag == {"event": "Kim-Putin summit", "event_date": "2023-09-13", "change_date": "2023-09-20",
                   "lag_days": 7, "direction": "increase", "source": "https://www.reuters.com/"}


def test_activity_csv_summary_and_plot(cli, tumangang_csv, events_csv, tmp_path):
    png = tmp_path / "act.png"
    r = cli("activity", tumangang_csv, "--events", events_csv, "--site", "tumangang", "--plot", png)
    assert r.code == 0, r.err
    assert "began to increase 7 days after Kim-Putin summit (2023-09-13)" in r.out
    assert "khasan" not in r.out
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 20_000


@pytest.mark.parametrize(
    "text, message",
    [
        ("date,count\n2023-01-01,3\n", "missing column(s) site"),
        ("date,site,count\n2023-01-01,a,lots\n", "count 'lots' is not a number"),
        ("date,site,count\n2023-01-01,a,-1\n", "negative count"),
        ("date,site,count\n", "no data rows"),
        ("date,site,count\n01/02/2023,a,3\n", "cannot read date"),
    ],
)
def test_activity_bad_series_one_line_exit_2(cli, write, text, message):
    p = write("bad.csv", text)
    r = cli("activity", p, "--json")
    assert r.code == 2
    assert r.err.strip().count("\n") == 0
    assert r.err.startswith(f"railwatch: error: {p}: ") and message in r.err
    assert r.out == ""


def test_activity_bad_events_and_unknown_site(cli, tumangang_csv, write, tmp_path):
    bad = write("ev.csv", "date,title\nnever,x\n")
    r = cli("activity", tumangang_csv, "--events", bad, "--plot", tmp_path / "p.png")
    assert r.code == 2 and "ev.csv: line 2: cannot read date" in r.err
    assert not (tmp_path / "p.png").exists()
    r = cli("activity", tumangang_csv, "--site", "nowhere")
    assert r.code == 2 and "site 'nowhere' not in the file (it has: khasan, tumangang)" in r.err


def test_activity_needs_csv_or_site(cli):
    r = cli("activity")
    assert r.code == 2 and "give SERIES.csv or --site SITE" in r.err


def test_events_add_list_import(cli, db_url, events_csv, write):
    r = cli("events", "add", "2022-11-02", "First train since 2020", "--source", "https://interfax.ru",
            "--db", db_url)
    assert r.code == 0, r.err
    r = cli("events", "import", events_csv, "--db", db_url)
    assert r.code == 0, r.err
    r = cli("events", "list", "--json", "--db", db_url)
    evs = json.loads(r.out)["events"]
    assert [(e["date"], e["title"]) for e in evs] == [("2022-11-02", "First train since 2020"),
                                                     ("2023-09-13", "Kim-Putin summit")]
    r = cli("events", "add", "2023-02-30", "Bad day", "--db", db_url)
    assert r.code == 2 and "cannot read date" in r.err
    bad = write("bad_ev.csv", "date,title\n2023-01-01,ok\n2023-99-01,bad\n")
    r = cli("events", "import", bad, "--db", db_url)
    assert r.code == 2
    r = cli("events", "import", events_csv, "--db", db_url)  # again: already stored, skipped
    assert r.code == 0 and "1 already stored" in " ".join(r.err.split())
    # nothing half-written, nothing doubled
    assert len(json.loads(cli("events", "list", "--json", "--db", db_url).out)["events"]) == 2


def test_activity_from_store_persists_alerts(cli, yard_db, tmp_path):
    assert cli("events", "add", "2023-09-13", "Summit", "--db", yard_db).code == 0
    r = cli("activity", "--site", "yard", "--db", yard_db, "--json", "--tracks", "--plot", tmp_path / "y.png")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    total = next(s for s in d["sites"] if s["track"] is None)
    assert {s["track"] for s in d["sites"]} == {None, "t1", "t2"}
    (cp,) = total["change_points"]
    assert cp["direction"] == "increase"
    assert abs(cp["before"] - 10) < 2 and abs(cp["after"] - 70) < 4
    (lag,) = total["event_lags"]
    assert 3 <= lag["lag_days"] <= 7
    # the 30 % look is kept for display but not analysed; the 80 % look is scaled to a full count
    partial = [lk for lk in total["series"] if lk["coverage"] < 1]
    assert [lk["used"] for lk in partial] == [False, True]
    r = cli("alerts", "--site", "yard", "--json", "--db", yard_db)
    alerts = json.loads(r.out)["alerts"]
    kinds = {a["kind"] for a in alerts}
    assert "change" in kinds and "surge" in kinds
    change = next(a for a in alerts if a["kind"] == "change" and a["track"] is None)
    assert change["date"] == cp["date"]
    r = cli("alerts", "--db", yard_db)
    assert r.code == 0 and "change" in r.out


def test_activity_store_errors(cli, db_url, yard_db):
    r = cli("activity", "--site", "nowhere", "--db", yard_db)
    assert r.code == 2 and "nowhere" in r.err
    r = cli("alerts", "--site", "nowhere", "--db", yard_db)
    assert r.code == 2


def test_store_site_without_observations_and_empty_lists(cli, db_url):
    from shapely.geometry import Polygon

    from railwatch import store
    from railwatch.records import Site

    db = store.open(db_url)
    db.put_site(Site(id="empty", name="Empty", aoi=Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])))
    db.close()
    r = cli("activity", "--site", "empty", "--db", db_url)
    assert r.code == 2 and "no observations stored for site 'empty'" in r.err
    assert cli("alerts", "--db", db_url).out.strip() == "no alerts"
    assert cli("events", "list", "--db", db_url).out.strip() == ""
    assert cli("events", "add", "2023-09-13", "Summit", "--db", db_url).code == 0
    assert cli("events", "list", "--db", db_url).out.strip() == "2023-09-13  Summit"
