"""Series from CSV and from observations: sorting, merging, coverage scaling and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from railwatch.activity import series
from railwatch.errors import SeriesError
from railwatch.records import Observation


def test_csv_sorted_and_merged(write):
    p = write("s.csv", "date,site,count,coverage\n2023-01-15,a,12,1\n2023-01-01,a,10,\n"
                       "2023-01-08,a,20,0.5\n2023-01-08,a,8,1.0\n2023-01-01,b,3,1\n2023-01-01,a,14,\n")
    a, b = series.read_csv(p)
    assert a.site == "a" and b.site == "b"
    assert [lk.date for lk in a.looks] == [date(2023, 1, 1), date(2023, 1, 8), date(2023, 1, 15)]
    # equal coverage on 01-01: mean count; 01-08: the full look beats the half look
    assert a.looks[0].count == 12.0 and a.looks[0].looks == 2
    assert a.looks[1].count == 8.0 and a.looks[1].coverage == 1.0


def test_partial_look_scaled_and_widened(write):
    p = write("s.csv", "date,site,count,coverage\n2023-01-01,a,30,0.6\n2023-01-02,a,9,0.3\n")
    (a,) = series.read_csv(p)
    half, low = a.looks
    assert half.count == pytest.approx(50.0)
    assert half.used and half.partial
    assert half.low < 50.0 < half.high
    assert half.high - half.low > 2 * 2 * (20 ** 0.5) - 1e-9  # +-2 sigma of the 20 unseen cars
    assert not low.used  # 30 % coverage: shown, not analysed
    assert a.used == [half]


def test_scale_full_and_zero():
    assert series.scale(10, 9, 11, 1.0) == (10.0, 9.0, 11.0, True)
    count, lo, hi, used = series.scale(0, 0, 0, 0.5)
    assert count == 0 and lo == 0 and hi >= 1.0 and used


@pytest.mark.parametrize(
    "text, message",
    [
        ("date,count\n2023-01-01,3\n", "missing column(s) site"),
        ("date,site,count\n2023-01-01,a,many\n", "line 2: count 'many' is not a number"),
        ("date,site,count\n2023-01-01,a,-3\n", "line 2: negative count -3"),
        ("date,site,count\n", "no data rows"),
        ("", "empty file"),
        ("date,site,count\n2023-13-45,a,3\n", "line 2: cannot read date '2023-13-45'"),
        ("date,site,count\nyesterday,a,3\n", "cannot read date 'yesterday'"),
        ("date,site,count,coverage\n2023-01-01,a,3,1.5\n", "coverage 1.5 outside (0, 1]"),
        ("date,site,count\n2023-01-01,a,nan\n", "not a finite number"),
        ("date,site,count\n2023-01-01,a\n", "line 2: expected 3 fields"),
    ],
)
def test_bad_csv(write, text, message):
    p = write("bad.csv", text)
    with pytest.raises(SeriesError) as exc:
        series.read_csv(p)
    assert message in str(exc.value)
    assert str(p) in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(SeriesError, match="no such file"):
        series.read_csv(tmp_path / "nope.csv")


def test_datetime_dates_taken_in_utc(write):
    p = write("s.csv", "date,site,count\n2023-01-01T23:30:00-02:00,a,4\n2023-01-01T10:00:00Z,a,6\n")
    (a,) = series.read_csv(p)
    assert [lk.date for lk in a.looks] == [date(2023, 1, 1), date(2023, 1, 2)]


def _obs(track, hour, coverage, cars, scene, day=1):
    t = datetime(2023, 3, day, hour, tzinfo=UTC)
    return Observation(site="y", track=track, acquired=t, coverage=coverage, cars=cars, cars_low=cars - 1,
                       cars_high=cars + 1, scene_id=scene)


def test_from_observations_best_look_per_track_and_site_total():
    obs = [
        _obs("t1", 2, 1.0, 10, 1), _obs("t2", 2, 0.5, 4, 1),   # scene 1: t2 half covered
        _obs("t1", 9, 0.6, 5, 2), _obs("t2", 9, 1.0, 7, 2),    # scene 2 later the same day
        _obs("t1", 2, 1.0, 3, 3, day=2),                       # day 2: t2 not seen at all
    ]
    total, t1, t2 = series.from_observations(obs, tracks=True)
    assert total.track is None and t1.track == "t1" and t2.track == "t2"
    d1, d2 = total.looks
    assert d1.count == 17.0 and d1.coverage == 1.0 and d1.looks == 2  # t1 from scene 1, t2 from scene 2
    assert d2.coverage == 0.5 and d2.count == pytest.approx(6.0) and d2.used  # 3 seen on half the tracks
    assert [lk.count for lk in t1.looks] == [10.0, 3.0]
    assert [lk.count for lk in t2.looks] == [7.0]
