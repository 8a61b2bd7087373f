"""imagery.open on real sample GeoTIFFs and on files written here: GSD in metres, footprints, errors."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer
from scene_samples import (
    TUMANGANG_LAT,
    TUMANGANG_LON,
    tumangang_utm,
    utm_tif,
    write_png,
    write_tif,
    write_world_file,
)
from shapely.geometry import Point
from shapely.ops import transform as shp_transform

from railwatch import imagery
from railwatch.errors import GeoreferenceError, ImageError, InputError

STATION = Point(TUMANGANG_LON, TUMANGANG_LAT)


def _utm_area_m2(poly) -> float:
    t = Transformer.from_crs(4326, 32652, always_xy=True)
    return shp_transform(t.transform, poly).area


# -- shared sample GeoTIFFs -------------------------------------------------------------------------


def test_rgb_byte_utm(shared_data: Path):
    s = imagery.open(shared_data / "geotiff" / "RGB.byte.tif")
    assert (s.width, s.height, s.band_count, s.dtype) == (791, 718, 3, "uint8")
    assert s.gsd_m == pytest.approx(300.04, rel=0.005)
    assert "UTM zone 18N" in s.crs
    # the image centre, projected independently, lies in the footprint
    cx, cy = 101985.0 + 791 * 300.0379 / 2, 2826915.0 - 718 * 300.0417 / 2
    lon, lat = Transformer.from_crs(32618, 4326, always_xy=True).transform(cx, cy)
    assert s.footprint.contains(Point(lon, lat))
    assert -79.0 < s.footprint.bounds[0] < -78.9 and 25.5 < s.footprint.bounds[3] < 25.6
    assert len(s.footprint.exterior.coords) > 60  # densified
    assert s.sha256 == hashlib.sha256((shared_data / "geotiff" / "RGB.byte.tif").read_bytes()).hexdigest()


def test_web_mercator_gsd_is_ground_metres(shared_data: Path):
    s = imagery.open(shared_data / "geotiff" / "cogeo.tif")
    lat = s.footprint.centroid.y
    assert 37.6 < lat < 37.7
    # 0.597 EPSG:3857 "metres" are cos(lat) smaller on the ground
    assert s.gsd_m == pytest.approx(0.5971640348 * math.cos(math.radians(lat)), rel=0.005)
    assert s.gsd_m < 0.49


def test_alpha_and_nodata_samples(shared_data: Path):
    a = imagery.open(shared_data / "geotiff" / "alpha.tif")
    assert a.band_count == 4 and a.footprint.bounds[1] < -39.5
    o = imagery.open(shared_data / "geotiff" / "OSBS_029.tif")
    assert o.gsd_m == pytest.approx(0.1, rel=0.005) and o.band_count == 3
    assert o.footprint.area > 0


def test_tiff_without_crs_needs_gsd(shared_data: Path):
    path = shared_data / "geotiff" / "rotated.tif"
    with pytest.raises(GeoreferenceError, match="--gsd") as err:
        imagery.open(path)
    assert str(path) in str(err.value)
    s = imagery.open(path, gsd_m=2.0)
    assert s.gsd_m == 2.0 and s.footprint is None and s.crs is None
    f = imagery.open(shared_data / "geotiff" / "float_nan.tif", gsd_m=1.0)
    assert f.dtype == "float32" and f.footprint is None


# -- files written here -----------------------------------------------------------------------------


def test_geographic_crs_gsd(tmp_path: Path):
    step = 1e-5
    t = Affine(step, 0, TUMANGANG_LON - 50 * step, 0, -step, TUMANGANG_LAT + 50 * step)
    data = np.full((1, 100, 100), 7, dtype="uint8")
    s = imagery.open(write_tif(tmp_path / "ll.tif", data, t, "EPSG:4326"))
    # 1e-5 deg at 42.42 N: 0.823 m east-west, 1.111 m north-south
    assert s.gsd_m == pytest.approx((0.8229 + 1.1108) / 2, rel=0.003)
    assert s.footprint.contains(STATION)
    assert s.footprint.bounds == pytest.approx(
        (TUMANGANG_LON - 50 * step, TUMANGANG_LAT - 50 * step, TUMANGANG_LON + 50 * step,
         TUMANGANG_LAT + 50 * step), abs=1e-9)


def test_rotated_utm_geotiff(tmp_path: Path):
    x, y = tumangang_utm()
    t = Affine.translation(x - 20, y + 20) @ Affine.rotation(30) @ Affine.scale(0.5, -0.5)
    data = np.full((3, 80, 120), 50, dtype="uint8")
    s = imagery.open(write_tif(tmp_path / "rot.tif", data, t, "EPSG:32652"))
    assert s.gsd_m == pytest.approx(0.5, rel=0.002)
    assert _utm_area_m2(s.footprint) == pytest.approx(120 * 80 * 0.25, rel=0.01)
    assert s.footprint.contains(Point(TUMANGANG_LON, TUMANGANG_LAT - 0.00005))


def test_uint16_four_bands_with_nodata(tmp_path: Path):
    s = imagery.open(utm_tif(tmp_path / "u16.tif", gsd_m=0.3, bands=4, dtype="uint16", nodata=0))
    assert (s.band_count, s.dtype) == (4, "uint16")
    assert s.gsd_m == pytest.approx(0.3, rel=0.002)
    assert s.footprint.contains(STATION)


def test_float_with_partial_nan(tmp_path: Path):
    data = np.full((1, 30, 30), np.nan, dtype="float32")
    data[0, 10, 10] = 3.0
    x, y = tumangang_utm()
    s = imagery.open(write_tif(tmp_path / "f.tif", data, Affine(1, 0, x, 0, -1, y), "EPSG:32652",
                               nodata=float("nan")))
    assert s.dtype == "float32"


def test_all_nodata_is_an_error(tmp_path: Path):
    x, y = tumangang_utm()
    data = np.zeros((3, 40, 40), dtype="uint8")
    path = write_tif(tmp_path / "blank.tif", data, Affine(1, 0, x, 0, -1, y), "EPSG:32652", nodata=0)
    with pytest.raises(ImageError, match="no valid pixels"):
        imagery.open(path)
    nan = np.full((1, 20, 20), np.nan, dtype="float32")
    with pytest.raises(ImageError, match="no valid pixels"):
        imagery.open(write_tif(tmp_path / "nan.tif", nan, Affine(1, 0, x, 0, -1, y), "EPSG:32652"))


def test_png_with_world_file_and_prj(tmp_path: Path):
    png = write_png(tmp_path / "chip.png")
    x, y = tumangang_utm()
    write_world_file(tmp_path / "chip.pgw", 0.25, 0, 0, -0.25, x - 5, y + 5)
    (tmp_path / "chip.prj").write_text(
        'PROJCS["WGS 84 / UTM zone 52N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,'
        '298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
        'PARAMETER["central_meridian",129],PARAMETER["scale_factor",0.9996],'
        'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]'
    )
    s = imagery.open(png)
    assert s.gsd_m == pytest.approx(0.25, rel=0.002)
    assert _utm_area_m2(s.footprint) == pytest.approx(60 * 40 * 0.0625, rel=0.01)
    top_left = Point(Transformer.from_crs(32652, 4326, always_xy=True).transform(x - 5, y + 5))
    assert s.footprint.exterior.distance(top_left) < 1e-8


def test_png_world_file_in_degrees_without_prj(tmp_path: Path):
    png = write_png(tmp_path / "ll.png")
    write_world_file(tmp_path / "ll.wld", 5e-6, 0, 0, -5e-6, TUMANGANG_LON, TUMANGANG_LAT)
    s = imagery.open(png)
    assert s.footprint is not None and "WGS 84" in s.crs
    assert s.gsd_m == pytest.approx((0.8229 + 1.1108) / 4, rel=0.005)


def test_png_world_file_in_metres_without_prj(tmp_path: Path):
    png = write_png(tmp_path / "local.png")
    write_world_file(tmp_path / "local.pgw", 0.4, 0, 0, -0.4, 1000.0, 2000.0)
    s = imagery.open(png)
    assert s.gsd_m == pytest.approx(0.4) and s.footprint is None and s.crs is None


def test_plain_png_needs_gsd(tmp_path: Path):
    png = write_png(tmp_path / "plain.png")
    with pytest.raises(GeoreferenceError, match="--gsd"):
        imagery.open(png)
    s = imagery.open(png, gsd_m=0.3)
    assert (s.gsd_m, s.width, s.height, s.footprint) == (0.3, 60, 40, None)
    with pytest.raises(InputError, match="positive"):
        imagery.open(png, gsd_m=-1)


# -- bad files ----------------------------------------------------------------------------------------


def test_missing_and_empty_files(tmp_path: Path):
    with pytest.raises(ImageError, match="no such file"):
        imagery.open(tmp_path / "nope.tif")
    (tmp_path / "empty.tif").write_bytes(b"")
    with pytest.raises(ImageError, match="empty file") as err:
        imagery.open(tmp_path / "empty.tif")
    assert "empty.tif" in str(err.value)


def test_text_file_is_not_an_image(tmp_path: Path):
    p = tmp_path / "notes.tif"
    p.write_text("this is not a GeoTIFF\n" * 20)
    with pytest.raises(ImageError, match="not a readable image") as err:
        imagery.open(p)
    assert str(p) in str(err.value)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.02])
def test_truncated_tiff(tmp_path: Path, keep: float):
    good = utm_tif(tmp_path / "good.tif", size=(256, 256))
    raw = good.read_bytes()
    bad = tmp_path / "cut.tif"
    bad.write_bytes(raw[: int(len(raw) * keep)])
    with pytest.raises(ImageError, match="truncated|not a readable image") as err:
        imagery.open(bad)
    assert "cut.tif" in str(err.value)


def test_tiled_compressed_tiff_truncated(tmp_path: Path):
    good = utm_tif(tmp_path / "tiled.tif", size=(512, 512), tiled=True, blockxsize=128, blockysize=128,
                   compress="deflate")
    assert imagery.open(good).width == 512
    raw = good.read_bytes()
    bad = tmp_path / "tiled_cut.tif"
    bad.write_bytes(raw[: len(raw) - 2000])
    with pytest.raises(ImageError, match="truncated"):
        imagery.open(bad)


# -- acquisition time ---------------------------------------------------------------------------------


def test_time_from_tiff_tag(tmp_path: Path):
    s = imagery.open(utm_tif(tmp_path / "tagged.tif", tags={"TIFFTAG_DATETIME": "2023:10:05 02:15:00"}))
    assert s.acquired == datetime(2023, 10, 5, 2, 15, tzinfo=UTC) and s.time_source == "tag"


def test_vendor_tag_beats_tiff_datetime(tmp_path: Path):
    tags = {"TIFFTAG_DATETIME": "2024:01:01 00:00:00", "ACQUISITION_DATETIME": "2023-10-05T11:15:00+09:00"}
    s = imagery.open(utm_tif(tmp_path / "vendor.tif", tags=tags))
    assert s.acquired == datetime(2023, 10, 5, 2, 15, tzinfo=UTC)


def test_argument_beats_everything(tmp_path: Path):
    p = utm_tif(tmp_path / "20200101.tif", tags={"TIFFTAG_DATETIME": "2023:10:05 02:15:00"})
    s = imagery.open(p, time="2022-06-01T12:00:00")
    assert s.acquired == datetime(2022, 6, 1, 12, tzinfo=UTC) and s.time_source == "argument"
    with pytest.raises(InputError, match="--time"):
        imagery.open(p, time="last tuesday")


@pytest.mark.parametrize("sidecar_name", ["scene.tif.json", "scene.json"])
def test_time_from_stac_sidecar(tmp_path: Path, sidecar_name: str):
    p = utm_tif(tmp_path / "scene.tif")
    (tmp_path / sidecar_name).write_text(
        '{"type": "Feature", "stac_version": "1.0.0", "id": "x", "properties": '
        '{"datetime": "2023-10-05T02:15:00Z", "platform": "worldview-3", "eo:cloud_cover": 4.5}}'
    )
    s = imagery.open(p)
    assert s.acquired == datetime(2023, 10, 5, 2, 15, tzinfo=UTC) and s.time_source == "stac"
    assert s.source == "worldview-3" and s.cloud_cover == 4.5


def test_bad_stac_sidecar_names_the_sidecar(tmp_path: Path):
    p = utm_tif(tmp_path / "scene.tif")
    (tmp_path / "scene.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON") as err:
        imagery.open(p)
    assert "scene.json" in str(err.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tumangang_20231005T021500.tif", datetime(2023, 10, 5, 2, 15, tzinfo=UTC)),
        ("2023-10-05_tumangang.tif", datetime(2023, 10, 5, tzinfo=UTC)),
        ("WV3_20231005_P001.tif", datetime(2023, 10, 5, tzinfo=UTC)),
        ("scene.tif", None),
    ],
)
def test_time_from_file_name(tmp_path: Path, name: str, expected: datetime | None):
    s = imagery.open(utm_tif(tmp_path / name))
    assert s.acquired == expected
    assert s.time_source == ("filename" if expected else "unknown")


def test_gcp_georeferenced_tiff(tmp_path: Path):
    from rasterio.control import GroundControlPoint

    x, y = tumangang_utm()
    gcps = [GroundControlPoint(row=r, col=c, x=x + 0.5 * c, y=y - 0.5 * r) for r, c in
            [(0, 0), (0, 100), (80, 0), (80, 100)]]
    path = tmp_path / "gcps.tif"
    with rasterio.open(path, "w", driver="GTiff", width=100, height=80, count=1, dtype="uint8",
                       gcps=gcps, crs="EPSG:32652") as dst:
        dst.write(np.full((1, 80, 100), 9, dtype="uint8"))
    s = imagery.open(path)
    assert s.gsd_m == pytest.approx(0.5, rel=0.002)
    assert _utm_area_m2(s.footprint) == pytest.approx(100 * 80 * 0.25, rel=0.01)
