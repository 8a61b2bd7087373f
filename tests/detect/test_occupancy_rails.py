"""Occupancy on a co-registered track: rows where the rails are hidden hold a car, whatever its paint."""

from __future__ import annotations

import numpy as np
import synth

from railwatch.detect import occupancy

STEP_M = 0.5


def _bed_with_flat(deck_rgb: tuple[float, float, float]) -> tuple[object, np.ndarray]:
    """300 m of ballast with faint rails (0.9x the bed, as at 0.5 m where a rail is a fraction of a pixel)
    and one 12 m flat car at 100-112 m with a plain deck of `deck_rgb`."""
    rng = np.random.default_rng(0)
    across = np.arange(-12, 13) * STEP_M
    n = int(300 / STEP_M)
    px = np.empty((3, n, across.size), np.float32)
    for b, v in enumerate((0.48, 0.44, 0.40)):
        px[b] = v
    px[:, :, np.abs(across) > 2.6] = 0.35
    px[:, :, np.abs(np.abs(across) - 0.76) < 0.3] *= 0.9
    px += rng.normal(0, 0.015, px.shape).astype(np.float32)
    rows = slice(int(100 / STEP_M), int(112 / STEP_M))
    body = np.abs(across) <= 1.5
    for b, v in enumerate(deck_rgb):
        px[b, rows][:, body] = v + rng.normal(0, 0.015, (rows.stop - rows.start, int(body.sum())))
    return synth.straight_strip(px, across, STEP_M), np.arange(n) * STEP_M


def test_flat_car_the_colour_of_shaded_ballast_is_seen_by_its_hidden_rails():
    strip, along = _bed_with_flat((0.45, 0.41, 0.37))  # 6 % darker than the bed: reads as shade
    on = (along > 101) & (along < 111)
    off = (along < 98) | (along > 114)
    occ = occupancy.measure(strip, None)
    assert occ.occupied[on].mean() > 0.9
    assert occ.occupied[off].mean() < 0.01
    # Without the rails (a line found in the pixels may not lie on them) it is taken for shaded ballast.
    assert occupancy.measure(strip, None, rails=False).occupied[on].mean() < 0.3


def test_rails_hidden_only_where_the_empty_rows_show_rails():
    strip, along = _bed_with_flat((0.45, 0.41, 0.37))
    seed = (along < 90) | (along > 120)
    hidden = occupancy.rails_hidden(strip, seed)
    assert hidden is not None
    assert hidden[(along > 101) & (along < 111)].all()
    assert hidden[seed].mean() < 0.02
    strip.pixels[:] = strip.pixels.mean(axis=2, keepdims=True)  # no rails anywhere: no evidence
    assert occupancy.rails_hidden(strip, seed) is None
