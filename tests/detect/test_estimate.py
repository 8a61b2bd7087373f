"""Scene intervals from per-track spreads (`railwatch.detect.estimate`): independent parts add in
quadrature, shared parts and offsets linearly; the split never changes a single track's interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
import synth

from railwatch.detect import cars, coarse
from railwatch.detect.count import CountResult, _drop
from railwatch.detect.estimate import Estimate, Side, Spread, combine, shrink, total_interval
from railwatch.detect.occupancy import Occupancy
from railwatch.records import Car, TrackCount


def test_combine_adds_independent_in_quadrature_and_shared_linearly():
    assert combine([Side(independent=3.0), Side(independent=4.0)]) == pytest.approx(5.0)
    assert combine([Side(shared=3.0), Side(shared=4.0)]) == pytest.approx(7.0)
    assert combine([Side(fixed=1.5), Side(fixed=-0.5)]) == pytest.approx(1.0)
    # independent 3 and 4 (-> 5) against shared 5 + 7 (-> 12): 13, plus the offset
    sides = [Side(3.0, 5.0, 1.0), Side(4.0, 7.0, 0.0)]
    assert combine(sides) == pytest.approx(14.0)
    assert combine([]) == 0.0


def test_side_width_is_one_tracks_half_width():
    assert Side(3.0, 4.0, 0.5).width == pytest.approx(5.5)
    # one track alone: combining changes nothing
    s = Side(2.0, 1.0, 0.3)
    assert combine([s]) == pytest.approx(s.width)


def test_fine_spread_of_a_scene_is_the_binomial_of_all_its_doubts():
    per_track = [cars.fine_spread(15, 2, 1) for _ in range(4)]
    down = combine(sp.down for sp in per_track)
    # 8 weak cuts in all (Binomial(8, 1/2)) and unflagged miscounts of 60 cars, independent; the 2 % of
    # 60 cars missed or made up, shared
    ind = cars.Z_DOUBT * math.sqrt(0.25 * 8 + cars.MISCOUNT_VAR * 60)
    assert down == pytest.approx(math.hypot(ind, cars.MISS_SHARE * 60))
    assert down == pytest.approx(math.hypot(1.645 * math.sqrt(8.0), 1.2))  # 4.80 cars
    assert down < 0.6 * 4 * per_track[0].down.width
    assert cars.doubt_spread(2) == 2  # each track alone still moves by its ceiled doubt


def _occ(dep: np.ndarray) -> Occupancy:
    seen = np.ones(dep.size, bool)
    return Occupancy(
        departure=dep, occupied=dep > 0.02, seen=seen, cloud=~seen, shadow=~seen, threshold=0.02
    )


def test_coarse_spread_matches_the_track_interval_and_narrows_the_scene():
    step = 1.0
    dep = np.full(500, 0.005)
    dep[50:350] = 0.1  # a 300 m consist: about 18 cars
    across = np.arange(-6.0, 6.0 + 1e-9, step)
    strip = synth.straight_strip(np.full((3, 500, across.size), 0.4), across, step)
    band = np.abs(strip.across_m) <= 1.5
    strip.pixels[:, 50:350][:, :, band] = np.array([0.55, 0.2, 0.15])[:, None, None]  # a brown car body
    est = coarse.estimate(strip, _occ(dep), "t1", 1.0, np.array([0.4, 0.4, 0.4]))
    n = len(est.cars)
    sp = est.spread
    assert sp is not None and 15 <= n <= 21
    # the split keeps the track's own interval: its half-widths rebuild low and high
    assert est.low == min(n, math.floor(n - sp.down.width))
    assert est.high == max(n, math.ceil(n + sp.up.width))
    # four such tracks: independent parts grow with sqrt(4), shared ones with 4
    four = combine([sp.down] * 4)
    assert four < 4 * sp.down.width - 1.0
    assert four > 2 * sp.down.width
    lone = math.hypot(2 * sp.down.independent, 4 * sp.down.shared) + 4 * sp.down.fixed
    assert four == pytest.approx(lone)


def _tc(tid: str, n: int, low: int, high: int) -> TrackCount:
    return TrackCount(id=tid, length_m=500.0, coverage=1.0, cars=n, cars_low=low, cars_high=high)


def test_scene_total_combines_spreads_within_the_sum_of_track_intervals():
    tracks = [_tc(f"t{k}", 15, 12, 18) for k in range(4)]
    bare = CountResult(image="x", gsd_m=1.0, tracks=tracks, cars=[])
    assert (bare.total_low, bare.total, bare.total_high) == (48, 60, 72)  # no spreads: the plain sum
    spread = cars.fine_spread(15, 3, 3)  # each side: 2.47 independent, 0.3 shared per track
    assert spread.down.independent == pytest.approx(1.645 * 1.5)
    r = CountResult(image="x", gsd_m=1.0, tracks=tracks, cars=[], spreads={t.id: spread for t in tracks})
    half = math.hypot(1.645 * 3.0, 1.2)  # 5.08
    assert r.total_low == math.floor(60 - half) == 54
    assert r.total_high == math.ceil(60 + half) == 66
    # a track without a spread adds its whole interval
    part = CountResult(image="x", gsd_m=1.0, tracks=tracks, cars=[], spreads={"t0": spread})
    assert part.total_high == math.ceil(60 + math.hypot(spread.up.independent, spread.up.shared + 9.0))
    # never wider than the sum of the tracks' intervals, never excluding the count
    wide = cars.fine_spread(15, 400, 400)
    r = CountResult(image="x", gsd_m=1.0, tracks=tracks, cars=[], spreads={t.id: wide for t in tracks})
    assert (r.total_low, r.total_high) == (48, 72)
    zero = CountResult(image="x", gsd_m=1.0, tracks=[_tc("a", 3, 3, 3)], cars=[], spreads={"a": spread})
    assert zero.total_low == zero.total == zero.total_high == 3


def test_short_runs_counted_as_whole_cars_widen_only_the_low_side():
    # a 6 m piece of a car on a discovered track fragment: 0.43 cars by length, counted as one
    sp = coarse.coarse_spread(1, 0.43, 0.05, 0.04, 0.0, 0.0, lift=1)
    assert sp.down.fixed == pytest.approx(0.57)
    assert sp.up.fixed == pytest.approx(0.43)
    # 100 such fragments (Muttenz at 1 m: 289 of them): the high end stays above the count, by at
    # least the shared part, where a signed offset would pull it 57 cars below
    up = combine([sp.up] * 100)
    assert up >= 100 * sp.up.shared
    unlifted = coarse.coarse_spread(1, 0.43, 0.05, 0.04, 0.0, 0.0)
    assert combine([unlifted.up] * 100) < 0
    # an ordinary long run rounded down shifts both sides alike
    run = coarse.coarse_spread(12, 12.4, 1.0, 0.04, 0.0, 0.0)
    assert run.down.fixed == pytest.approx(-0.4) and run.up.fixed == pytest.approx(0.4)


def test_total_interval_is_the_scene_interval_of_count():
    spread = cars.fine_spread(15, 3, 3)
    tracks = [(15, 12, 18, spread)] * 4
    r = CountResult(image="x", gsd_m=1.0, tracks=[_tc(f"t{k}", 15, 12, 18) for k in range(4)], cars=[],
                    spreads={f"t{k}": spread for k in range(4)})
    assert total_interval(tracks) == (r.total_low, r.total_high) == (54, 66)
    # without spreads: the plain sum of the intervals; nothing at all: an empty interval at zero
    assert total_interval([(15, 12, 18, None)] * 4) == (48, 72)
    assert total_interval([]) == (0, 0)


def test_shrink_scales_the_parts_with_the_cars_left():
    sp = Spread(down=Side(4.0, 2.0, 0.5), up=Side(3.0, 2.0, 1.0))
    half = shrink(sp, 20, 10)
    assert half.down.independent == pytest.approx(4.0 / math.sqrt(2))  # variances add per car
    assert half.down.shared == pytest.approx(1.0)  # a rate times the cars
    assert (half.down.fixed, half.up.fixed) == (0.5, 1.0)  # offsets are not per car
    assert half.up.independent == pytest.approx(3.0 / math.sqrt(2))
    assert shrink(sp, 20, 20) == sp
    # never more cars below the count than are left
    assert shrink(sp, 20, 2).down.width == pytest.approx(math.hypot(4.0 * math.sqrt(0.1), 0.2) + 0.5)
    one = shrink(sp, 20, 1)  # 1.40 cars below one car: held at one
    assert one.down.width == pytest.approx(1.0) and one.up.width > 1.0
    assert shrink(sp, 20, 0).down.width == pytest.approx(0.0)


def test_drop_shrinks_the_spread_with_the_interval():
    cs = [Car("t1", 15.0 * k, 15.0 * k + 14.0) for k in range(20)]
    occ = _occ(np.zeros(10))
    est = Estimate(list(cs), 17, 23, occ, cars.fine_spread(20, 2, 2))
    before = est.spread
    _drop(est, cs[:5])
    assert (len(est.cars), est.low, est.high) == (15, 12, 18)
    assert est.spread == shrink(before, 20, 15)
    assert est.spread.down.shared == pytest.approx(cars.MISS_SHARE * 15)
    assert est.spread.down.width < before.down.width
    _drop(est, cs[5:])
    assert (est.cars, est.low) == ([], 0) and est.spread.down.width == pytest.approx(0.0)
