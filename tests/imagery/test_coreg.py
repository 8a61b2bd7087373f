"""Co-registration recovers a known misregistration of the imagery against the catalog tracks."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "detect"))
import synth  # noqa: E402

from railwatch import simulate  # noqa: E402
from railwatch.detect.count import _metric_line, _open  # noqa: E402
from railwatch.imagery import coreg, corridor  # noqa: E402


def _strips(scene):
    with ExitStack() as stack:
        img = _open(scene.path, None, stack)
        strips = []
        for t in scene.tracks:
            line, crs = _metric_line(img, t)
            strips.append(corridor.sample(img.raster, line, 10.0, 0.5, line_crs=crs))
    corridor.stretch(strips, "uint8")
    return strips


@pytest.mark.parametrize(
    "shift,n_tracks,fill", [((3.0, 0.0), 1, 0.5), ((0.0, -3.0), 3, 0.7), ((-2.0, 2.2), 4, 0.9)]
)
def test_recovers_3m_shift_within_half_a_metre(tmp_path, shift, n_tracks, fill):
    scene = synth.render(
        tmp_path / "s.tif", gsd_m=0.5, n_tracks=n_tracks, fill=fill, shift=shift, length_m=250, seed=3
    )
    strips = _strips(scene)
    est = coreg.estimate(strips)
    s = strips[0]
    true_across = float(np.mean(-shift[0] * s.ty + shift[1] * s.tx))
    assert abs(est.across_m(s) - true_across) < 0.5
    assert est.confidence > 0


def test_no_shift_when_aligned(tmp_path):
    scene = synth.render(tmp_path / "s.tif", gsd_m=0.5, n_tracks=2, length_m=200, seed=5, fill=0.4)
    est = coreg.estimate(_strips(scene))
    assert abs(est.across_m(_strips(scene)[0])) < 0.5


def test_shifted_strip_recentres_rails(tmp_path):
    scene = synth.render(
        tmp_path / "s.tif", gsd_m=0.5, n_tracks=1, fill=0.0, shift=(0.0, 3.0), length_m=200, angle_deg=0.0
    )
    strip = _strips(scene)[0]
    moved = strip.shifted(0.0, 3.0, 4.0)
    prof = moved.pixels.mean(axis=0)[moved.valid.all(axis=1)].mean(axis=0)
    # Rails (dark) at +-0.75 m, symmetric about the new centre.
    left, right = prof[moved.across_m > 0], prof[moved.across_m < 0][::-1]
    assert np.abs(left - right).max() < 0.05
    assert prof[np.argmin(np.abs(moved.across_m - 0.75))] < prof[np.argmin(np.abs(moved.across_m))]


@pytest.mark.parametrize("seed", [2, 3])
def test_parallel_tracks_leave_no_spurious_along_track_shift(tmp_path, seed):
    # Beds run on past the catalog ends here, so nothing in the image fixes a shift along parallel
    # tracks: the estimate must keep that part at zero rather than drift (it moves every car's chainage).
    ang = np.deg2rad(20.0)
    t, n = np.array([np.cos(ang), np.sin(ang)]), np.array([-np.sin(ang), np.cos(ang)])
    shift = tuple(2.5 * n + 1.0 * t)
    scene = synth.render(
        tmp_path / "s.tif", gsd_m=0.5, n_tracks=4, fill=0.8, shift=shift, length_m=250, seed=seed
    )
    strips = _strips(scene)
    est = coreg.estimate(strips)
    s = strips[0]
    along = float(np.mean(est.dx_m * s.tx + est.dy_m * s.ty))
    assert abs(est.across_m(s) - 2.5) < 0.5
    assert abs(along) < 0.6


def test_profile_is_the_median_over_valid_rows_of_each_column():
    rng = np.random.default_rng(3)
    px = rng.random((3, 40, 9)).astype(np.float32)
    valid = np.ones((40, 9), bool)
    valid[:25, 2] = False  # partly seen column
    valid[:, 5] = False  # unseen column
    s = corridor.Strip(px, valid, 0.5, np.arange(-4, 5) * 0.5, *(np.zeros(40),) * 4)
    prof, seen = coreg.profile(s)
    grey = px.mean(axis=0)
    assert prof[0] == np.median(grey[:, 0])
    assert prof[2] == np.median(grey[25:, 2])
    assert np.isnan(prof[5])
    assert seen[2] == 15 / 40 and seen[5] == 0.0


def test_profile_and_edge_curve_from_the_strips_band_mean_match_their_own():
    """`estimate` takes the band mean once per strip and hands each piece its rows: the profile and
    the car-edge score of a piece are the same to the bit as when they take the mean themselves."""
    rng = np.random.default_rng(4)
    px = rng.random((3, 60, 21)).astype(np.float32)
    valid = np.ones((60, 21), bool)
    valid[10:20, 3] = False
    s = corridor.Strip(px, valid, 0.5, np.arange(-10, 11) * 0.5, *(np.zeros(60),) * 4)
    rows = slice(12, 50)
    grey = px.mean(axis=0)[rows]
    offsets = np.arange(-3.0, 3.01, 0.25)
    own, seen = coreg.profile(s, rows)
    given, seen2 = coreg.profile(s, rows, grey)
    assert np.array_equal(own, given, equal_nan=True) and np.array_equal(seen, seen2)
    assert np.array_equal(coreg.edge_curve(s, rows, offsets), coreg.edge_curve(s, rows, offsets, grey))


def _bed_strip(
    n_rows: int,
    track_rows: slice,
    car_rows: slice | None = None,
    y_m: float = 0.0,
    cloud_rows: slice | None = None,
) -> corridor.Strip:
    """A strip along +x at 0.5 m: textured grass, and a ballast bed with a dark rail pair on
    `track_rows` (optionally a bright car body +-1.5 m wide on `car_rows`, a flat grey cloud over
    `cloud_rows`)."""
    step = 0.5
    across = np.arange(-20, 21) * step
    rng = np.random.default_rng(1)
    px = np.empty((3, n_rows, across.size), dtype=np.float32)
    px[:] = np.array([0.45, 0.55, 0.35])[:, None, None]
    for band in px:
        band[track_rows, np.abs(across) <= 2.5] = 0.4
        band[track_rows, np.abs(np.abs(across) - 0.75) < 0.3] = 0.25
        if car_rows is not None:
            band[car_rows, np.abs(across) <= 1.5] = 0.8
    px += rng.normal(0, 0.015, (1, n_rows, across.size))
    if cloud_rows is not None:
        px[:, cloud_rows] = 0.87
    x0 = np.arange(n_rows) * step
    return corridor.Strip(
        pixels=px,
        valid=np.ones(px.shape[1:], dtype=bool),
        step_m=step,
        across_m=across,
        x0=x0,
        y0=np.full(n_rows, y_m),
        tx=np.ones(n_rows),
        ty=np.zeros(n_rows),
    )


@pytest.mark.parametrize("shift_m", [2.5, -3.0])
def test_along_shift_read_from_where_the_rails_end(shift_m):
    # Track really lies shift_m further along than the catalog says: one end shows bare ground for
    # |shift_m|, the other has rails right up to the catalog end.
    rows = int(abs(shift_m) / 0.5)
    track = slice(rows, None) if shift_m > 0 else slice(0, 200 - rows)
    strips = [_bed_strip(200, track, y_m=y) for y in (0.0, 4.8)]
    est = coreg.along_from_ends(strips, coreg.Shift(1.0, 0.0))  # the along part 1.0 is replaced
    assert est.dx_m == pytest.approx(shift_m, abs=0.3)
    assert est.dy_m == pytest.approx(0.0)


def test_no_along_shift_when_rails_or_cars_run_to_both_ends():
    # Rails to both catalog ends (a car parked on the first 14 m of one track): nothing moves.
    strips = [_bed_strip(200, slice(None), car_rows=slice(0, 28)), _bed_strip(200, slice(None), y_m=4.8)]
    assert coreg.along_from_ends(strips, coreg.Shift(0.0, 0.0)).dx_m == 0.0
    # A cloud over the last 4 m of every track hides the ends; it is no evidence that they end there.
    cloudy = [_bed_strip(200, slice(None), y_m=y, cloud_rows=slice(192, None)) for y in (0.0, 4.8)]
    assert coreg.along_from_ends(cloudy, coreg.Shift(0.0, 0.0)).dx_m == 0.0
    # Coarse strips do not resolve rails: the along part is left alone.
    coarse = _bed_strip(200, slice(10, None))
    coarse.step_m = 1.0
    assert coreg.along_from_ends([coarse], coreg.Shift(0.0, 0.0)).dx_m == 0.0


@pytest.mark.parametrize("seed", [5, 6])
def test_simulated_yard_shift_recovered_along_the_tracks_too(tmp_path, seed):
    # Simulated parallel tracks end where the catalog ends (shifted by a 3 m misregistration in any
    # direction): the whole shift, along the tracks included, is recovered.
    site = simulate.make_site(seed=seed, n_tracks=3, length_m=150)
    cars = simulate.random_cars(site, seed=seed, occupancy=0.5)
    path = tmp_path / "s.tif"
    simulate.render(site, cars, path, gsd_m=0.5, acquired=datetime(2024, 5, 1, 3, tzinfo=UTC), seed=seed,
                    misregistration_m=3.0)
    with ExitStack() as stack:
        img = _open(path, None, stack)
        strips = [corridor.sample(img.raster, *_metric_line(img, t)[:1], 10.0, 0.5,
                                  line_crs=_metric_line(img, t)[1]) for t in site.tracks]
    corridor.stretch(strips, "uint8")
    mx, my = simulate.truth.read(path).meta["misregistration_m"]
    est = coreg.estimate(strips)
    assert np.hypot(est.dx_m - mx, est.dy_m - my) < 0.6
    s = strips[0]
    assert abs(float(np.mean(est.dx_m * s.tx + est.dy_m * s.ty))) > 1.0  # a real along part was found
    off = coreg.estimate(strips, ends=False)
    assert abs(float(np.mean(off.dx_m * s.tx + off.dy_m * s.ty))) < 0.6  # without the ends it stays ~0
