"""Robust baseline numbers on known series."""

from __future__ import annotations

import math

import pytest

from railwatch.activity import baseline


def test_robust_known_values(looks_of):
    med, mad, spread = baseline.robust([10, 12, 8, 11, 9, 30])
    assert med == 10.5
    assert mad == 1.5
    assert spread == pytest.approx(max(1.4826 * 1.5, math.sqrt(10.5)))


def test_flat_series_has_poisson_spread(looks_of):
    assert baseline.robust([16, 16, 16, 16]) == (16.0, 0.0, 4.0)
    assert baseline.robust([0, 0, 0])[2] == 1.0  # one railcar floor on an empty yard


def test_noisy_series_spread_from_mad(looks_of):
    med, mad, spread = baseline.robust([4, 20, 5, 19, 12, 3, 21])
    assert med == 12 and mad == 8 and spread == pytest.approx(1.4826 * 8)


def test_trailing_window_and_min_looks(looks_of):
    looks = looks_of([10, 10, 12, 8, 40, 10, 10, 10, 10, 10, 10, 10], step_days=7)
    bases = baseline.trailing(looks, window_days=30, min_looks=4)
    assert bases[:4] == [None] * 4
    assert bases[4].median == 10.0 and bases[4].looks == 4  # the look itself is excluded
    # 30 days back from look 9 covers looks 5..8 (days 35..56), not the 40 at day 28
    assert bases[9].looks == 4 and bases[9].mad == 0.0
    assert bases[5].median == 11.0  # 10,12,8,40 -> median 11 (robust to the 40)
