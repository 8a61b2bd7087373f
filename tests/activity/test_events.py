"""Event lags, sentences and the events CSV."""

from __future__ import annotations

from datetime import date

import pytest

from railwatch.activity import events
from railwatch.activity.changes import Change
from railwatch.errors import SeriesError
from railwatch.records import Event


def test_lag_to_nearest_following_change():
    chs = [Change(date(2023, 5, 1), 10, 30, 0.99), Change(date(2023, 9, 18), 10, 73, 1.0),
           Change(date(2023, 11, 1), 73, 20, 0.95)]
    evs = [Event("2023-09-13", "Kim-Putin summit"), Event("2023-12-01", "Late event"),
           Event("2023-05-01", "Same day")]
    lags = events.lags(evs, chs)
    assert [lag.event for lag in lags] == ["Same day", "Kim-Putin summit", "Late event"]
    same, summit, late = lags
    assert same.lag_days == 0 and same.change_date == date(2023, 5, 1)
    assert summit.change_date == date(2023, 9, 18) and summit.lag_days == 5
    assert summit.direction == "increase"
    assert summit.sentence() == ("The number of railcars began to increase 5 days after "
                                 "Kim-Putin summit (2023-09-13).")
    assert late.change_date is None and late.lag_days is None
    assert "No change" in late.sentence()
    assert "the same day as" in same.sentence()


def test_read_events_csv(write):
    p = write("e.csv", "date,title,source\n2023-09-13,Summit,https://x\n2022-11-02,First train,\n")
    evs = events.read_csv(p)
    assert [(e.date, e.title, e.source) for e in evs] == [("2022-11-02", "First train", None),
                                                        ("2023-09-13", "Summit", "https://x")]


@pytest.mark.parametrize(
    "text, message",
    [
        ("when,what\n2023-01-01,x\n", "missing column(s) date, title"),
        ("date,title\nsoon,x\n", "line 2: cannot read date 'soon'"),
        ("date,title\n2023-01-01,\n", "line 2: empty title"),
        ("date,title\n2023-01-01\n", "line 2: expected 2 fields"),
        ("", "empty events file"),
    ],
)
def test_bad_events_csv(write, text, message):
    p = write("bad_events.csv", text)
    with pytest.raises(SeriesError) as exc:
        events.read_csv(p)
    assert message in str(exc.value) and "bad_events.csv" in str(exc.value)


def test_make_event():
    assert events.make("2023-09-13", " Summit ", "u").title == "Summit"
    with pytest.raises(SeriesError):
        events.make("13/09/2023", "Summit")
