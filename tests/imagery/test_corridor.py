"""Corridor sampling: windowed reads only, straightened geometry, valid masks, map mapping."""

from __future__ import annotations

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import Resampling
from shapely.geometry import LineString

from railwatch.imagery import corridor

GSD = 0.5


def _cog(path, size=4000):
    """A tiled, overviewed GeoTIFF with one dark 0.5 m line along row 1000 (y = 2000 - 500 m)."""
    arr = np.full((3, size, size), 120, np.uint8)
    arr[:, 1000, :] = 20
    tr = Affine(GSD, 0, 0, 0, -GSD, size * GSD)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=size,
        height=size,
        count=3,
        dtype="uint8",
        crs="EPSG:32652",
        transform=tr,
        tiled=True,
        blockxsize=256,
        blockysize=256,
    ) as ds:
        ds.write(arr)
        ds.build_overviews([2, 4, 8], Resampling.average)
    return path


def test_reads_only_corridor_windows(tmp_path):
    path = _cog(tmp_path / "big.tif")
    y = 2000 - 1000.5 * GSD
    line = LineString([(100, y), (400, y)])
    with rasterio.open(path) as ds:
        strip = corridor.sample(ds, line, half_width_m=5.0, step_m=GSD)
        read_px = sum(w.width * w.height for w in strip.windows)
        assert read_px < 0.01 * ds.width * ds.height
    assert strip.pixels.shape == (3, 601, 21)
    assert strip.valid.all()
    centre = strip.pixels.mean(axis=0)[:, 10]
    assert np.allclose(centre, 20, atol=1)
    assert np.allclose(strip.pixels.mean(axis=0)[:, 0], 120, atol=1)


def test_coarse_step_reads_overview_sized_windows(tmp_path):
    path = _cog(tmp_path / "big.tif")
    line = LineString([(100, 1000), (1500, 1000)])
    with rasterio.open(path) as ds:
        strip = corridor.sample(ds, line, half_width_m=10.0, step_m=2.0)
    assert strip.overview_factor == 4
    assert strip.pixels.shape[1] == 701


def test_diagonal_track_straightened_and_mapped_back():
    arr = np.zeros((1, 400, 400), np.float32)
    rr, cc = np.mgrid[0:400, 0:400]
    arr[0] = (np.abs(rr - cc) <= 1).astype(np.float32)  # a diagonal stripe
    tr = Affine(1.0, 0, 0, 0, -1.0, 400.0)
    line = LineString([(50.5, 349.5), (300.5, 99.5)])
    strip = corridor.sample((arr, tr), line, half_width_m=4.0, step_m=1.0)
    prof = strip.pixels[0].mean(axis=0)
    assert int(np.argmax(prof)) == 4
    x, y = strip.to_map(100.0, 0.0)
    assert abs(x - (50.5 + 100 / np.sqrt(2))) < 0.01 and abs(y - (349.5 - 100 / np.sqrt(2))) < 0.01
    poly = strip.footprint(10.0, 24.0, 1.5)
    assert abs(poly.area - 14 * 3.0) < 0.5


def test_outside_and_nodata_are_invalid():
    arr = np.ones((2, 100, 100), np.float32)
    arr[:, :, 50:60] = np.nan
    tr = Affine(1.0, 0, 0, 0, -1.0, 100.0)
    strip = corridor.sample((arr, tr), LineString([(10, 50), (150, 50)]), 2.0, 1.0)
    seen = strip.valid.all(axis=1)
    assert seen[:39].all()
    assert not seen[42:48].any()  # NaN columns 50-59 -> x 50-60
    assert not seen[95:].any()  # beyond the image
    assert 0.3 < strip.valid.mean() < 0.7


def test_stretch_uint16_by_percentiles():
    arr = np.arange(10000, dtype=np.float32).reshape(1, 100, 100) * 6 + 1000
    tr = Affine(1.0, 0, 0, 0, -1.0, 100.0)
    strip = corridor.sample((arr, tr), LineString([(5, 90), (5, 10)]), 3.0, 1.0)
    corridor.stretch([strip], "uint16")
    assert strip.pixels.min() >= 0 and strip.pixels.max() <= 1
    assert strip.pixels.max() - strip.pixels.min() > 0.9


def test_bilinear_and_nearest_match_map_coordinates_to_the_bit():
    """The strip gathers reproduce `ndimage.map_coordinates` exactly (order 1 with edges held, order 0
    inside the grid), at random, integer and edge coordinates, so replacing it changed no count."""
    from scipy import ndimage

    from railwatch.imagery.corridor import bilinear, nearest

    rng = np.random.default_rng(5)
    for h, w in ((1, 7), (9, 4), (23, 31)):
        a = (rng.random((3, h, w)) * 255).round().astype(np.float32)
        a[1] = rng.random((h, w)).astype(np.float32)
        rows = np.concatenate([rng.uniform(-2, h + 1, 300), rng.integers(-1, h + 1, 40), [0.0, h - 1, 0.5]])
        cols = np.concatenate([rng.uniform(-2, w + 1, 300), rng.integers(-1, w + 1, 40), [w - 1, 0.0, 1.5]])
        coords = np.stack([rows, cols])
        ref = np.stack([ndimage.map_coordinates(b, coords, order=1, mode="nearest") for b in a])
        assert np.array_equal(bilinear(a, rows, cols), ref)
        # 8-bit pixels are sampled as they were read, as if converted to float32 first
        assert np.array_equal(bilinear(a.astype(np.uint8), rows, cols)[0], ref[0])
        mask = rng.random((h, w)) > 0.4
        ref0 = ndimage.map_coordinates(mask.astype(np.float32), coords, order=0, mode="constant") > 0.5
        on = (rows >= 0) & (rows <= h - 1) & (cols >= 0) & (cols <= w - 1)
        assert np.array_equal(on & nearest(mask, rows, cols), ref0)


def test_footprints_of_many_cars_are_each_cars_footprint():
    """`Strip.footprints` maps the vertices of every car at once: the same polygons, vertex for vertex,
    as `footprint` car by car, on a curved strip and past its last row, for reversed and empty spans."""
    import shapely

    n = 200
    t = np.linspace(0.0, 1.0, n)
    strip = corridor.Strip(
        np.zeros((3, n, 5)),
        np.ones((n, 5), bool),
        0.5,
        np.arange(-2, 3) * 0.5,
        np.cumsum(np.cos(t)) * 0.5,
        np.cumsum(np.sin(t)) * 0.5,
        np.cos(t),
        np.sin(t),
        start_m=3.0,
    )
    spans = [(3.0, 10.0), (12.5, 40.25), (90.0, 140.0), (95.0, 95.2), (60.0, 52.5), (70.0, 70.0)]
    many = strip.footprints(spans)
    assert len(many) == len(spans)
    for got, (a, b) in zip(many, spans, strict=True):
        assert np.array_equal(shapely.get_coordinates(got), shapely.get_coordinates(strip.footprint(a, b)))
    assert strip.footprints([]) == []


def test_all_valid_only_where_no_pixel_can_be_masked(tmp_path):
    """The valid-mask shortcuts apply to unmasked integer imagery only: a nodata value, a valid mask or
    float pixels (NaN) keep the per-pixel mask."""
    arr = np.full((3, 64, 64), 100, np.uint8)
    tr = Affine(GSD, 0, 0, 0, -GSD, 32.0)
    assert corridor.raster((arr, tr)).all_valid
    assert not corridor.raster((arr, tr, np.ones((64, 64), bool))).all_valid
    assert not corridor.raster((arr.astype(np.float32), tr)).all_valid
    for nodata, expect in ((None, True), (0, False)):
        path = tmp_path / f"n{nodata}.tif"
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=64,
            height=64,
            count=3,
            dtype="uint8",
            crs="EPSG:32652",
            transform=tr,
            nodata=nodata,
        ) as dst:
            dst.write(arr)
        with rasterio.open(path) as ds:
            r = corridor.raster(ds)
            assert r.all_valid is expect and r.mask_all_valid is expect
