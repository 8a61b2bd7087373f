"""analyze(): the contract's JSON keys and values on the tumangang-2023 story."""

from __future__ import annotations

import json

from railwatch.activity import analyze, synthetic
from railwatch.records import Event

SUMMIT = Event("2023-09-13", "Kim-Putin summit", "https://www.reuters.com/")


def test_contract_keys_and_values():
    result = analyze(synthetic.tumangang_2023(0), [SUMMIT])
    d = json.loads(json.dumps(result.to_dict()))
    (site,) = d["sites"]
    assert {"site", "baseline", "change_points", "surges", "event_lags"} <= set(site)
    assert {"median", "mad", "spread", "looks"} <= set(site["baseline"])
    cp = site["change_points"][0]
    assert {"date", "before", "after", "direction", "confidence"} <= set(cp)
    assert cp["direction"] == "increase"
    assert abs((synthetic.date.fromisoformat(cp["date"]) - synthetic.ONSET).days) <= 3
    assert 5 <= site["baseline"]["median"] <= 20
    assert cp["after"] > 55
    s = site["surges"][0]
    assert {"date", "count", "baseline", "ratio"} <= set(s)
    assert s["ratio"] >= 1.5 and s["count"] - s["baseline"] >= 10
    (lag,) = site["event_lags"]
    assert {"event", "event_date", "change_date", "lag_days"} <= set(lag)
    assert lag["event_date"] == "2023-09-13" and 2 <= lag["lag_days"] <= 8
    assert f"began to increase {lag['lag_days']} days after Kim-Putin summit" in site["sentences"][0]
    assert d["params"]["min_delta"] == 10.0


def test_alerts_from_result():
    result = analyze(synthetic.tumangang_2023(0), [SUMMIT])
    alerts = result.alerts()
    kinds = {a.kind for a in alerts}
    assert kinds == {"surge", "change"}
    change = next(a for a in alerts if a.kind == "change")
    assert change.site == "tumangang" and change.count > change.baseline


def test_stationary_has_no_change_and_reference_baseline():
    result = analyze(synthetic.stationary(7), [])
    act = result.sites[0]
    assert act.changes == []
    assert act.baseline is not None and act.baseline.looks >= 4
