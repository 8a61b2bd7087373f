"""A car's shadow on the neighbouring track is explained by the car itself, not counted as a car."""

from __future__ import annotations

from dataclasses import replace

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
    one_side, whole = castshadow.explained_parts(b, b_occ, [(a, a_occ)])
    assert np.array_equal(one_side | whole, ex)
    assert np.array_equal(one_side, ex) and not whole.any(), "without the sun only the one-sided model"


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
    """The fit model by model, row by row, as a direct sum of squares (the expanded one must match it
    to float rounding)."""
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


def test_expanded_misfit_equals_the_model_by_model_fit():
    rng = np.random.default_rng(5)
    s = _strip(0.0, rng)
    s.pixels[:, SHADOW, ACROSS > 0.5] *= 0.5
    template = np.median(castshadow.features(s)[0][:50], axis=0)
    for side in (1, -1):
        fast = castshadow.darkened_bed_misfit(s, template, side)
        ref = _misfit_reference(s, template, side)
        np.testing.assert_allclose(fast, ref, rtol=1e-9, atol=1e-12)
        assert np.argmin(fast) == np.argmin(ref) and ref.min() < 1e-3  # a near-perfect fit stays exact


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


def test_neighbours_reach_exactly_to_the_farthest_distance():
    """The nearest-row search is cut off at the farthest neighbour distance (for speed): a track exactly
    8.5 m away is still a neighbour on every row, one a centimetre beyond it on none, and the rows found
    are the nearest rows themselves (the same row index along a parallel track)."""
    rng = np.random.default_rng(7)
    b = _strip(0.0, rng)
    at, beyond = castshadow.neighbours(b, _strip(8.5, rng)), castshadow.neighbours(b, _strip(8.51, rng))
    assert np.array_equal(at[0], np.arange(N)) and np.allclose(at[1], 8.5)
    assert (beyond[0] == -1).all() and (beyond[1] == 0.0).all()


LOW_SUN = (180.0, 36.0)
"""A mid-autumn morning sun in the south at 36 deg: a 4.7 m car's shadow falls 6.5 m north."""


def test_whole_band_is_shaded_only_from_the_sun_side_and_only_when_the_shadow_reaches_across():
    rng = np.random.default_rng(2)
    b = _strip(0.0, rng)
    south, north = _strip(-5.0, rng), _strip(5.0, rng)
    idx_s, idx_n = castshadow.neighbours(b, south)[0], castshadow.neighbours(b, north)[0]
    # 1.6 m side + 4.7 m / tan 36 deg = 8.1 m reaches past the band's far edge at 5 + 1.25 m
    assert castshadow.whole_band_shaded(b, south, idx_s, LOW_SUN).all()
    assert not castshadow.whole_band_shaded(b, north, idx_n, LOW_SUN).any(), "the shadow falls away from B"
    # at 60 deg the shadow ends 1.6 + 2.7 = 4.3 m from the neighbour, short of the band
    assert not castshadow.whole_band_shaded(b, south, idx_s, (180.0, 60.0)).any()
    # sun in the south-east at 40 deg: 5.6 m x cos 45 deg = 4.0 m across, 5.6 m in all: short of 6.25 m
    assert not castshadow.whole_band_shaded(b, south, idx_s, (135.0, 40.0)).any()
    assert castshadow.whole_band_shaded(b, south, idx_s, (135.0, 30.0)).all()
    no_one = np.full(N, -1)
    assert not castshadow.whole_band_shaded(b, south, no_one, LOW_SUN).any()


def _whole_band_scene() -> tuple[Strip, Occupancy, Strip, Occupancy, Strip]:
    """Track B with the bed dimmed all across over SHADOW and a lit car over CAR; an occupied neighbour
    5 m south of B and the same neighbour 5 m north."""
    rng = np.random.default_rng(3)
    b = _strip(0.0, rng)
    b.pixels[:, SHADOW, :] *= np.float32(0.45)
    body = np.abs(ACROSS) <= 1.5
    for k, v in enumerate((0.6, 0.3, 0.2)):
        b.pixels[k, CAR, :][:, body] = v
    occupied = np.zeros(N, bool)
    occupied[SHADOW] = occupied[CAR] = True
    busy = np.zeros(N, bool)
    busy[95:335] = True
    return b, _occ(occupied), _strip(-5.0, rng), _occ(busy), _strip(5.0, rng)


def test_a_band_dark_all_across_is_a_neighbour_shadow_only_where_the_sun_puts_one():
    b, b_occ, south, busy, north = _whole_band_scene()
    ex = castshadow.explained_rows(b, b_occ, [(south, busy)], LOW_SUN)
    assert ex[SHADOW].mean() > 0.95
    assert not ex[CAR].any(), "a lit car beside another car stays a car"
    assert not ex[~b_occ.occupied].any()
    one_side, whole = castshadow.explained_parts(b, b_occ, [(south, busy)], LOW_SUN)
    assert np.array_equal(one_side | whole, ex) and whole[SHADOW].mean() > 0.95
    # without the sun, with a high sun, or with the neighbour on the far side it stays occupied
    assert not castshadow.explained_rows(b, b_occ, [(south, busy)]).any()
    assert not castshadow.explained_rows(b, b_occ, [(south, busy)], (180.0, 60.0)).any()
    assert not castshadow.explained_rows(b, b_occ, [(north, busy)], LOW_SUN).any()
    assert not castshadow.explained_rows(b, b_occ, [(south, _occ(np.zeros(N, bool)))], LOW_SUN).any()


def test_whole_band_misfit_fits_a_dimmed_bed_but_not_a_brighter_one():
    rng = np.random.default_rng(5)
    s = _strip(0.0, rng)
    s.pixels[:, SHADOW, :] *= np.float32(0.45)
    s.pixels[:, CAR, :] *= np.float32(0.8)  # dimmed less than FULL_DARK_MAX allows: not a cast shadow
    template = np.median(castshadow.features(s)[0][:50], axis=0)
    rows = np.zeros(N, bool)
    rows[SHADOW] = rows[CAR] = True
    mis = castshadow.whole_band_misfit(s, template, rows)
    assert np.isinf(mis[~rows]).all()
    assert np.median(mis[SHADOW]) < 0.01
    assert np.median(mis[CAR]) > 0.05


def test_lit_bed_on_a_track_mostly_in_the_neighbour_shadow_is_not_a_car():
    rng = np.random.default_rng(6)
    b = _strip(0.0, rng)
    lit_gap = slice(100, 140)  # the neighbour's train has a gap here: the bed is lit
    shade = np.ones(N, bool)
    shade[lit_gap] = False
    b.pixels[:, shade, :] *= np.float32(0.45)
    body = np.abs(ACROSS) <= 1.5
    for k, v in enumerate((0.3, 0.15, 0.1)):  # a car under the shadow line, its roof lit
        b.pixels[k, CAR, :][:, body] = v
    occupied = np.zeros(N, bool)
    occupied[lit_gap] = occupied[CAR] = True
    b_occ = _occ(occupied)
    south = _strip(-5.0, rng)
    busy = _occ(np.ones(N, bool))
    ex = castshadow.explained_rows(b, b_occ, [(south, busy)], LOW_SUN)
    assert ex[lit_gap].mean() > 0.95
    assert not ex[CAR].any()
    # the empty bed is lit (no neighbour beside most of it): a brighter stretch is not explained
    assert not castshadow.explained_rows(b, b_occ, [(south, _occ(shade & ~shade))], LOW_SUN).any()
    assert not castshadow.explained_rows(b, b_occ, [(south, busy)], (180.0, 60.0)).any()


def test_a_dark_car_that_only_loosely_fits_a_dimmed_bed_stays_a_car():
    b, b_occ, south, busy, _ = _whole_band_scene()
    rng = np.random.default_rng(7)
    dark = slice(350, 380)  # a dark car: about the bed's pattern dimmed, with its own texture at the floor
    texture = rng.normal(0, 0.022, (3, 30, ACROSS.size))
    b.pixels[:, dark, :] = b.pixels[:, dark, :] * np.float32(0.45) + texture
    occupied = b_occ.occupied.copy()
    occupied[dark] = True
    b_occ = _occ(occupied)  # it fits at 0.9 of the empty-row floor (0.02), within half its departure
    busy = _occ(np.ones(N, bool))  # the neighbour's train runs beside the dark car too
    ex = castshadow.explained_rows(b, b_occ, [(south, busy)], LOW_SUN)
    assert ex[SHADOW].mean() > 0.95
    assert ex[dark].mean() < 0.2  # a few rows by chance; all of them with FIT_SLACK (1.25)


def test_a_shadow_ending_in_the_far_half_of_the_band_is_explained_too():
    b, b_occ, south, busy, _ = _whole_band_scene()
    b.pixels[:, SHADOW, :] /= np.float32(0.45)  # undo the full shade: a lower car's shadow ends short
    toward = -ACROSS  # the neighbour lies south (right): positive toward it
    shaded = np.clip(0.5 + (toward + 0.9) / 1.0, 0.0, 1.0)  # shade ends 0.9 m past the centre, soft
    b.pixels[:, SHADOW, :] *= (1.0 - 0.55 * shaded)[None, None, :].astype(np.float32)
    template = castshadow.empty_template(b, b_occ)
    rows = np.zeros(N, bool)
    rows[SHADOW] = True
    assert np.median(castshadow.whole_band_misfit(b, template, rows)[SHADOW]) > 0.02, "not shaded all across"
    assert np.median(castshadow.whole_band_misfit(b, template, rows, side=-1)[SHADOW]) < 0.01
    assert not castshadow.explained_rows(b, b_occ, [(south, busy)]).any(), "the far edge is not lit"
    ex = castshadow.explained_rows(b, b_occ, [(south, busy)], LOW_SUN)
    assert ex[SHADOW].mean() > 0.95
    assert not ex[CAR].any()


def test_edge_models_are_worked_out_once_per_across_grid_and_read_only():
    across = np.linspace(-1.5, 1.5, 7)
    lits = castshadow.edge_models(across)
    assert castshadow.edge_models(across.copy()) is lits  # an equal grid: the kept models
    assert not lits.flags.writeable
    assert np.array_equal(lits, castshadow._edge_models_of(across))
    flipped = castshadow.edge_models(-across)  # the other side: its own models, far edge on the left
    assert flipped is not lits and (flipped[:, np.argmax(across)] >= castshadow.FAR_LIT).all()
    assert castshadow.edge_models(np.linspace(-1.0, 1.0, 5)).shape[1] == 5


def test_cars_abreast_marks_explained_rows_with_a_neighbours_car_beside_them():
    rng = np.random.default_rng(2)
    b, a, far = _strip(0.0, rng), _strip(5.0, rng), _strip(12.0, rng)
    explained = np.zeros(N, bool)
    explained[100:200] = True
    b_occ = replace(_occ(np.zeros(N, bool)), explained=explained)
    a_occ = np.zeros(N, bool)
    a_occ[150:300] = True  # the neighbour's car stands beside the second half only
    held = castshadow.cars_abreast([b, a, far], [b_occ, _occ(a_occ), _occ(np.ones(N, bool))], [True] * 3)
    assert held[1] is None and held[2] is None, "no explained rows, nothing to hold"
    assert held[0] is not None
    assert not held[0][100:150].any() and held[0][150:200].all(), "12 m away is beyond any shadow"
    assert not held[0][200:].any(), "only explained rows are looked at"
    # a neighbour that is not a known track does not count
    held = castshadow.cars_abreast([b, a], [b_occ, _occ(a_occ)], [True, False])
    assert held[0] is not None and not held[0].any()
