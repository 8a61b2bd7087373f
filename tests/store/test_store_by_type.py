"""Observations keep their by-type interval (migration 0003); coarse looks and older rows have none."""

from __future__ import annotations

from dataclasses import replace

from alembic import command
from sqlalchemy import create_engine
from store_samples import make_obs, make_scene, make_site

from railwatch import store
from railwatch.store import migrate

TYPED = {"by_type_expected": {"tank": 2.4, "boxcar": 0.6}, "by_type_low": {"tank": 1, "boxcar": 0},
         "by_type_high": {"tank": 3, "boxcar": 2},
         "by_type_doubt": {"tank": (0.35, 1.2), "boxcar": (0.3, 1.0)}}


def test_by_type_interval_round_trip(db):
    sid, _ = db.add_scene(make_scene(), ["yard"])
    db.put_observations(sid, "yard", [replace(make_obs("t1", 3), **TYPED), make_obs("t2", 2)])
    for obs in (db.observations(site="yard"), db.observations(site="yard", with_cars=True)):
        typed, coarse = obs
        assert typed.by_type_expected == {"tank": 2.4, "boxcar": 0.6}
        assert (typed.by_type_low, typed.by_type_high) == ({"tank": 1, "boxcar": 0}, {"tank": 3, "boxcar": 2})
        assert typed.by_type_doubt == {"tank": (0.35, 1.2), "boxcar": (0.3, 1.0)}
        assert (coarse.by_type_expected, coarse.by_type_low, coarse.by_type_high) == (None, None, None)


def test_rows_stored_before_the_by_type_interval_read_back_without_one(any_url):
    db = store.open(any_url)
    db.put_site(make_site())
    sid, _ = db.add_scene(make_scene(), ["yard"])
    db.put_observations(sid, "yard", [replace(make_obs("t1", 3), **TYPED)])
    db.close()
    engine = create_engine(any_url)
    with engine.begin() as conn:
        cfg = migrate.config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    engine.dispose()
    db = store.open(any_url)  # migrates to 0003 again
    (o,) = db.observations(site="yard", with_cars=True)
    assert (o.cars, o.by_type_expected, o.by_type_low) == (3, None, None)
    db.close()
