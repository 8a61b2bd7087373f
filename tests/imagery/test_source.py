"""Remote images: URLs and /vsi paths are opened, counted and chipped through GDAL range requests,
served here by a real HTTP server on localhost that honours Range headers and tallies the bytes sent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from shapely.geometry import LineString

import railwatch
from railwatch import imagery
from railwatch.errors import ImageError
from railwatch.imagery import source
from railwatch.records import Track

SIZE_PX = 2048
GSD_M = 0.5
_CX, _CY = Transformer.from_crs("EPSG:4326", "EPSG:32652", always_xy=True).transform(130.6081, 42.4214)
X0, Y0 = round(_CX) - 512.0, round(_CY) + 512.0  # UTM 52N, the scene centred on Tumangang


def test_gdal_paths():
    assert source.gdal_path("https://h.example/a/x.tif") == "/vsicurl/https://h.example/a/x.tif"
    assert source.gdal_path("http://h/x.tif") == "/vsicurl/http://h/x.tif"
    assert source.gdal_path("s3://bucket/k/x.tif") == "/vsis3/bucket/k/x.tif"
    assert source.gdal_path("gs://bucket/x.tif") == "/vsigs/bucket/x.tif"
    assert source.gdal_path("/vsizip/a.zip/x.tif") == "/vsizip/a.zip/x.tif"
    assert source.gdal_path("~/x.tif") == str(Path.home() / "x.tif")
    assert source.is_remote("https://h/x.tif") and source.is_remote("/vsizip/a.zip/x.tif")
    assert not source.is_remote("/data/x.tif") and not source.is_remote("x.tif")


class _Sent:
    """Bytes the server has sent so far (read from its log)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def total(self) -> int:
        return sum(int(x) for x in self.log.read_text().split()) if self.log.exists() else 0

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture
def served(tmp_path, monkeypatch):
    """(base URL, folder it serves, bytes sent); the server is a separate process."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    folder = tmp_path / "www"
    folder.mkdir()
    log = tmp_path / "sent.log"
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("range_server.py")), str(folder),
                             str(log)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}", folder, _Sent(log)
    finally:
        proc.terminate()
        proc.wait(10)


def _cog(path: Path, overviews: bool = True) -> Path:
    """A 2048 px square tiled GeoTIFF of noise (incompressible, so bytes sent measure what was read)
    with dark 15 m blocks along row 1000, with overviews like a COG (or without)."""
    rng = np.random.default_rng(5)
    img = rng.integers(90, 170, size=(3, SIZE_PX, SIZE_PX), dtype=np.uint8)
    for k in range(6):
        c0 = 200 + k * 32
        img[:, 994:1006, c0:c0 + 30] = 40
    with rasterio.open(path, "w", driver="GTiff", width=SIZE_PX, height=SIZE_PX, count=3, dtype="uint8",
                       crs="EPSG:32652", transform=from_origin(X0, Y0, GSD_M, GSD_M), tiled=True,
                       blockxsize=256, blockysize=256) as ds:
        ds.write(img)
        if overviews:
            ds.build_overviews([2, 4, 8], rasterio.enums.Resampling.average)
    return path


def _track() -> list[Track]:
    y = Y0 - 1000.5 * GSD_M
    line = LineString([(X0 + 80, y), (X0 + 220, y)])
    to_ll = Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
    return [Track(id="t1", line=LineString([to_ll.transform(*xy) for xy in line.coords]), site="s")]


def test_remote_scene_matches_local(served):
    base, folder, sent = served
    local = _cog(folder / "scene_20240301.tif")
    url = f"{base}/scene_20240301.tif"
    near, far = imagery.open(local), imagery.open(url)
    assert far.path == url and near.path == str(local.resolve())
    assert far.gsd_m == pytest.approx(near.gsd_m) and far.footprint.equals_exact(near.footprint, 1e-9)
    assert far.acquired == near.acquired  # from the file name in the URL
    assert far.sha256 == imagery.open(url).sha256 != near.sha256  # a stable fingerprint, not the file hash
    assert sent.total() < os.path.getsize(local) / 4  # header, a decimated sample and the last block


def test_remote_scene_without_overviews_is_not_downloaded(served):
    base, folder, sent = served
    local = _cog(folder / "plain.tif", overviews=False)
    scene = imagery.open(f"{base}/plain.tif")
    assert scene.width == SIZE_PX and sent.total() < os.path.getsize(local) / 10


def test_remote_count_reads_only_the_corridor(served):
    base, folder, sent = served
    local = _cog(folder / "scene.tif")
    near = railwatch.count(str(local), tracks=_track())
    sent.clear()
    far = railwatch.count(f"{base}/scene.tif", tracks=_track())
    near_doc, far_doc = near.to_dict(), far.to_dict()
    assert far_doc.pop("image") == f"{base}/scene.tif" and near_doc.pop("image") == str(local)
    assert far_doc == near_doc and far.tracks[0].coverage > 0.9
    assert 0 < sent.total() < os.path.getsize(local) / 10


def test_remote_errors_are_one_line(served):
    base, _, _ = served
    with pytest.raises(ImageError) as exc:
        imagery.open(f"{base}/missing.tif")
    assert "not a readable image" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(ImageError):
        railwatch.count(f"{base}/missing.tif", tracks=_track())


def test_vsizip_path(tmp_path):
    import zipfile

    tif = _cog(tmp_path / "inside.tif")
    with zipfile.ZipFile(tmp_path / "a.zip", "w", compression=zipfile.ZIP_STORED) as z:
        z.write(tif, "inside.tif")
    scene = imagery.open(f"/vsizip/{tmp_path / 'a.zip'}/inside.tif")
    local = imagery.open(tif)
    assert scene.width == SIZE_PX and scene.gsd_m == local.gsd_m and scene.footprint.equals(local.footprint)


def test_cli_ingest_and_count_a_url(served, cli, db_url, tmp_path):
    import json

    base, folder, _ = served
    _cog(folder / "tumangang_20231005T0215Z.tif")
    url = f"{base}/tumangang_20231005T0215Z.tif"
    first = cli("ingest", url, "--db", db_url, "--json")
    assert first.code == 0, first.err
    (sc,) = json.loads(first.out)["scenes"]
    assert sc["created"] and sc["sites"] == ["tumangang"] and sc["path"] == url
    again = cli("ingest", url, "--db", db_url, "--json")
    assert again.code == 0 and json.loads(again.out)["scenes"][0]["created"] is False
    tracks = tmp_path / "tracks.geojson"
    line = _track()[0].line
    tracks.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "t1"}, "geometry": line.__geo_interface__}]}))
    r = cli("count", url, "--tracks", str(tracks), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["image"] == url
    missing = cli("count", f"{base}/nope.tif", "--tracks", str(tracks))
    assert missing.code == 2 and len(missing.err.strip().splitlines()) == 1
