"""A car's shadow on the neighbouring track is explained by the car itself, not counted as a car."""

from __future__ import annotations

import numpy as np
import synth

from railwatch.detect import castshadow
from railwatch.detect.occupancy import Occupancy
from railwatch.imagery.corridor import Strip

STEP = 0.5
N = 400
ACROSS = np.arange(-12, 13) * STEP
SHADOW = slice(100, 200)
CAR = slice(250, 330)


def _strip(offset_m: float, rng: np.random.Generator) -> Strip:
    """A straight east-running strip whose centreline lies `offset_m` north (left) of y = 0."""
    grey = np.full((N, ACROSS.size), 0.5) + rng.normal(0, 0.004, (N, ACROSS.size))
    grey[:, np.abs(np.abs(ACROSS) - 0.76) < 0.3] = 0.3  # the rail pair, blurred
    pixels = np.stack([grey * 1.05, grey, grey * 0.9]).astype(np.float32)
    return synth.straight_strip(pixels, ACROSS.copy(), STEP, offset_m)


def _occ(occupied: np.ndarray) -> Occupancy:
    z = np.zeros(N, bool)
    return Occupancy(
        departure=occupied * 0.1, occupied=occupied, seen=~z, cloud=z, shadow=z, threshold=0.02
    )


def _scene(neighbour_offset_m: float) -> tuple[Strip, Occupancy, Strip, Occupancy]:
    rng = np.random.default_rng(0)
    b = _strip(0.0, rng)
    # The neighbour's car shadow covers the left part of the band, with a soft edge near the centre.
    lit = np.clip(0.5 - (ACROSS - 0.0) / 1.0, 0.0, 1.0)
    b.pixels[:, SHADOW, :] *= (lit + (1 - lit) * 0.4)[None, None, :].astype(np.float32)
    # A lit car on the track itself.
    body = np.abs(ACROSS) <= 1.5
    for k, v in enumerate((0.6, 0.3, 0.2)):
        b.pixels[k, CAR, :][:, body] = v
    occupied = np.zeros(N, bool)
    occupied[SHADOW] = occupied[CAR] = True
    a = _strip(neighbour_offset_m, rng)
    a_occ = np.zeros(N, bool)
    a_occ[95:335] = True
    return b, _occ(occupied), a, _occ(a_occ)


def test_neighbours_are_parallel_tracks_three_and_a_half_to_eight_and_a_half_metres_away():
    rng = np.random.default_rng(1)
    b = _strip(0.0, rng)
    idx, off = castshadow.neighbours(b, _strip(5.0, rng))
    assert (idx >= 0).all() and np.allclose(off, 5.0)
    idx, off = castshadow.neighbours(b, _strip(-5.0, rng))
    assert (idx >= 0).all() and np.allclose(off, -5.0)
    assert (castshadow.neighbours(b, _strip(12.0, rng))[0] < 0).all(), "too far for a car shadow"
    assert (castshadow.neighbours(b, _strip(1.5, rng))[0] < 0).all(), "that close, `shared` decides"


def test_shadow_from_the_occupied_neighbour_is_explained_and_a_lit_car_is_not():
    b, b_occ, a, a_occ = _scene(5.0)
    ex = castshadow.explained_rows(b, b_occ, [(a, a_occ)])
    assert ex[SHADOW].mean() > 0.95
    assert not ex[CAR].any(), "a lit car beside another car stays a car"
    assert not ex[~b_occ.occupied].any()


def test_no_explanation_without_a_car_on_the_shadow_side():
    b, b_occ, a, a_occ = _scene(-5.0)  # the neighbour lies on the lit side
    assert not castshadow.explained_rows(b, b_occ, [(a, a_occ)]).any()
    b, b_occ, a, _ = _scene(5.0)
    assert not castshadow.explained_rows(b, b_occ, [(a, _occ(np.zeros(N, bool)))]).any()


def test_coarse_imagery_is_left_alone():
    b, b_occ, a, a_occ = _scene(5.0)
    coarse = Strip(
        pixels=b.pixels[:, :, ::3], valid=b.valid[:, ::3], step_m=1.5, across_m=b.across_m[::3],
        x0=b.x0, y0=b.y0, tx=b.tx, ty=b.ty,
    )
    assert not castshadow.explained_rows(coarse, b_occ, [(a, a_occ)]).any()


def test_misfit_on_a_row_subset_equals_the_full_fit_there():
    rng = np.random.default_rng(4)
    s = _strip(0.0, rng)
    s.pixels[:, SHADOW, ACROSS > 0.5] *= 0.5
    template = np.median(castshadow.features(s)[0][:50], axis=0)
    rows = np.zeros(N, bool)
    rows[90:210] = True
    full = castshadow.darkened_bed_misfit(s, template, 1)
    part = castshadow.darkened_bed_misfit(s, template, 1, rows)
    assert np.array_equal(part[rows], full[rows])
    assert np.isinf(part[~rows]).all()
    assert full[150] < 0.01  # the darkened stretch fits the model


def test_edge_models_are_distinct_keep_the_far_edge_lit_and_include_the_all_lit_bed_once():
    across = np.linspace(-1.5, 1.5, 7)
    lits = castshadow.edge_models(across)
    assert len({m.tobytes() for m in lits}) == len(lits)
    assert (lits[:, np.argmin(across)] >= castshadow.FAR_LIT).all()
    assert sum(bool((m == 1.0).all()) for m in lits) == 1
    assert len(lits) >= 10


def _misfit_reference(s: Strip, template: np.ndarray, side: int) -> np.ndarray:
    """The fit model by model, row by row (the vectorised one must match it exactly)."""
    f, _ = castshadow.features(s)
    cols = castshadow.centre_columns(s)
    fr = f.reshape(s.n_along, s.pixels.shape[0], cols.size)
    t = template.reshape(s.pixels.shape[0], cols.size)
    best = np.full(s.n_along, np.inf)
    for lit in castshadow.edge_models(s.across_m[cols] * side):
        base, dark = t * lit, t * (1.0 - lit)
        alpha = np.clip(((fr - base) * dark).sum(axis=(1, 2)) / (float((dark**2).sum()) + 1e-9), 0.1, 0.85)
        model = base[None] + alpha[:, None, None] * dark[None]
        best = np.minimum(best, np.sqrt(np.mean((fr - model) ** 2, axis=(1, 2))))
    return best


def test_vectorised_misfit_equals_the_model_by_model_fit_exactly():
    rng = np.random.default_rng(5)
    s = _strip(0.0, rng)
    s.pixels[:, SHADOW, ACROSS > 0.5] *= 0.5
    template = np.median(castshadow.features(s)[0][:50], axis=0)
    for side in (1, -1):
        fast = castshadow.darkened_bed_misfit(s, template, side)
        assert np.array_equal(fast, _misfit_reference(s, template, side))


def test_neighbours_of_a_row_subset_equal_the_full_lookup_there():
    rng = np.random.default_rng(6)
    b, a = _strip(0.0, rng), _strip(5.0, rng)
    rows = np.zeros(N, bool)
    rows[::7] = True
    idx, off = castshadow.neighbours(b, a)
    sub_idx, sub_off = castshadow.neighbours(b, a, rows)
    assert np.array_equal(sub_idx[rows], idx[rows]) and np.array_equal(sub_off[rows], off[rows])
    assert (sub_idx[~rows] == -1).all()
    assert (castshadow.neighbours(b, _strip(500.0, rng))[0] == -1).all(), "far apart: skipped by the boxes"
