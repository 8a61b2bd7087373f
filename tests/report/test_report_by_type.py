"""The report's observation table shows each type's count with its 90 % interval where types were read."""

from __future__ import annotations

from datetime import UTC, datetime

from railwatch.records import Observation
from railwatch.report.build import by_type_text


def _obs(**kw) -> Observation:
    return Observation(site="yard", track="t1", acquired=datetime(2023, 10, 5, tzinfo=UTC), coverage=1.0,
                       cars=7, cars_low=6, cars_high=9, by_type={"tank": 5, "unknown": 2}, **kw)


def test_by_type_with_intervals():
    o = _obs(by_type_expected={"tank": 5.6, "boxcar": 1.1, "flat": 0.3},
             by_type_low={"tank": 4, "boxcar": 0, "flat": 0},
             by_type_high={"tank": 8, "boxcar": 3, "flat": 1})
    # boxcar: no car typed so but expected once; flat: too unlikely to list; unknown has no interval
    assert by_type_text(o) == "boxcar 0 (0–3), tank 5 (4–8), unknown 2"


def test_by_type_without_intervals_stays_as_it_was():
    assert by_type_text(_obs()) == "tank 5, unknown 2"
