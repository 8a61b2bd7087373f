"""`railwatch ingest`: scenes linked to overlapping catalog sites, idempotent, and every bad input
as one stderr line, exit 2, nothing written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer

from railwatch import store

TUMANGANG = (130.6081, 42.4214)
SEOUL = (126.978, 37.566)


def _geotiff(path: Path, lonlat: tuple[float, float] = TUMANGANG, crs: str | None = "EPSG:32652",
             gsd_m: float = 0.5, size: int = 64) -> Path:
    """A small RGB GeoTIFF in UTM 52N centred on a lon/lat point."""
    x, y = Transformer.from_crs(4326, 32652, always_xy=True).transform(*lonlat)
    t = Affine(gsd_m, 0, x - size * gsd_m / 2, 0, -gsd_m, y + size * gsd_m / 2)
    rng = np.random.default_rng(sum(path.name.encode()))
    data = rng.integers(1, 255, (3, size, size)).astype("uint8")
    kw = dict(driver="GTiff", width=size, height=size, count=3, dtype="uint8", transform=t)
    if crs:
        kw["crs"] = crs
    with rasterio.open(path, "w", **kw) as dst:
        dst.write(data)
    return path


@pytest.fixture
def tif(tmp_path: Path) -> Path:
    return _geotiff(tmp_path / "tumangang_20231005T021500.tif")


def _scenes(db_url: str) -> int:
    if not db_url.startswith("sqlite"):
        s = store.open(db_url)
        try:
            return s.count("scene")
        finally:
            s.close()
    path = db_url.removeprefix("sqlite:///")
    if not Path(path).exists():
        return 0
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM scene").fetchone()[0]
    finally:
        con.close()


def _one_error_line(r, *needles: str) -> None:
    assert r.code == 2, (r.out, r.err)
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(lines) == 1, r.err
    assert lines[0].startswith("railwatch: error: ")
    for n in needles:
        assert n in lines[0]
    assert "Traceback" not in r.err


def test_ingest_links_overlapping_catalog_site(cli, db_url, tif):
    r = cli("ingest", tif, "--db", db_url, "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["errors"] == []
    (sc,) = out["scenes"]
    assert sc["created"] is True and sc["sites"] == ["tumangang"]
    assert sc["acquired"] == "2023-10-05T02:15:00+00:00" and sc["time_source"] == "filename"
    assert sc["gsd_m"] == pytest.approx(0.5, rel=0.002)
    db = store.open(db_url)
    scene = db.get_scene(sc["id"])
    assert scene.path == str(tif.resolve()) and db.scene_sites(sc["id"]) == ["tumangang"]
    assert [s.id for s in db.scenes("tumangang")] == [sc["id"]]
    assert "tumangang" in {s.id for s in db.sites()}  # catalog sites were put into the store
    db.close()


def test_same_file_twice_is_one_scene(cli, db_url, tif):
    first = json.loads(cli("ingest", tif, "--db", db_url, "--json").out)["scenes"][0]
    r = cli("ingest", tif, "--db", db_url, "--json")
    assert r.code == 0 and "already ingested" in r.err
    again = json.loads(r.out)["scenes"][0]
    assert again["id"] == first["id"] and again["created"] is False
    assert _scenes(db_url) == 1


def test_site_option_and_time_override(cli, db_url, tif):
    r = cli("ingest", tif, "--site", "tumangang", "--time", "2023-10-06T09:00:00+09:00", "--db", db_url,
            "--json")
    assert r.code == 0, r.err
    sc = json.loads(r.out)["scenes"][0]
    assert sc["sites"] == ["tumangang"] and sc["acquired"] == "2023-10-06T00:00:00+00:00"
    assert sc["time_source"] == "argument"


def test_site_option_must_overlap(cli, db_url, tif):
    _one_error_line(cli("ingest", tif, "--site", "khasan", "--db", db_url), str(tif), "khasan")
    assert _scenes(db_url) == 0


def test_unknown_site(cli, db_url, tif):
    _one_error_line(cli("ingest", tif, "--site", "atlantis", "--db", db_url), "atlantis")
    assert _scenes(db_url) == 0


def test_no_overlap(cli, db_url, tmp_path):
    p = _geotiff(tmp_path / "seoul.tif", lonlat=SEOUL)
    _one_error_line(cli("ingest", p, "--db", db_url), str(p), "overlaps no known site")
    assert _scenes(db_url) == 0


def test_corrupt_tiff(cli, db_url, tmp_path):
    good = _geotiff(tmp_path / "good.tif", size=256)
    bad = tmp_path / "cut.tif"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _one_error_line(cli("ingest", bad, "--db", db_url), str(bad))
    assert _scenes(db_url) == 0


def test_tiff_without_crs(cli, db_url, tmp_path):
    p = _geotiff(tmp_path / "nocrs.tif", crs=None)
    _one_error_line(cli("ingest", p, "--db", db_url), str(p), "--gsd")
    assert _scenes(db_url) == 0


def test_zero_size_and_non_image(cli, db_url, tmp_path):
    empty = tmp_path / "empty.tif"
    empty.write_bytes(b"")
    _one_error_line(cli("ingest", empty, "--db", db_url), str(empty), "empty")
    text = tmp_path / "readme.tif"
    text.write_text("hello\n" * 100)
    _one_error_line(cli("ingest", text, "--db", db_url), str(text), "not a readable image")
    missing = tmp_path / "missing.tif"
    _one_error_line(cli("ingest", missing, "--db", db_url), str(missing), "no such file")
    assert _scenes(db_url) == 0


def test_bad_time_option(cli, db_url, tif):
    _one_error_line(cli("ingest", tif, "--time", "soon", "--db", db_url), "--time")
    assert _scenes(db_url) == 0


def test_good_files_ingested_despite_bad_ones(cli, db_url, tmp_path, tif):
    bad = tmp_path / "bad.tif"
    bad.write_text("not an image")
    other = _geotiff(tmp_path / "khasan.tif", lonlat=(130.6449, 42.4300))
    r = cli("ingest", tif, bad, other, "--db", db_url, "--json")
    assert r.code == 2
    out = json.loads(r.out)
    assert [s["sites"] for s in out["scenes"]] == [["tumangang"], ["khasan"]]
    assert out["errors"] == [{"path": str(bad), "error": out["errors"][0]["error"]}]
    assert "not a readable image" in out["errors"][0]["error"]
    errors = [ln for ln in r.err.splitlines() if ln.startswith("railwatch: error:")]
    assert len(errors) == 1 and str(bad) in errors[0]
    assert _scenes(db_url) == 2


def test_site_from_file_is_stored(cli, db_url, tif, tmp_path):
    x0, y0 = TUMANGANG[0] - 0.002, TUMANGANG[1] - 0.002
    ring = [[x0, y0], [x0 + 0.004, y0], [x0 + 0.004, y0 + 0.004], [x0, y0 + 0.004], [x0, y0]]
    gj = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"role": "aoi", "id": "my-yard", "name": "My yard"},
             "geometry": {"type": "Polygon", "coordinates": [ring]}},
            {"type": "Feature", "properties": {"role": "track", "id": "my-yard/1"},
             "geometry": {"type": "LineString", "coordinates": [[x0 + 0.001, y0 + 0.002],
                                                                [x0 + 0.003, y0 + 0.002]]}},
        ],
    }
    site_file = tmp_path / "my_yard.geojson"
    site_file.write_text(json.dumps(gj))
    r = cli("ingest", tif, "--site", site_file, "--db", db_url, "--json")
    assert r.code == 0, r.err
    sc = json.loads(r.out)["scenes"][0]
    db = store.open(db_url)
    assert db.scene_sites(sc["id"]) == sc["sites"] and len(sc["sites"]) == 1
    assert db.get_site(sc["sites"][0]).name == "My yard"
    db.close()


def test_png_with_world_file(cli, db_url, tmp_path):
    png = tmp_path / "chip.png"
    with rasterio.open(png, "w", driver="PNG", width=50, height=40, count=3, dtype="uint8") as dst:
        dst.write(np.full((3, 40, 50), 90, dtype="uint8"))
    for aux in tmp_path.glob("chip.png.aux.xml"):
        aux.unlink()
    step = 5e-6
    (tmp_path / "chip.pgw").write_text(f"{step}\n0\n0\n{-step}\n{TUMANGANG[0]}\n{TUMANGANG[1]}\n")
    r = cli("ingest", png, "--db", db_url, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["scenes"][0]["sites"] == ["tumangang"]
    plain = tmp_path / "plain.png"
    png.rename(plain)
    _one_error_line(cli("ingest", plain, "--db", db_url), str(plain), "--gsd")
    # with --gsd it can be counted but not placed at a site
    _one_error_line(cli("ingest", plain, "--gsd", "0.4", "--db", db_url), str(plain), "cannot be placed")
    assert _scenes(db_url) == 1


def test_database_in_missing_folder(cli, tif, tmp_path):
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}"
    _one_error_line(cli("ingest", tif, "--db", url), "does not exist")
