"""Round trips of every record type, idempotent scenes, replace-on-reanalysis, all-or-nothing writes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from shapely.geometry import LineString
from store_samples import make_obs, make_scene, make_site

from railwatch import store
from railwatch.errors import InputError, RailwatchError, SiteNotFound, StoreError
from railwatch.records import Alert, Car, Consist, Event, Movement, Track


def test_site_round_trip(db):
    site = make_site()
    got = db.get_site("yard")
    assert got.name == site.name and got.timezone == "Asia/Pyongyang" and got.countries == ["KP"]
    assert got.aoi.equals(site.aoi)
    assert [t.id for t in got.tracks] == ["t1", "t2"]
    assert got.tracks[0].line.equals_exact(site.tracks[0].line, 1e-12)
    assert (got.tracks[0].gauge_mm, got.tracks[0].name, got.tracks[0].site) == (1435, "main", "yard")
    assert (got.tracks[1].kind, got.tracks[1].geometry_quality) == ("siding", "digitised")
    lm = got.landmarks[0]
    assert (lm.id, lm.track, lm.chainage_m, lm.country) == ("stn", "t1", 590.0, "KP")
    assert lm.point.equals(site.landmarks[0].point)
    assert [s.id for s in db.sites()] == ["yard"]


def test_put_site_upserts(db):
    site = make_site()
    site.name = "Renamed"
    site.tracks = [site.tracks[1], Track("t3", LineString([(130.60, 42.42), (130.61, 42.42)]))]
    db.put_site(site)
    got = db.get_site("yard")
    assert got.name == "Renamed"
    assert [t.id for t in got.tracks] == ["t2", "t3"]
    assert db.count("site") == 1 and db.count("track") == 2


def test_unknown_site(db):
    with pytest.raises(SiteNotFound, match="nowhere"):
        db.get_site("nowhere")


def test_scene_round_trip_and_idempotent(db):
    scene = make_scene()
    sid, created = db.add_scene(scene, ["yard"])
    assert created
    again, created2 = db.add_scene(make_scene(), ["yard"])
    assert (again, created2) == (sid, False)
    assert db.count("scene") == 1 and db.count("scene_site") == 1
    got = db.get_scene(sid)
    assert got.id == sid and got.sha256 == scene.sha256
    assert got.acquired == scene.acquired and got.acquired.tzinfo is not None
    assert got.footprint.equals(scene.footprint)
    assert (got.gsd_m, got.width, got.height, got.band_count, got.dtype) == (0.5, 1000, 2000, 3, "uint8")
    assert (got.time_source, got.source, got.cloud_cover, got.crs) == ("tiff_tag", "test", 3.5, "EPSG:32652")
    assert db.scene_sites(sid) == ["yard"]
    assert [s.id for s in db.scenes("yard")] == [sid]
    assert db.scenes("other") == []


def test_scenes_sorted_by_time_undated_last(db):
    late = make_scene("c" * 64, day=9)
    undated = make_scene("d" * 64)
    undated.acquired = None
    early = make_scene("b" * 64, day=1)
    ids = [db.add_scene(s, ["yard"])[0] for s in (late, undated, early)]
    assert [s.id for s in db.scenes()] == [ids[2], ids[0], ids[1]]


def test_scene_for_unknown_site_writes_nothing(db):
    with pytest.raises(SiteNotFound):
        db.add_scene(make_scene(), ["yard", "nowhere"])
    assert db.count("scene") == 0


def test_get_scene_missing(db):
    with pytest.raises(store.SceneNotFound):
        db.get_scene(42)


def test_observations_round_trip_with_cars(db):
    sid, _ = db.add_scene(make_scene(), ["yard"])
    ids = db.put_observations(sid, "yard", [make_obs("t1", 3), make_obs("t2", 0)])
    assert len(ids) == 2
    obs = db.observations(site="yard", with_cars=True)
    assert [(o.track, o.cars, o.cars_low, o.cars_high) for o in obs] == [("t1", 3, 2, 4), ("t2", 0, -1, 1)]
    o = obs[0]
    assert o.scene_id == sid and o.id == ids[0] and o.by_type == {"tank": 3} and o.locomotives == 1
    assert o.acquired == datetime(2023, 10, 5, 2, 15, tzinfo=UTC) and o.gsd_m == 0.5 and o.coverage == 0.9
    assert len(o.car_list) == 4
    assert o.car_list[0] == Car("t1", 0.0, 9.5, "tank", "#112233", 0.8)
    assert o.car_list[3].type == "locomotive" and o.car_list[3].footprint is not None
    assert db.observations(site="yard")[0].car_list == []
    assert db.count("car") == 5


def test_newest_with_cars(db):
    assert db.newest_with_cars(site="yard") is None
    for day, n in ((3, 2), (5, 4), (7, 0)):
        sid, _ = db.add_scene(make_scene(str(day) * 64, day=day), ["yard"])
        obs = make_obs("t1", n, day)
        db.put_observations(sid, "yard", [replace(obs, locomotives=0, car_list=obs.car_list[:n])])
    assert db.newest_with_cars(site="yard") == datetime(2023, 10, 5, 2, 15, tzinfo=UTC)  # day 7 has none
    assert db.newest_with_cars(site="nowhere") is None


def test_put_observations_replaces(db):
    sid, _ = db.add_scene(make_scene(), ["yard"])
    db.put_observations(sid, "yard", [make_obs("t1", 3), make_obs("t2", 2)])
    db.put_observations(sid, "yard", [make_obs("t1", 5)])
    obs = db.observations(with_cars=True)
    assert [(o.track, o.cars) for o in obs] == [("t1", 5)]
    assert db.count("observation") == 1 and db.count("car") == 6


def test_observation_filters_and_order(db):
    for day in (7, 3, 5):
        sid, _ = db.add_scene(make_scene(str(day) * 64, day=day), ["yard"])
        db.put_observations(sid, "yard", [make_obs("t2", day, day), make_obs("t1", day, day)])
    all_obs = db.observations()
    assert [(o.acquired.day, o.track) for o in all_obs] == [
        (3, "t1"), (3, "t2"), (5, "t1"), (5, "t2"), (7, "t1"), (7, "t2")
    ]
    t1 = db.observations(track="t1", start=datetime(2023, 10, 4, tzinfo=UTC))
    assert [o.acquired.day for o in t1] == [5, 7]
    # an aware bound in another zone is compared in UTC
    kst = timezone(timedelta(hours=9))
    t1 = db.observations(track="t1", end=datetime(2023, 10, 5, 11, 15, tzinfo=kst))
    assert [o.acquired.day for o in t1] == [3, 5]
    assert db.observations(site="nowhere") == []


def test_failed_batch_writes_nothing(db):
    sid, _ = db.add_scene(make_scene(), ["yard"])
    db.put_observations(sid, "yard", [make_obs("t1", 2)])
    with pytest.raises(InputError, match="no track 'bogus'"):
        db.put_observations(sid, "yard", [make_obs("t1", 9), make_obs("bogus", 1)])
    assert [(o.track, o.cars) for o in db.observations()] == [("t1", 2)]
    with pytest.raises(SiteNotFound):
        db.put_observations(sid, "nowhere", [make_obs("t1", 9, site="nowhere")])
    assert db.count("observation") == 1 and db.count("car") == 3


def test_transaction_rolls_back_everything(db):
    with pytest.raises(RailwatchError):
        with db.transaction():
            sid, _ = db.add_scene(make_scene(), ["yard"])
            db.put_observations(sid, "yard", [make_obs("t1", 4)])
            db.add_event(Event("2023-09-13", "summit"))
            assert db.count("observation") == 1  # visible inside the transaction
            db.put_observations(sid, "yard", [make_obs("nope", 1)])
    assert db.count("scene") == 0 and db.count("observation") == 0 and db.count("event") == 0


def test_transaction_commits(db):
    with db.transaction():
        sid, _ = db.add_scene(make_scene(), ["yard"])
        db.put_observations(sid, "yard", [make_obs("t1", 4)])
    assert db.count("observation") == 1


def test_database_errors_are_store_errors(db):
    sid, _ = db.add_scene(make_scene(), ["yard"])
    db.put_observations(sid, "yard", [make_obs("t1", 1)])
    site = make_site()
    site.tracks = site.tracks[1:]  # t1 is still referenced by an observation
    with pytest.raises(StoreError):
        db.put_site(site)
    assert [t.id for t in db.get_site("yard").tracks] == ["t1", "t2"]


def test_events(db):
    db.add_event(Event("2023-09-13", "Kim-Putin summit", "news"))
    db.add_event(Event(datetime(2023, 3, 1, tzinfo=UTC), "earlier"))  # type: ignore[arg-type]
    got = db.events()
    assert [(e.date, e.title) for e in got] == [("2023-03-01", "earlier"), ("2023-09-13", "Kim-Putin summit")]
    assert got[1].source == "news" and got[1].id is not None
    with pytest.raises(InputError, match="ISO date"):
        db.add_event(Event("13/09/2023", "bad"))


def test_alerts_replace_per_site(db):
    db.put_site(make_site("other"))
    a = Alert("yard", "2023-10-05", "surge", 40, 10, 4.0, zscore=3.2, track="t1", message="surge")
    db.put_alerts("yard", [a, Alert("yard", "2023-10-07", "change_point", 30, 10, 3.0)])
    db.put_alerts("other", [Alert("other", "2023-10-01", "surge", 5, 1, 5.0)])
    db.put_alerts("yard", [a])
    got = db.alerts("yard")
    assert len(got) == 1
    assert (got[0].count, got[0].zscore, got[0].track, got[0].message) == (40, 3.2, "t1", "surge")
    assert len(db.alerts()) == 2
    with pytest.raises(SiteNotFound):
        db.put_alerts("nowhere", [])


def _movement(start_m: float = 100.0, crossed: bool = True) -> Movement:
    t0 = datetime(2023, 10, 5, 2, 0, tzinfo=UTC)
    cars = [Car("t1", 0, 15, "locomotive", "#aa0000", 0.9), Car("t1", 16, 30, "tank", "#111111", 0.7)]
    a = Consist("t1", start_m, start_m + 30, cars, acquired=t0, scene_id=None, site="yard", id="c1")
    b = Consist("t2", 400, 430, cars, acquired=t0 + timedelta(hours=2), site="other", id="c2")
    return Movement(a, b, t0, t0 + timedelta(hours=2), 2500.0, ["bridge"], crossed, ("KP", "RU"), 0.8,
                    ["lost 1 car"])


def test_movements_round_trip_and_replace(db):
    db.put_site(make_site("other"))
    mv = _movement()
    ids = db.put_movements([mv])
    got = db.movements()
    assert len(got) == 1 and len(ids) == 1
    g = got[0]
    assert g.consist_from.cars == mv.consist_from.cars and g.consist_to.id == "c2"
    assert (g.t0, g.t1, g.distance_m, g.crossed_border) == (mv.t0, mv.t1, 2500.0, True)
    assert g.countries == ("KP", "RU") and g.landmarks_passed == ["bridge"] and g.changes == ["lost 1 car"]
    assert g.consist_from.acquired == mv.t0 and g.consist_from.site == "yard"
    assert abs(g.speed_kmh - 1.25) < 1e-9
    db.put_movements([mv])  # same two sightings: replaced, not duplicated
    assert db.count("movement") == 1 and db.count("consist") == 2
    db.put_movements([_movement(start_m=500.0)])
    assert db.count("movement") == 2
    assert len(db.movements("other")) == 2 and db.movements("nowhere") == []


def test_default_url(monkeypatch, tmp_path):
    monkeypatch.delenv("RAILWATCH_DB", raising=False)
    assert store.default_url() == "sqlite:///./railwatch.db"
    monkeypatch.setenv("RAILWATCH_DB", f"sqlite:///{tmp_path / 'env.db'}")
    db = store.open()
    assert db.url.endswith("env.db") and (tmp_path / "env.db").exists()
    db.close()
    assert store.resolve_url(str(tmp_path / "f.db")) == f"sqlite:///{tmp_path / 'f.db'}"


def test_open_in_missing_folder(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        store.open(f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}")


def test_sqlite_pragmas(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
