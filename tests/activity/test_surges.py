"""Surge alerts need ratio, z-score and absolute change all at once."""

from __future__ import annotations

from railwatch.activity import baseline, surges


def test_surge_found_with_values(looks_of):
    looks = looks_of([10, 11, 9, 10, 12, 10, 40])
    found = surges.find(looks, baseline.trailing(looks))
    assert len(found) == 1
    s = found[0]
    assert s.count == 40 and s.baseline == 10.0
    assert s.ratio == 4.0
    assert round(s.zscore, 2) == round(30 / 10 ** 0.5, 2)


def test_small_absolute_change_is_not_a_surge(looks_of):
    looks = looks_of([0, 1, 0, 0, 1, 0, 6])  # ratio and z huge, but only 6 cars
    assert surges.find(looks, baseline.trailing(looks)) == []


def test_noisy_baseline_blocks_low_z(looks_of):
    looks = looks_of([30, 60, 25, 70, 40, 20, 75])  # 75 vs median 35 but spread ~22
    assert surges.find(looks, baseline.trailing(looks)) == []


def test_ratio_floor_on_empty_yard(looks_of):
    assert surges.ratio(12, 0) == 12.0
