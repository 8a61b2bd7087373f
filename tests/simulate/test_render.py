"""Rendered scenes: georeference, truth agreeing with pixels, determinism, clouds."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import rasterio
from rasterio.features import rasterize
from shapely.affinity import translate
from shapely.geometry import LineString
from shapely.ops import unary_union

from railwatch import simulate
from railwatch.errors import InputError
from railwatch.geo import WGS84, reproject

WHEN = datetime(2023, 10, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def yard():
    return simulate.make_site(seed=3, n_tracks=4, length_m=300, spacing_m=6.5)


@pytest.fixture(scope="module")
def scene(yard, tmp_path_factory):
    cars = simulate.random_cars(yard, seed=3, occupancy=0.6)
    out = tmp_path_factory.mktemp("scene") / "scene.tif"
    simulate.render(yard, cars, out, gsd_m=0.5, acquired=WHEN, seed=3, misregistration_m=(2.0, -1.0))
    return out, cars


def test_cog_georeference_and_tags(scene, yard):
    path, _ = scene
    with rasterio.open(path) as ds:
        assert ds.crs.to_epsg() == 32652  # UTM 52N at 130.6E 42.4N
        assert ds.res == (0.5, 0.5)
        assert ds.count == 3 and ds.dtypes[0] == "uint8"
        assert ds.block_shapes[0] == (512, 512) or ds.width < 512
        assert ds.compression.name.lower() == "deflate"
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        tags = ds.tags()
        assert tags["TIFFTAG_DATETIME"] == "2023:10:05 02:00:00"
        assert tags["RAILWATCH_SIMULATED"] == "1" and tags["GSD_M"] == "0.5" and tags["SEED"] == "3"
        if max(ds.width, ds.height) > 512:
            assert ds.overviews(1)


def test_truth_round_trip(scene, yard):
    path, cars = scene
    truth = simulate.truth.read(path)
    assert len(truth.cars) == len(cars)
    assert truth.meta["misregistration_m"] == [2.0, -1.0]
    assert truth.meta["site"] == yard.id
    assert set(truth.meta["tracks"]) == {t.id for t in yard.tracks}
    for t, c in zip(
        sorted(truth.cars, key=lambda c: (c.track, c.start_m)),
        sorted(cars, key=lambda c: (c.track, c.start_m)),
        strict=True,
    ):
        assert t.track == c.track and t.type == c.type
        assert t.start_m == pytest.approx(c.start_m, abs=1e-3)
        assert t.locomotive == (c.type == "locomotive")
        assert t.footprint is not None and t.footprint.is_valid


def test_car_pixels_differ_from_empty_ballast(scene, yard):
    """Inside true footprints the pixels are unlike the empty track bed next to them."""
    path, _ = scene
    truth = simulate.truth.read(path)
    with rasterio.open(path) as ds:
        img = ds.read().astype(float)
        crs, transform, shape = ds.crs, ds.transform, (ds.height, ds.width)
    feet = [reproject(c.footprint, WGS84, crs) for c in truth.cars]
    car_mask = rasterize([(f.buffer(-0.5), 1) for f in feet], out_shape=shape, transform=transform) > 0
    occupied = rasterize([(f.buffer(4.0), 1) for f in feet], out_shape=shape, transform=transform) > 0
    dx, dy = truth.meta["misregistration_m"]
    beds = [translate(reproject(t.line, WGS84, crs), dx, dy).buffer(1.0) for t in yard.tracks]
    bed_mask = (rasterize([(b, 1) for b in beds], out_shape=shape, transform=transform) > 0) & ~occupied
    assert car_mask.sum() > 1000 and bed_mask.sum() > 200
    bed = img[:, bed_mask]
    cars = img[:, car_mask]
    # empty ballast is a narrow grey-brown band; car tops are spread far wider in colour and brightness
    assert cars.std(axis=1).mean() > 2 * bed.std(axis=1).mean()
    dist = np.abs(cars - bed.mean(axis=1, keepdims=True)).sum(axis=0)
    assert np.mean(dist > 40) > 0.6


def _dip(r: float, offsets: np.ndarray, prof: np.ndarray) -> float:
    """How much darker the profile is at r than 0.45 m either side (a thin dark line scores low)."""
    a, b, c = np.interp([r - 0.45, r, r + 0.45], offsets, prof)
    return float(b - (a + c) / 2)


def test_rails_lie_under_shifted_catalog_line(scene, yard):
    """Matching a two-rail template across empty stretches finds the track where the catalog line, shifted
    by the declared misregistration, says it is (to within one pixel)."""
    path, _ = scene
    truth = simulate.truth.read(path)
    dx, dy = truth.meta["misregistration_m"]
    shift = float(np.hypot(dx, dy))
    with rasterio.open(path) as ds:
        img = ds.read().astype(float).mean(axis=0)
        crs, transform = ds.crs, ds.transform
    offsets = np.arange(-(shift + 3.0), shift + 3.0 + 1e-9, 0.05)
    search = offsets[np.abs(offsets) <= shift + 1.0]
    checked = 0
    occupied = unary_union([reproject(c.footprint, WGS84, crs) for c in truth.cars]).buffer(10.0)
    for track in yard.tracks:
        line = reproject(track.line, WGS84, crs)
        profiles = []
        for ch in np.arange(10, line.length - 10, 2.0):
            p, q = line.interpolate(ch), line.interpolate(ch + 1.0)
            if occupied.contains(p):
                continue
            ax, ay = q.x - p.x, q.y - p.y
            xs, ys = p.x - ay * offsets, p.y + ax * offsets
            rows, cols = rasterio.transform.rowcol(transform, xs, ys)
            profiles.append(img[np.asarray(rows), np.asarray(cols)])
        if len(profiles) < 5:
            continue
        prof = np.mean(profiles, axis=0)
        half_gauge = 1.52 / 2 + 0.036
        score = [_dip(o - half_gauge, offsets, prof) + _dip(o + half_gauge, offsets, prof) for o in search]
        found = search[int(np.argmin(score))]
        expected = -ay * dx + ax * dy  # across-track component of the shift
        assert abs(found - expected) <= 0.5, (track.id, found, expected)
        checked += 1
    assert checked >= 2


def test_deterministic(yard, tmp_path):
    cars = simulate.random_cars(yard, seed=5, occupancy=0.3)
    a = simulate.render(yard, cars, tmp_path / "a.tif", gsd_m=1.0, acquired=WHEN, seed=5, clouds=0.2)
    b = simulate.render(yard, cars, tmp_path / "b.tif", gsd_m=1.0, acquired=WHEN, seed=5, clouds=0.2)
    c = simulate.render(yard, cars, tmp_path / "c.tif", gsd_m=1.0, acquired=WHEN, seed=6, clouds=0.2)
    with rasterio.open(a) as da, rasterio.open(b) as db, rasterio.open(c) as dc:
        pa, pb, pc = da.read(), db.read(), dc.read()
    assert np.array_equal(pa, pb)
    assert not np.array_equal(pa, pc)
    assert a.with_suffix(".truth.geojson").read_text() == b.with_suffix(".truth.geojson").read_text()


def test_bad_input(yard, tmp_path):
    with pytest.raises(InputError):
        simulate.render(yard, [], tmp_path / "x.tif", gsd_m=0.5, acquired=datetime(2023, 1, 1), seed=0)
    bad = [simulate.random_cars(yard, seed=1)[0]]
    bad[0].track = "nope"
    with pytest.raises(InputError):
        simulate.render(yard, bad, tmp_path / "x.tif", gsd_m=0.5, acquired=WHEN, seed=0)
    odd = simulate.random_cars(yard, seed=1)[:1]
    odd[0].type = "spaceship"
    with pytest.raises(InputError, match="spaceship"):
        simulate.render(yard, odd, tmp_path / "x.tif", gsd_m=0.5, acquired=WHEN, seed=0)
    odd[0].type, odd[0].color = "tank", "red"
    with pytest.raises(InputError, match="rrggbb"):
        simulate.render(yard, odd, tmp_path / "x.tif", gsd_m=0.5, acquired=WHEN, seed=0)
    with pytest.raises(InputError, match="GSD"):
        simulate.render(yard, [], tmp_path / "x.tif", gsd_m=0.0, acquired=WHEN, seed=0)
    assert not list(tmp_path.iterdir())
    (tmp_path / "bad.truth.geojson").write_text("{not json")
    with pytest.raises(InputError, match="bad.truth.geojson"):
        simulate.truth.read(tmp_path / "bad.truth.geojson")


def test_make_site_geometry():
    site = simulate.make_site(seed=0, n_tracks=5, length_m=500, spacing_m=5.0)
    assert len(site.tracks) == 5
    for t in site.tracks:
        assert t.length_m == pytest.approx(500, rel=2e-3)
    a, _ = reproject(site.tracks[0].line, WGS84, 32652), None
    b = reproject(site.tracks[1].line, WGS84, 32652)
    assert a.distance(b) == pytest.approx(5.0, abs=0.02)
    assert isinstance(site.tracks[0].line, LineString)


def test_clouds_hide_cars_and_lower_coverage(yard, tmp_path):
    """A car the truth calls occluded is cloud-bright in the image; tracks under cloud lose coverage."""
    cars = simulate.random_cars(yard, seed=8, occupancy=0.7)
    path = simulate.render(yard, cars, tmp_path / "cloudy.tif", gsd_m=1.0, acquired=WHEN, seed=12, clouds=0.5)
    truth = simulate.truth.read(path)
    hidden = [c for c in truth.cars if c.occluded >= 0.99]
    clear = [c for c in truth.cars if c.occluded == 0.0]
    assert hidden and clear
    with rasterio.open(path) as ds:
        img = ds.read().astype(float).mean(axis=0)
        crs, transform, shape = ds.crs, ds.transform, (ds.height, ds.width)

    def mean_inside(cs):
        geoms = [(reproject(c.footprint, WGS84, crs), 1) for c in cs]
        mask = rasterize(geoms, out_shape=shape, transform=transform) > 0
        return img[mask].mean()

    assert mean_inside(hidden) > 200
    assert mean_inside(clear) < 150
    coverage = [v["coverage"] for v in truth.meta["tracks"].values()]
    assert min(coverage) < 1.0 and all(0.0 <= v <= 1.0 for v in coverage)
    assert truth.count(visible_only=True) < truth.count()


def test_off_nadir_leans_car_tops(tmp_path):
    """Car tops shift by 4 m x tan(off-nadir) along the look azimuth; truth keeps the ground footprint."""
    site = simulate.make_site(seed=4, n_tracks=1, length_m=120)
    cars = [simulate.random_cars(site, seed=0, occupancy=1.0, types=("tank",))[0]]
    cars[0].type, cars[0].color = "boxcar", "#f0f0f0"  # one bright car on dark ground: easy to locate
    shifts = []
    for nadir in (0.0, 35.0):
        path = simulate.render(
            site, cars, tmp_path / f"n{nadir:.0f}.tif", gsd_m=0.25, acquired=WHEN, seed=1, off_nadir_deg=nadir
        )
        truth = simulate.truth.read(path)
        with rasterio.open(path) as ds:
            img = ds.read().astype(float).min(axis=0)
            foot = reproject(truth.cars[0].footprint, WGS84, ds.crs)
            rows, cols = np.nonzero(img > 200)
            xs, ys = rasterio.transform.xy(ds.transform, rows, cols)
        shifts.append((np.mean(xs) - foot.centroid.x, np.mean(ys) - foot.centroid.y))
        look = np.radians(truth.meta["look_azimuth_deg"])
    assert np.hypot(*shifts[0]) < 0.3
    expected = 4.0 * np.tan(np.radians(35.0))
    dx, dy = shifts[1]
    assert np.hypot(dx, dy) == pytest.approx(expected, abs=0.4)
    assert dx * np.sin(look) + dy * np.cos(look) > 0.8 * expected


def test_random_cars_types_restrict_the_mix(yard):
    cars = simulate.random_cars(yard, seed=2, occupancy=0.8, types=("tank", "gondola"))
    assert cars and {c.type for c in cars} <= {"tank", "gondola", "locomotive"}
