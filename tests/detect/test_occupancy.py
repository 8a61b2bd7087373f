"""Occupancy: the local empty-bed template explains decks away but never a string of dark cars."""

from __future__ import annotations

import numpy as np
import synth

from railwatch.detect import occupancy
from railwatch.imagery.corridor import Strip

STEP_M = 0.3
BALLAST = (0.48, 0.44, 0.40)


def _strip(n_rows: int, rng: np.random.Generator) -> tuple[Strip, np.ndarray]:
    """An empty ballast bed with dark rails (bands x rows x cols) and its across offsets."""
    across = np.arange(-20, 21) * STEP_M
    px = np.empty((3, n_rows, across.size), np.float32)
    for b, v in enumerate(BALLAST):
        px[b] = v
    px[:, :, np.abs(across) > 2.6] = 0.35  # grass beyond the shoulders
    inner = np.abs(across) < 0.7
    px[:, :, inner] *= 0.85  # rust between the rails
    rails = np.abs(np.abs(across) - 0.76) < 0.16
    px[:, :, rails] = 0.12
    px += rng.normal(0, 0.008, px.shape).astype(np.float32)
    strip = synth.straight_strip(px, across, STEP_M)
    return strip, across


def _paint(strip: Strip, across: np.ndarray, a_m: float, b_m: float, rgb: tuple[float, float, float]) -> None:
    rows = slice(int(a_m / STEP_M), int(b_m / STEP_M))
    body = np.abs(across) <= 1.5
    for b, v in enumerate(rgb):
        strip.pixels[b, rows][:, body] = v


def test_string_of_dark_cars_is_not_taken_for_empty_bed():
    rng = np.random.default_rng(0)
    strip, across = _strip(int(400 / STEP_M), rng)
    # 120 m of dark cars of different paints, no shadow across the track (sun along it).
    paints = [(0.10, 0.10, 0.11), (0.15, 0.22, 0.16), (0.24, 0.13, 0.10), (0.12, 0.15, 0.24)]
    pos, k = 20.0, 0
    while pos < 140.0:
        _paint(strip, across, pos, pos + 13.0, paints[k % len(paints)])
        pos += 14.0
        k += 1
    occ = occupancy.measure(strip, None)
    along = np.arange(strip.n_along) * STEP_M
    on_cars = (along > 22) & (along < 138)
    assert occ.occupied[on_cars].mean() > 0.8
    assert occ.occupied[along > 160].mean() < 0.02


def test_long_uniform_deck_is_explained_as_empty_bed():
    rng = np.random.default_rng(1)
    strip, across = _strip(int(400 / STEP_M), rng)
    deck = slice(int(150 / STEP_M), int(300 / STEP_M))
    strip.pixels[:, deck][:, :, np.abs(across) <= 2.9] += 0.08  # a brighter concrete deck, rails kept
    runs = occupancy.bed_runs(strip, np.ones(strip.n_along, bool))
    assert any(a * STEP_M <= 155 and b * STEP_M >= 295 for a, b in runs)
    occ = occupancy.measure(strip, None)
    assert occ.occupied[deck].mean() < 0.05


def test_uniform_pieces_cut_at_each_change_of_colour():
    rng = np.random.default_rng(2)
    strip, across = _strip(int(200 / STEP_M), rng)
    _paint(strip, across, 60.0, 120.0, (0.2, 0.2, 0.2))
    pieces = occupancy.uniform_pieces(strip, 0, strip.n_along)
    assert pieces[0][0] == 0 and pieces[-1][1] == strip.n_along
    long = [(a, b) for a, b in pieces if (b - a) * STEP_M >= 10.0]  # a block astride a step stands alone
    cuts = [a * STEP_M for a, _ in long[1:]]
    assert len(long) == 3
    assert abs(cuts[0] - 60.0) <= 5.0 and abs(cuts[1] - 120.0) <= 5.0


def test_thin_cloud_over_the_whole_corridor_is_not_a_car():
    rng = np.random.default_rng(3)
    strip, across = _strip(int(300 / STEP_M), rng)
    haze = slice(int(200 / STEP_M), int(220 / STEP_M))
    strip.pixels[:, haze] = strip.pixels[:, haze] * 0.9 + 0.1 * 0.94  # a cloud's faint rim, all across
    _paint(strip, across, 60.0, 74.0, (0.30, 0.18, 0.12))
    occ = occupancy.measure(strip, None)
    inside = slice(int(202 / STEP_M), int(218 / STEP_M))  # this test's edge is sharper than a cloud's
    assert not occ.occupied[inside].any()
    assert occ.occupied[int(62 / STEP_M) : int(72 / STEP_M)].all()
    # the rows whose veil was undone are kept as evidence (`detect.doubt`), the clear ones are not
    assert occ.veiled is not None and occ.veiled[inside].all()
    assert not occ.veiled[: int(190 / STEP_M)].any()
    veil = occupancy.cloud_veil(strip, ~occ.occupied)
    assert veil.shape == (strip.n_along, occupancy.centre_columns(strip).size)
    assert 0.07 < float(np.median(veil[inside])) < 0.13
    assert float(np.median(veil[int(62 / STEP_M) : int(72 / STEP_M)])) < 0.01


def test_cars_are_seen_in_a_cloud_shadow():
    rng = np.random.default_rng(4)
    strip, across = _strip(int(300 / STEP_M), rng)
    _paint(strip, across, 110.0, 124.0, (0.30, 0.18, 0.12))
    shade = slice(int(100 / STEP_M), int(140 / STEP_M))
    strip.pixels[:, shade] *= 0.55  # a cloud's shadow darkens the whole corridor by about half
    occ = occupancy.measure(strip, None)
    assert occ.seen[shade].all()
    assert occ.occupied[int(112 / STEP_M) : int(122 / STEP_M)].all()


def test_veil_grows_across_a_track_under_a_cloud_edge_but_only_so_far():
    rng = np.random.default_rng(5)
    strip, across = _strip(int(200 / STEP_M), rng)
    rows = slice(int(100 / STEP_M), int(130 / STEP_M))
    alpha = np.clip(0.1 + 0.03 * across, 0.0, 1.0)  # thicker to the left
    strip.pixels[:, rows] = strip.pixels[:, rows] * (1 - alpha) + 0.92 * alpha
    veil = occupancy.cloud_veil(strip, np.ones(strip.n_along, bool) & (np.arange(strip.n_along) < 300))
    mid = veil[int(110 / STEP_M)]
    assert mid[0] < mid[-1]  # columns run right to left: the left side is veiled more
    assert 0.04 < mid.min() and mid.max() <= 2.0 * mid.min() + 1e-6


def test_brighter_stretch_of_empty_bed_is_not_taken_for_cloud():
    rng = np.random.default_rng(6)
    strip, across = _strip(int(300 / STEP_M), rng)
    newer = slice(int(200 / STEP_M), int(300 / STEP_M))
    strip.pixels[:, newer] += 0.04  # a third of the track on newer, lighter ballast
    veil = occupancy.cloud_veil(strip, np.ones(strip.n_along, bool))
    assert float(veil[newer].max()) < 0.01
    occ = occupancy.measure(strip, None)
    assert occ.occupied.mean() < 0.02


def test_measure_reuses_the_models_seed_rows_and_gives_the_same_result():
    rng = np.random.default_rng(5)
    strips = []
    for k in range(2):
        strip, across = _strip(int(200 / STEP_M), rng)
        _paint(strip, across, 30.0 + 20 * k, 45.0 + 20 * k, (0.6, 0.2, 0.15))
        strips.append(strip)
    model = occupancy.empty_model(strips)
    assert model is not None and model.seed_rows(strips[0]) is not None
    assert model.seed_rows(_strip(10, rng)[0]) is None  # another strip object: computed afresh
    fresh = occupancy.EmptyModel(model.profile, model.noise, model.brightness, model.mode)
    for s in strips:
        a, b = occupancy.measure(s, model), occupancy.measure(s, fresh)
        assert np.array_equal(a.occupied, b.occupied) and np.array_equal(a.departure, b.departure)
        assert a.occupied.sum() > 0


def test_empty_bed_under_a_soft_cloud_shadow_is_not_a_car():
    rng = np.random.default_rng(5)
    strip, across = _strip(int(400 / STEP_M), rng)
    _paint(strip, across, 260.0, 274.0, (0.30, 0.18, 0.12))
    along = np.arange(strip.n_along) * STEP_M
    # A cloud's shadow ramps in over 30 m to about 0.6 of the light, under an additive haze that
    # the shadow does not dim (as in the simulator and in real path radiance).
    depth = 0.4 * np.clip(np.minimum(along - 100.0, 300.0 - along) / 30.0, 0.0, 1.0)
    haze = 0.04
    strip.pixels[:] = (strip.pixels - haze) * (1.0 - depth)[None, :, None] + haze
    occ = occupancy.measure(strip, None)
    assert occ.seen.all()
    bed = ((along > 100) & (along < 250)) | ((along > 285) & (along < 300))
    assert occ.occupied[bed].mean() < 0.005  # the offset-biased brightness ratio read 2.6 % (the edges)
    assert occ.occupied[int(262 / STEP_M) : int(272 / STEP_M)].all()


def test_thin_cloud_over_the_darker_part_of_a_track_is_measured_against_the_bed_nearby():
    rng = np.random.default_rng(7)
    strip, across = _strip(int(300 / STEP_M), rng)
    newer = slice(0, int(150 / STEP_M))
    strip.pixels[:, newer] += 0.06  # half the track on newer, lighter ballast
    haze = slice(int(200 / STEP_M), int(230 / STEP_M))
    strip.pixels[:, haze] = strip.pixels[:, haze] * 0.88 + 0.12 * 0.92  # a cloud's rim over the older half
    occ = occupancy.measure(strip, None)
    inside = slice(int(202 / STEP_M), int(228 / STEP_M))
    assert occ.occupied[inside].mean() < 0.05
    empty = np.ones(strip.n_along, bool)
    empty[haze] = False
    veil = occupancy.cloud_veil(strip, empty)
    assert 0.09 < float(np.median(veil[inside])) < 0.15  # the whole veil, not its excess over the newer bed
    assert float(veil[newer].max()) < 0.01


def test_running_median_reads_the_marked_rows_nearest_each_row():
    values = np.array([1.0, 1.0, 1.0, 9.0, 9.0, 2.0, 2.0, 2.0])
    rows = np.array([True, True, True, False, False, True, True, True])
    level = occupancy.marked_running_median(values, rows, 3)
    assert level.tolist() == [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]


def test_coarse_veil_is_brightening_beyond_the_whole_tracks_usual_shoulder():
    # 1 m imagery: the shoulder is one column, so the veil is read against the track's 80th percentile.
    rng = np.random.default_rng(8)
    across = np.arange(-6, 7) * 1.0
    px = np.full((3, 300, across.size), 0.45, np.float32) + rng.normal(0, 0.004, (3, 300, across.size))
    px[:, :, np.abs(across) < 0.5] = 0.30
    px[:, :100] += 0.04  # a third of the track on newer, lighter ballast
    haze = slice(150, 180)
    px[:, haze] = px[:, haze] * 0.9 + 0.1 * 0.92
    strip = synth.straight_strip(px.astype(np.float32), across, 1.0)
    empty = np.ones(300, bool)
    empty[haze] = False
    veil = occupancy.cloud_veil(strip, empty)
    g = px.mean(axis=0)[:, np.abs(np.abs(across) - 2.0) < 0.1].mean(axis=1)[empty]
    expected = (0.1 * (0.92 - 0.45) - (np.percentile(g, 80) - np.median(g))) / (0.92 - np.median(g))
    assert expected < 0.05  # most of the lift passes for the newer ballast's brightness
    assert abs(float(np.median(veil[155:175])) - expected) < 0.01
    assert float(veil[:140].max()) < 0.02


def _half_shaded(strip: Strip, across: np.ndarray, a_m: float, b_m: float) -> None:
    """A sun-side neighbour's car shadow over one shoulder and half the car band (gain 0.6)."""
    rows = slice(int(a_m / STEP_M), int(b_m / STEP_M))
    side = across < 0.3
    strip.pixels[:, rows][:, :, side] *= 0.6


def test_lit_bed_between_a_neighbours_cars_is_the_template_not_the_shaded_bed():
    rng = np.random.default_rng(3)
    strip, across = _strip(int(400 / STEP_M), rng)
    # The neighbour's train shades 300 m of this empty track; 100 m in two gaps stay lit.
    _half_shaded(strip, across, 0.0, 150.0)
    _half_shaded(strip, across, 200.0, 350.0)
    occ = occupancy.measure(strip, None)
    along = np.arange(strip.n_along) * STEP_M
    lit = ((along > 152) & (along < 198)) | (along > 352)
    # The lit gaps are empty bed: with the shaded bed as template they read as 100 m of cars.
    assert occ.occupied[lit].mean() < 0.05
    seed = occupancy._seed_rows(strip, occupancy.features(strip)[0], None)
    assert seed[lit].mean() > 0.8 and seed[~lit].mean() < 0.05


def test_a_bed_shaped_colour_no_brighter_than_the_dominant_one_does_not_take_over():
    rng = np.random.default_rng(4)
    strip, across = _strip(int(400 / STEP_M), rng)
    _half_shaded(strip, across, 0.0, 300.0)
    # The remaining 100 m is as dark as the shaded bed: not a lit bed, the dominant colour stays.
    strip.pixels[:, int(300 / STEP_M):] *= 0.8
    seed = occupancy._seed_rows(strip, occupancy.features(strip)[0], None)
    along = np.arange(strip.n_along) * STEP_M
    assert seed[along < 298].mean() > 0.8



def test_seed_rows_take_the_callers_centre_colour_as_their_own():
    rng = np.random.default_rng(5)
    strip, across = _strip(int(400 / STEP_M), rng)
    _half_shaded(strip, across, 0.0, 150.0)
    f = occupancy.features(strip)[0]
    centre = occupancy._centre_colour(strip, f)
    own = occupancy._seed_rows(strip, f, None)
    assert np.array_equal(occupancy._seed_rows(strip, f, None, centre), own)  # what empty_model passes
    assert 0.2 < own.mean() < 0.9
    other = centre.copy()
    other[: strip.n_along // 2] = 0.9  # one flat bright paint over half the rows, unlike the shoulders
    seed = occupancy._seed_rows(strip, f, None, other)  # the centre given is the one read
    assert not seed[: strip.n_along // 2].any() and seed[strip.n_along // 2 :].mean() > 0.9


def test_a_cloud_over_a_quarter_of_a_busy_track_is_not_its_ballast_colour():
    rng = np.random.default_rng(5)
    strip, across = _strip(int(400 / STEP_M), rng)
    paints = [(0.10, 0.10, 0.11), (0.55, 0.20, 0.15), (0.24, 0.13, 0.10), (0.12, 0.15, 0.24)]
    pos, k = 40.0, 0
    while pos < 230.0:  # 196 m of cars in four paints; 40 m of bare bed before them and 50 m after
        _paint(strip, across, pos, pos + 13.0, paints[k % len(paints)])
        pos += 14.0
        k += 1
    cloud = slice(int(280 / STEP_M), None)  # the last 120 m under one smooth grey cloud
    strip.pixels[:, cloud] = 0.86 + rng.normal(0, 0.005, strip.pixels[:, cloud].shape).astype(np.float32)
    along = np.arange(strip.n_along) * STEP_M
    seed = occupancy._seed_rows(strip, occupancy.features(strip)[0], None)
    assert not seed[along >= 280].any()
    assert seed[along < 38].mean() > 0.8 and seed[(along > 240) & (along < 270)].mean() > 0.8
    model = occupancy.empty_model([strip])
    occ = occupancy.measure(strip, model)
    on_cars = (along > 42) & (along < 234)
    assert occ.occupied[on_cars].mean() > 0.8
    assert occ.occupied[along < 38].mean() < 0.05
