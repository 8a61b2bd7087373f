"""Observations keep the spread of their interval (migration 0002; rows stored before have none), and
cars come a page at a time from SQL with the index the API names them by."""

from __future__ import annotations

from dataclasses import replace

from alembic import command
from shapely.geometry import box
from sqlalchemy import create_engine
from store_samples import make_obs, make_scene, make_site

from railwatch import store
from railwatch.detect.estimate import Side, Spread
from railwatch.records import Car
from railwatch.store import migrate

SPREAD = Spread(down=Side(1.25, 0.5, -0.25), up=Side(2.0, 0.75, 1.5))


def test_spread_round_trip(db):
    sid, _ = db.add_scene(make_scene(), ["yard"])
    db.put_observations(sid, "yard", [replace(make_obs("t1", 3), spread=SPREAD), make_obs("t2", 2)])
    plain, with_cars = db.observations(site="yard"), db.observations(site="yard", with_cars=True)
    assert [o.spread for o in plain] == [o.spread for o in with_cars] == [SPREAD, None]
    assert db.get_observation(plain[0].id).spread == SPREAD


def test_rows_stored_before_the_spread_read_back_without_one(any_url):
    db = store.open(any_url)
    db.put_site(make_site())
    sid, _ = db.add_scene(make_scene(), ["yard"])
    db.put_observations(sid, "yard", [replace(make_obs("t1", 3), spread=SPREAD)])
    db.close()
    engine = create_engine(any_url)
    with engine.begin() as conn:  # back to the schema before 0002: the parts are dropped, the row stays
        cfg = migrate.config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        assert migrate.current(conn) == "0001"
    engine.dispose()
    db = store.open(any_url)  # migrates to 0002 again
    (o,) = db.observations(site="yard", with_cars=True)
    assert (o.cars, o.cars_low, o.cars_high, o.spread, len(o.car_list)) == (3, 2, 4, None, 4)
    db.close()


def _fp(k: int):
    return box(130.602 + k * 1e-4, 42.421, 130.60205 + k * 1e-4, 42.42105)


def test_car_page_is_the_slice_of_every_car_in_order(db):
    for day in (7, 3):
        sid, _ = db.add_scene(make_scene(str(day) * 64, day=day), ["yard"])
        obs = []
        for t in ("t2", "t1"):
            o = make_obs(t, 2, day)
            # the second car has no footprint: it is skipped, but still counts in the index
            o.car_list = [Car(t, 20.0 * i, 20.0 * i + 15, "tank", footprint=None if i == 1 else _fp(i))
                          for i in range(4)]
            obs.append(o)
        db.put_observations(sid, "yard", obs)
    every = [(o.id, k, c) for o in db.observations(with_cars=True) for k, c in enumerate(o.car_list)
             if c.footprint is not None]
    page = db.car_page()
    assert len(every) == len(page) == db.car_total() == 12
    assert [(o.id, k, c) for o, k, c in page] == every
    assert [k for _, k, _ in page[:3]] == [0, 2, 3]
    assert [(o.acquired.day, o.track) for o, _, _ in page[::3]] == [(3, "t1"), (3, "t2"), (7, "t1"),
                                                                     (7, "t2")]
    assert page[0][0].car_list == [] and page[0][2].footprint.equals(_fp(0))
    window = db.car_page(limit=4, offset=2)
    assert [(o.id, k) for o, k, _ in window] == [(oid, k) for oid, k, _ in every[2:6]]
    day7 = page[6][0].acquired
    assert db.car_total(site="yard", start=day7, end=day7) == 6
    assert [(o.id, k) for o, k, _ in db.car_page(start=day7, end=day7, limit=2, offset=5)] == [
        (oid, k) for oid, k, _ in every[11:]
    ]
    assert db.car_page(offset=12) == [] and db.car_total(site="nowhere") == 0
