"""Change points: dates, levels and confidence on known series; no alarms on stationary noise."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from railwatch.activity import changes, synthetic


def test_step_dated_at_first_look_of_new_regime(looks_of):
    counts = [10, 12, 9, 11, 10, 8, 11, 10, 40, 42, 38, 41, 39, 40, 43]
    looks = looks_of(counts, start=date(2023, 1, 2))
    (c,) = changes.detect(looks)
    assert c.date == date(2023, 1, 2) + timedelta(days=7 * 8)
    assert c.kind == "step" and c.direction == "increase"
    assert c.earliest == date(2023, 1, 2) + timedelta(days=7 * 7 + 1)
    assert abs(c.before - np.mean(counts[:8])) < 0.01
    assert abs(c.after - np.mean(counts[8:])) < 0.01
    assert c.confidence > 0.999


def test_decrease(looks_of):
    counts = [60, 62, 58, 61, 59, 63, 60, 20, 22, 19, 21, 18, 20]
    (c,) = changes.detect(looks_of(counts))
    assert c.direction == "decrease" and round(c.before) == 60 and round(c.after) == 20


def test_ramp_dated_at_onset_between_looks(looks_of):
    # looks every 5 days from 2023-08-01; level 10 until 09-18, +3.5 cars/day to 73 on 10-06, flat after
    start = date(2023, 8, 1)
    days = [start + timedelta(days=5 * i) for i in range(24)]
    onset = date(2023, 9, 18)
    wiggle = [1, -1, 0, 1, -1, 0, 1, 0, -1, 1, 0, -1, 1, 0, -1, 0, 1, -1, 0, 1, -1, 0, 1, 0]
    counts = [10 + min(63.0, max(0.0, 3.5 * (d - onset).days)) + w for d, w in zip(days, wiggle, strict=True)]
    looks = looks_of(counts, start=start, step_days=5)
    (c,) = changes.detect(looks)
    assert c.kind == "ramp"
    assert abs((c.date - onset).days) <= 2
    assert abs(c.before - 10) < 2 and abs(c.after - 73) < 3
    assert c.ramp_end is not None and abs((c.ramp_end - date(2023, 10, 6)).days) <= 3


def test_sparse_ramp_that_runs_on_past_the_break_is_dated_where_it_leaves_the_baseline():
    # A rise sampled by few looks: 13 at its onset (baseline 5-22), 44 and 50 eight and twelve days
    # later, 75 on day 17, then a noisy plateau. PELT breaks once (at 44); the ramp goes on to day 17.
    from railwatch.activity.series import Look

    onset = date(2023, 9, 18)
    offs = [-109, -101, -97, -85, -75, -66, -57, -47, -38, -33, -25, -17, -9, 0, 8, 12, 17, 23, 29, 33, 37]
    counts = [12, 6, 14, 18, 5, 16, 19, 10, 13, 9, 7, 22, 12, 13, 44, 50, 75, 70, 92, 80, 85]
    looks = [Look(onset + timedelta(days=o), float(n), n, n) for o, n in zip(offs, counts, strict=True)]
    (c,) = changes.detect(looks)
    assert c.direction == "increase" and c.kind == "ramp"
    assert abs((c.date - onset).days) <= 3
    assert c.ramp_end is not None and c.ramp_end > onset + timedelta(days=12)


def test_rise_begins_after_the_last_look_still_at_the_baseline():
    # Two odd high looks (miscounted clouds) 17 and 9 days ahead of a rise, then a look back at the
    # baseline: PELT may start the change at the odd looks, but the rise has not begun before that look.
    from railwatch.activity.series import Look

    onset = date(2023, 9, 18)
    offs = [-109, -101, -97, -85, -75, -66, -57, -47, -38, -33, -25, -17, -9, 0, 8, 12, 17, 23, 29, 33, 37]
    counts = [17, 5, 10, 18, 4, 14, 16, 9, 10, 8, 8, 24, 30, 14, 51, 65, 82, 81, 110, 106, 120]
    looks = [Look(onset + timedelta(days=o), float(n), n, n) for o, n in zip(offs, counts, strict=True)]
    ups = [c for c in changes.detect(looks) if c.direction == "increase"]
    assert ups and abs((ups[0].date - onset).days) <= 3


def test_small_change_suppressed(looks_of):
    counts = [5, 6, 5, 4, 5, 6, 5, 12, 13, 12, 11, 12, 13, 12]  # a clean +7: real but under 10 railcars
    assert changes.detect(looks_of(counts)) == []
    assert len(changes.detect(looks_of(counts), min_delta=5)) == 1


def test_flat_exact_series_has_no_change(looks_of):
    assert changes.detect(looks_of([12] * 20)) == []
    assert changes.detect(looks_of([0] * 20)) == []


def test_too_short_series(looks_of):
    assert changes.detect(looks_of([1, 50, 50, 50])) == []


def test_noise_sigma_ignores_a_step():
    y = changes.anscombe([10, 11, 9, 10, 11, 9, 10, 60, 61, 59, 60, 61, 59, 60])
    assert changes.noise_sigma(y) == 1.0
    assert changes.penalty(2.0, 100) == 3.0 * 4.0 * np.log(100)


def test_false_alarms_on_stationary_series():
    alarms = sum(1 for seed in range(60) if changes.detect(synthetic.stationary(1000 + seed).used))
    assert alarms <= 3


def test_tumangang_rise_found():
    hits = 0
    for seed in range(5):
        found = changes.detect(synthetic.tumangang_2023(seed).used)
        rises = [c for c in found if c.direction == "increase" and c.delta > 30]
        assert rises, f"seed {seed}: no rise"
        hits += abs((rises[0].date - synthetic.ONSET).days) <= 5
    assert hits >= 4
