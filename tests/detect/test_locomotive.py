"""Locomotives split from the car coupled to them by their cab-hood-cab pattern (`detect/locomotive.py`;
the type rules are tested in test_types.py)."""

from __future__ import annotations

import numpy as np

from railwatch.detect import locomotive
from railwatch.imagery.corridor import Strip

STEP_M = 0.5
BALLAST = (0.41, 0.39, 0.36)


def _strip(spans: list[tuple[float, float, tuple[float, float, float]]], length_m: float = 80.0) -> Strip:
    """A straight strip of ballast with coloured bodies (3 m wide) painted over [start, end) metres."""
    n = int(length_m / STEP_M)
    across = np.arange(-3.0, 3.01, STEP_M)
    px = np.empty((3, n, across.size))
    px[:] = np.array(BALLAST)[:, None, None]
    body = np.abs(across) <= 1.5
    for a, b, rgb in spans:
        rows = slice(int(round(a / STEP_M)), int(round(b / STEP_M)))
        for k in range(3):
            px[k, rows][:, body] = rgb[k]
    rng = np.random.default_rng(3)
    px += rng.normal(0, 0.005, px.shape)
    zeros = np.zeros(n)
    return Strip(px, np.ones(n, bool), STEP_M, across, zeros, zeros, np.ones(n), zeros)


def _locomotive(front_m: float, cab=(0.23, 0.45, 0.31), hood=(0.25, 0.28, 0.27)) -> list:
    """A 18 m locomotive from `front_m`: windscreen, cab roof, grey hood, cab roof, windscreen."""
    dark = (0.16, 0.17, 0.18)
    a = front_m
    return [
        (a, a + 0.6, dark),
        (a + 0.6, a + 2.4, cab),
        (a + 2.4, a + 15.6, hood),
        (a + 15.6, a + 17.4, cab),
        (a + 17.4, a + 18.0, dark),
    ]


def test_locomotive_is_found_where_its_cab_touches_a_light_boxcar():
    """Light-blue boxcar 10-26.4 m, coupler gap, locomotive 27.5-45.5 m: one span at the locomotive."""
    spans = [(10.0, 26.4, (0.47, 0.59, 0.68)), (26.4, 27.5, (0.16, 0.17, 0.19))] + _locomotive(27.5)
    found = locomotive.find(_strip(spans), 0, 160)
    assert len(found) == 1
    s, e, _ = found[0]
    assert abs(s * STEP_M - 27.5) <= 1.0
    assert abs(e * STEP_M - 45.5) <= 1.0


def test_split_off_recuts_a_run_that_gave_the_cab_to_the_boxcar():
    """The coupler-gap split cut the locomotive through its hood (boxcar + cab | rest of hood): the
    boxcar gets its own length back and the locomotive becomes one piece, flagged as such."""
    spans = [(10.0, 26.4, (0.47, 0.59, 0.68)), (26.4, 27.5, (0.16, 0.17, 0.19))] + _locomotive(27.5)
    strip = _strip(spans)
    wrong = [(20, 65, 0.0), (66, 101, 0.0)]  # 10-32.5 m and 33-50.5 m
    pieces, locos = locomotive.split_off(strip, wrong, 8.5)
    assert len(locos) == 1
    (k,) = locos
    a, b, _ = pieces[k]
    assert abs(a * STEP_M - 27.5) <= 1.0 and abs(b * STEP_M - 45.5) <= 1.0
    others = [p for i, p in enumerate(pieces) if i != k]
    assert len(others) == 1
    assert abs(others[0][0] * STEP_M - 10.0) <= 0.5 and abs(others[0][1] * STEP_M - 26.4) <= 1.0


def test_no_locomotive_in_a_cut_of_plain_cars():
    """Three boxcars of two paints (light, dark, light) with coupler gaps: no cab-hood-cab pattern."""
    gap = (0.16, 0.17, 0.19)
    light, dark = (0.5, 0.5, 0.5), (0.25, 0.25, 0.26)
    spans = [
        (5.0, 21.4, light), (21.4, 22.5, gap), (22.5, 38.9, dark), (38.9, 40.0, gap), (40.0, 56.4, light)
    ]
    strip = _strip(spans)
    pieces = [(10, 43, 0.0), (45, 78, 0.0), (80, 113, 0.0)]
    out, locos = locomotive.split_off(strip, pieces, 8.5)
    assert locos == set()
    assert out == pieces


def test_no_locomotive_from_a_dark_car_between_light_coupler_gaps():
    """Dark boxcars on lighter ballast: the light gaps either side of a car look like two alike cabs
    lighter than a 'hood', but a cab is a body and the occupancy found gaps there, so no locomotive."""
    brown = (0.47, 0.24, 0.16)
    spans = [(5.0, 21.4, brown), (22.6, 39.0, brown), (40.2, 56.6, brown)]
    strip = _strip(spans)
    pieces = [(10, 43, 0.0), (45, 78, 0.0), (80, 113, 0.0)]
    out, locos = locomotive.split_off(strip, pieces, 8.5)
    assert locos == set()
    assert out == pieces


def test_no_locomotive_in_container_flats_with_a_light_end_box():
    """Container flats whose blue, red and white boxes repeat: the white end boxes of two cars look like
    cabs around a blue-red 'hood', which is two paints, not one hood surface."""
    blue, red, white = (0.12, 0.35, 0.59), (0.67, 0.24, 0.16), (0.78, 0.78, 0.75)
    spans = []
    for a in (5.0, 20.5, 36.0):
        spans += [(a, a + 6.1, blue), (a + 6.1, a + 12.2, red), (a + 12.2, a + 14.9, white)]
    strip = _strip(spans, length_m=60.0)
    pieces = [(10, 40, 0.0), (41, 71, 0.0), (72, 102, 0.0)]
    out, locos = locomotive.split_off(strip, pieces, 8.5)
    assert locos == set()
    assert out == pieces


def test_find_with_the_strips_colours_matches_find_on_its_own():
    """`split_off` reads the roof colours once per strip and hands them to `find`: same spans, same
    scores as `find` reading its own rows, in a window that starts inside the strip."""
    spans = [(10.0, 26.4, (0.47, 0.59, 0.68)), (26.4, 27.5, (0.16, 0.17, 0.19))] + _locomotive(27.5)
    strip = _strip(spans)
    own = locomotive.find(strip, 30, 160)
    shared = locomotive.find(strip, 30, 160, colours=locomotive.row_colours(strip))
    assert own == shared
    assert len(own) == 1 and abs(own[0][0] * STEP_M - 27.5) <= 1.0


def test_row_norms_are_numpys_row_norms_to_the_bit():
    rng = np.random.default_rng(9)
    for shape in ((1, 3), (500, 3), (40, 7)):
        x = rng.normal(0.0, 0.3, shape)
        assert np.array_equal(locomotive._row_norms(x), np.linalg.norm(x, axis=1))
