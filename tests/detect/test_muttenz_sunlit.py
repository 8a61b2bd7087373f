"""Cars from cast shadows (`railwatch.detect.sunlit`): synthetic strips with known wagons and shadows."""

from __future__ import annotations

import numpy as np
import synth

from railwatch.detect import sunlit
from railwatch.detect.estimate import Estimate
from railwatch.imagery.corridor import Strip

STEP_M = 0.25
SPACING_M = 4.6
WAGONS_M = [(10.0 + 15.0 * k, 24.0 + 15.0 * k) for k in range(8)]
"""Eight 14 m wagons with 1 m coupler gaps on track A, from 10 m to 129 m."""


def _scene(along: np.ndarray, across: np.ndarray, sunny: bool, wagons: bool = True) -> np.ndarray:
    """Grey level at (along, across) in a two-track yard: track A at 0 m carries the wagons, track B at
    +4.6 m is empty; in sun each wagon's shadow covers the 3 m beyond its +across side."""
    a, c = np.meshgrid(along, across, indexing="ij")
    g = np.full(a.shape, 0.5)
    for centre in (0.0, SPACING_M):
        for rail in (-0.75, 0.75):
            g[np.abs(c - centre - rail) < 0.13] = 0.3
    for a0, a1 in WAGONS_M if wagons else []:
        on = (a >= a0) & (a < a1)
        g[on & (np.abs(c) <= 1.45)] = 0.7
        if sunny:
            g[on & (c > 1.45) & (c <= 4.45)] *= 0.2  # rails still show, darker, in the shadow
    return g + np.random.default_rng(3).normal(0, 0.01, g.shape)


def _strip(offset_m: float, sunny: bool, wagons: bool = True) -> Strip:
    along = np.arange(0, 400.0, STEP_M)  # mostly empty yard: shadows stay the darkest tenth
    across = np.arange(-24, 25) * STEP_M
    g = _scene(along, across + offset_m, sunny, wagons).astype(np.float32)
    return synth.straight_strip(np.stack([g, g, g]), across, STEP_M, offset_m)


def _base() -> Estimate:
    return Estimate([], 0, 0, None)  # coverage is not needed here


def test_sun_found_and_pointing_to_the_shadows():
    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    sun = sunlit.sun(strips, 0.25)
    assert sun is not None
    assert sun.direction[1] > 0.9  # shadows fall towards +across (+y in the frame)


def test_no_sun_on_overcast_or_coarse_imagery():
    assert sunlit.sun([_strip(0.0, False, False), _strip(SPACING_M, False, False)], 0.25) is None
    assert sunlit.sun([_strip(0.0, True), _strip(SPACING_M, True)], 1.0) is None


def test_wagons_from_their_shadows():
    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    sun = sunlit.sun(strips, 0.25)
    est = sunlit.estimate(strips[0], 0.25, sun, _base(), track="A")
    assert abs(len(est.cars) - len(WAGONS_M)) <= 1  # pixel noise may break one shadow in two
    found = sum(
        any(abs(c.start_m - a0) < 1.0 and abs(c.end_m - a1) < 1.0 for c in est.cars) for a0, a1 in WAGONS_M
    )
    assert found >= len(WAGONS_M) - 1
    assert all(c.track == "A" for c in est.cars)
    assert est.low <= len(WAGONS_M) <= est.high
    # the empty neighbour lies in the first wagon's shadow only on its far side: no cars there
    assert sunlit.estimate(strips[1], 0.25, sun, _base(), track="B").cars == []


def test_short_shadows_do_not_fill_the_band():
    """Near noon shadows reach under a metre beyond the wagon: the probed band is not filled."""
    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    sun = sunlit.sun(strips, 0.25)
    assert sunlit._band_fill(strips, sun.direction, sun.dark) >= sunlit.MIN_BAND_FILL
    for s in strips:  # lighten the outer part of every shadow: it now ends 0.8 m beyond the side
        across = s.across_m + s.y0[0]
        outer = (across > 1.45 + 0.8) & (across <= 4.45)
        s.pixels[:, :, outer] = np.where(s.pixels[:, :, outer] < 0.2, 0.5, s.pixels[:, :, outer])
    assert sunlit._band_fill(strips, sun.direction, sun.dark) < sunlit.MIN_BAND_FILL
    assert sunlit.sun(strips, 0.25) is None


def test_long_shadow_runs_split_at_coupler_gaps_not_evenly():
    step = 0.25
    frac = np.zeros(200)
    frac[10:50] = 0.9  # a 10 m wagon
    frac[50:54] = 0.4  # coupler gap: the shadow thins
    frac[54:134] = 0.9  # a 20 m wagon
    pieces = sunlit._split(frac, 10, 134, step)
    assert len(pieces) == 2
    assert 49 <= pieces[0][1] <= 54  # cut in the gap, not at the even 15.5 m
    # no clear gap: an even division by the typical wagon length
    flat = np.full(200, 0.9)
    assert len(sunlit._split(flat, 0, 120, step)) == 2


def test_short_breaks_inside_one_wagon_are_joined():
    step = 0.25
    # a 14 m wagon whose shadow breaks for 1 m after 5 m, then a coupler gap and a 12 m wagon
    pieces = [(0, 20), (24, 56), (60, 108)]
    assert sunlit._merge_fragments(pieces, step) == [(0, 56), (60, 108)]
    # two whole wagons across a short gap stay two
    assert sunlit._merge_fragments([(0, 56), (60, 108)], step) == [(0, 56), (60, 108)]


def test_one_car_per_footprint_across_overlapping_lines():
    from shapely.geometry import box

    from railwatch.records import Car

    def car(track, x0, conf):
        return Car(track=track, start_m=x0, end_m=x0 + 14, type="boxcar", color="#808080",
                   confidence=conf, footprint=box(x0, 0, x0 + 14, 3))

    a = [car("A", 0, 0.9), car("A", 15, 0.8)]
    b = [car("B", 1, 0.5), car("B", 40, 0.7)]  # a second line on the same first wagon, and a new one
    dup = sunlit.duplicates([a, b])
    assert dup[0] == [] and dup[1] == [b[0]]
    assert sunlit.duplicates([[car("A", 0, 0.9), car("A", 10, 0.5)]]) == [[]]  # one track: kept


def test_unbroken_dark_line_is_not_a_train():
    """A shadow run with no coupler gap over three wagons' length (a wall or kerb edge) gives no cars;
    a train's run broken at every coupler still splits into its wagons."""
    step = 0.25
    wall = np.full(400, 0.9)  # 100 m of dark band with no dip
    assert sunlit._split(wall, 0, 400, step) == []
    train = np.full(400, 0.9)
    for k in range(1, 7):  # seven 14.3 m wagons, the shadow thinning at each coupler
        train[k * 57 - 2 : k * 57 + 2] = 0.3
    assert len(sunlit._split(train, 0, 400, step)) == 7


def test_rails_beside_the_line_count_as_its_track():
    """A discovered line along one rail (0.75 m off the track centre) still sees the track's rail pair:
    its rails are not hidden."""
    centred = _strip(0.0, False, False)
    along_rail = _strip(-0.75, False, False)  # line on track A's left rail
    ref = float(np.median(sunlit._centre_rails(centred)))
    assert ref > 0
    assert float(np.median(sunlit._centre_rails(along_rail))) > 0.5 * ref


def test_image_margin_is_shared_between_tracks_not_rounded_up_per_track():
    counts = [1] * 20 + [10, 0]  # many one-car discovered lines and one long train
    m = sunlit.margins(counts, 0.2)
    assert sum(m) == 6  # ceil(0.2 * 30), not 20 + 2 from rounding every line up
    assert m[-1] == 0 and m[20] == 2  # the train gets its proportional share, an empty line none
    assert sunlit.margins([0, 0], 0.2) == [0, 0]
    est = [Estimate([object()] * 3, 3, 3, None), None, Estimate([object()] * 7, 7, 7, None)]
    sunlit.widen(est)
    assert (est[0].low, est[0].high, est[2].low, est[2].high) == (2, 4, 6, 8)


def test_wagon_stub_where_its_shadow_leaves_the_image():
    """At the image edge a wagon's shadow band may lie outside the image: a short stretch of hidden
    rails on an occupied body, running into that edge, is a cut wagon (3 m of it seen here)."""
    from railwatch.detect.occupancy import Occupancy

    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    sun = sunlit.sun(strips, 0.25)
    s = strips[0]
    rows = np.arange(s.valid.shape[0]) * STEP_M
    s.valid[rows >= 118.0] = False  # the image ends 3 m into the eighth wagon (115-129 m) ...
    band_side = s.across_m * (1.0 if sun.direction[1] > 0 else -1.0) > 1.6
    s.valid[np.ix_(rows >= 114.5, band_side)] = False  # ... and its shadow side leaves it earlier
    on = np.zeros(len(rows), bool)
    for a0, a1 in WAGONS_M:
        on |= (rows >= a0) & (rows < a1)
    occ = Occupancy(on.astype(float), on, rows < 118.0, np.zeros_like(on), np.zeros_like(on), 0.5)
    est = sunlit.estimate(s, 0.25, sun, Estimate([], 0, 0, occ), track="A")
    stubs = [c for c in est.cars if c.start_m >= 114.0]
    assert len(stubs) == 1 and stubs[0].end_m <= 118.5
    assert len(est.cars) >= len(WAGONS_M) - 1


def test_short_run_across_a_coupler_gap_stays_a_wagon():
    """A short shadow run 1.5 m (a coupler gap) from the next wagon's run is a wagon of its own, not a
    fragment of its neighbour; a break under 1 m still joins."""
    step = 0.25
    assert sunlit._merge_fragments([(0, 30), (36, 80)], step) == [(0, 30), (36, 80)]
    assert sunlit._merge_fragments([(0, 30), (33, 80)], step) == [(0, 80)]


def test_known_sun_must_cast_the_shadows_the_pixels_show():
    """The pixels show shadows north of the wagons (+y): a sun in the south at 35 deg casts them (5.7 m
    long, straight across the track), a sun in the north cannot, so the path stays off."""
    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    u = sunlit.sun(strips, 0.25).direction
    assert sunlit.suited(strips, u, (180.0, 35.0)) == 1.0
    assert sunlit.suited(strips, u, (0.0, 35.0)) == 0.0
    assert sunlit.sun(strips, 0.25, (180.0, 35.0)) is not None
    assert sunlit.sun(strips, 0.25, (0.0, 35.0)) is None


def test_known_sun_too_high_or_too_oblique_turns_the_path_off():
    """At 70 deg a 4 m wagon's shadow reaches 1.5 m beyond its side (not past the band with margin);
    from the south-east at 35 deg it slides 3 m along the track in the band and closes every coupler
    gap. From the south-south-east at 45 deg (0.2 m slide) it still suits."""
    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    u = sunlit.sun(strips, 0.25).direction
    assert sunlit.suited(strips, u, (180.0, 70.0)) == 0.0
    assert sunlit.suited(strips, u, (135.0, 35.0)) == 0.0
    assert sunlit.suited(strips, u, (177.0, 45.0)) == 1.0
    assert sunlit.sun(strips, 0.25, (180.0, 70.0)) is None
    assert sunlit.sun(strips, 0.25, (135.0, 35.0)) is None


def test_known_sun_must_suit_the_lower_wagons_too():
    """At 62.4 deg a 4 m covered wagon's shadow reaches 2.09 m beyond its side, just past the probed
    band's margin, but a 3 m gondola's only 1.57 m: the low cars' shadows cannot be read, so the path
    stays off (simulated 0.3 m yards under such a sun were read worse by it: tuning seeds 44 and 53,
    F1 0.947 / 0.889 with it, 0.969 / 0.946 without). At 55 deg (2.1 m for 3 m) it suits."""
    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    u = sunlit.sun(strips, 0.25).direction
    assert sunlit.suited(strips, u, (180.0, 62.4)) == 0.0
    assert sunlit.suited(strips, u, (180.0, 55.0)) == 1.0


def test_catalog_tracks_need_the_sun_known():
    """On surveyed (catalog) tracks the pixel test alone does not switch the shadow path on; with the
    sun's position known and suiting it does, and on discovered tracks the pixels suffice."""
    strips = [_strip(0.0, True), _strip(SPACING_M, True)]
    assert sunlit.sun(strips, 0.25, catalog=True) is None
    assert sunlit.sun(strips, 0.25, (180.0, 35.0), catalog=True) is not None
    assert sunlit.sun(strips, 0.25, catalog=False) is not None


def _low_wagon_strip(offset_m: float, a0: float, a1: float) -> Strip:
    """Empty track at `offset_m`, but for a low wagon from `a0` to `a1` m that hides the rails and casts
    no shadow band of its own (its shadow falls on the wagon beside it)."""
    s = _strip(offset_m, True, wagons=False)
    rows = np.arange(s.pixels.shape[1]) * STEP_M
    on = (rows >= a0) & (rows < a1)
    body = np.flatnonzero(np.abs(s.across_m) <= 1.45)
    s.pixels[np.ix_(np.arange(s.pixels.shape[0]), np.flatnonzero(on), body)] = 0.6
    return s


def test_wagon_whose_shadow_falls_on_its_neighbour():
    """Beside a wagon found on the next track (shadow side), 14 m of hidden rails with no shadow band is
    a wagon; the same stretch with no neighbour there, or empty track beside the neighbour, is none."""
    from shapely.geometry import Polygon

    sun = sunlit.sun([_strip(0.0, True), _strip(SPACING_M, True)], 0.25)
    side = 1.0 if sun.direction[1] > 0 else -1.0  # the strips' + across is + y
    low = _low_wagon_strip(0.0, 50.0, 64.0)
    y0, y1 = side * 2.9, side * 6.1  # the next track's wagon body, 4.5 m across
    neighbour = Polygon([(45.0, y0), (69.0, y0), (69.0, y1), (45.0, y1)])
    cars = sunlit.beside(low, sun, [neighbour], [], track="L")
    assert len(cars) == 1
    assert abs(cars[0].start_m - 50.0) <= 1.0 and abs(cars[0].end_m - 64.0) <= 1.0
    assert cars[0].confidence <= sunlit.BESIDE_CONFIDENCE
    far = Polygon([(148.0, y0), (166.0, y0), (166.0, y1), (148.0, y1)])  # beside empty track only
    assert sunlit.beside(low, sun, [far], [], track="L") == []
    other_side = Polygon([(45.0, -y1), (69.0, -y1), (69.0, -y0), (45.0, -y0)])
    assert sunlit.beside(low, sun, [other_side], [], track="L") == []  # its neighbour on the sun side
    assert sunlit.beside(_strip(0.0, True, wagons=False), sun, [neighbour], [], track="L") == []
    own = sunlit.beside(low, sun, [neighbour], cars, track="L")  # already found on its own line
    assert own == []


def test_runs_split_before_short_pieces_are_joined():
    """A 14 m wagon whose shadow breaks after 7.5 m, coupled to a 13 m wagon: the second run (7.5 m of
    the first wagon and the whole second) splits at its coupler gap, and the 6 m piece left over joins
    the first 7.5 m across the break: two wagons, not three."""
    step = 0.25
    frac = np.zeros(130)
    frac[0:30] = 0.9
    frac[31:56] = 0.9  # the rest of the first wagon
    frac[56:58] = 0.4  # coupler gap
    frac[58:110] = 0.9
    assert sunlit._spans(frac, frac > 0.3, np.ones(130, bool), step) == [(0, 56), (57, 110)]


def test_a_fragment_joins_the_neighbour_that_leaves_the_shorter_wagon():
    step = 0.25
    pieces = [(0, 64), (65, 93), (94, 150)]  # 16 m, a 7 m fragment, 14 m: 1 row either side
    assert sunlit._merge_fragments(pieces, step) == [(0, 64), (65, 150)]


def test_shade_on_empty_track_does_not_hide_its_rails():
    """Shade (the neighbour on the sun side) dims the rails but does not hide them: beside a found wagon,
    shaded empty track gives no car, a shaded low wagon still does."""
    from shapely.geometry import Polygon

    sun = sunlit.sun([_strip(0.0, True), _strip(SPACING_M, True)], 0.25)
    side = 1.0 if sun.direction[1] > 0 else -1.0
    y0, y1 = side * 2.9, side * 6.1
    neighbour = Polygon([(45.0, y0), (69.0, y0), (69.0, y1), (45.0, y1)])

    def shaded(s: Strip) -> Strip:
        along = np.arange(s.pixels.shape[1]) * STEP_M
        rows = np.flatnonzero((along >= 40.0) & (along < 75.0))
        cols = np.flatnonzero(np.abs(s.across_m) <= 1.9)
        s.pixels[np.ix_(np.arange(3), rows, cols)] *= 0.35
        return s

    assert sunlit.beside(shaded(_strip(0.0, True, wagons=False)), sun, [neighbour], [], track="L") == []
    cars = sunlit.beside(shaded(_low_wagon_strip(0.0, 50.0, 64.0)), sun, [neighbour], [], track="L")
    assert len(cars) == 1 and abs(cars[0].start_m - 50.0) <= 1.0 and abs(cars[0].end_m - 64.0) <= 1.0


def test_low_wagons_side_by_side_found_round_after_round(monkeypatch):
    """A: a wagon found from its shadow; B beside it (A on B's shadow side) and C beside B: both low,
    rails hidden, no shadow band. Round one finds B beside A, round two C beside B; one round only B."""
    from railwatch.records import Car

    sun = sunlit.sun([_strip(0.0, True), _strip(SPACING_M, True)], 0.25)
    side = 1.0 if sun.direction[1] > 0 else -1.0
    a = _strip(side * SPACING_M, True, wagons=False)  # its wagon is given as found
    b = _low_wagon_strip(0.0, 50.0, 64.0)
    c = _low_wagon_strip(-side * SPACING_M, 50.0, 64.0)  # no rails in the scene there: hidden throughout
    found_a = [Car(track="A", start_m=50.0, end_m=64.0)]
    out = sunlit.beside_rounds([a, b, c], sun, [found_a, [], []], [None] * 3, ["A", "B", "C"])
    assert out[0] == []
    assert [(round(x.start_m), round(x.end_m)) for x in out[1]] == [(50, 64)]
    assert len(out[2]) == 1 and abs(out[2][0].start_m - 50.0) <= 1.0 and abs(out[2][0].end_m - 64.0) <= 1.0
    monkeypatch.setattr(sunlit, "BESIDE_ROUNDS", 1)
    out = sunlit.beside_rounds([a, b, c], sun, [found_a, [], []], [None] * 3, ["A", "B", "C"])
    assert len(out[1]) == 1 and out[2] == []
