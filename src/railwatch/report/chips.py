"""Evidence chips: a windowed read of a scene around some cars, with their outlines drawn on it.
Shared by the report (matplotlib figure) and the server (a plain PNG)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from PIL import Image, ImageDraw
from pyproj import Transformer
from rasterio.windows import Window, from_bounds
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform as shp_transform

from railwatch.errors import ImageError, InputError
from railwatch.imagery import source

TYPE_COLORS: dict[str, str] = {
    "locomotive": "#e41a1c",
    "boxcar": "#377eb8",
    "tank": "#4daf4a",
    "flat": "#984ea3",
    "container": "#ff7f00",
    "gondola": "#a65628",
    "covered": "#f781bf",
    "passenger": "#ffff33",
    "unknown": "#999999",
}
"""One outline colour per car type, the same in report, API and dashboard."""


@dataclass
class Chip:
    """RGB pixels read around some geometry, and how to map lon/lat onto them."""

    rgb: np.ndarray  # (rows, cols, 3) uint8
    to_pixel: Transformer  # lon/lat -> scene CRS
    transform: rasterio.Affine  # window transform (scene CRS -> pixel)
    gsd_m: float

    def pixels(self, geom: BaseGeometry) -> BaseGeometry:
        """A lon/lat geometry in this chip's (col, row) pixel coordinates."""
        inv = ~self.transform
        return shp_transform(lambda x, y, z=None: inv * self.to_pixel.transform(x, y), geom)


def _to_uint8(band: np.ndarray) -> np.ndarray:
    if band.dtype == np.uint8:
        return band
    valid = band[np.isfinite(band)] if band.dtype.kind == "f" else band
    lo, hi = (np.percentile(valid, [2, 98]) if valid.size else (0, 1))
    scaled = (band.astype("float64") - lo) / max(hi - lo, 1e-9)
    return (np.clip(np.nan_to_num(scaled), 0, 1) * 255).astype(np.uint8)


def read(scene_path: str | Path, geom: BaseGeometry, margin_m: float = 25.0, max_px: int = 1200) -> Chip:
    """Read the scene window around a lon/lat geometry (plus a margin), as 8-bit RGB."""
    with source.env(scene_path):
        return _read(scene_path, geom, margin_m, max_px)


def _read(scene_path: str | Path, geom: BaseGeometry, margin_m: float, max_px: int) -> Chip:
    try:
        ds = rasterio.open(source.gdal_path(scene_path))
    except (rasterio.errors.RasterioIOError, OSError) as exc:
        raise ImageError(f"cannot open scene: {exc}", path=str(scene_path)) from None
    with ds:
        if ds.crs is None:
            raise InputError("scene has no CRS: cannot place cars on it", path=str(scene_path))
        to_scene = Transformer.from_crs("EPSG:4326", ds.crs, always_xy=True)
        minx, miny, maxx, maxy = shp_transform(to_scene.transform, geom).bounds
        gsd = abs(ds.transform.a)
        margin = margin_m if ds.crs.is_projected else margin_m / 111_320.0
        win = from_bounds(minx - margin, miny - margin, maxx + margin, maxy + margin, ds.transform)
        win = win.round_offsets().round_lengths()
        full = Window(0, 0, ds.width, ds.height)
        try:
            win = win.intersection(full)
        except rasterio.errors.WindowError:
            raise InputError("the cars lie outside the scene", path=str(scene_path)) from None
        step = max(1, int(np.ceil(max(win.width, win.height) / max_px)))
        shape = (max(1, int(win.height // step)), max(1, int(win.width // step)))
        bands = [1, 2, 3] if ds.count >= 3 else [1, 1, 1]
        data = ds.read(bands, window=win, out_shape=(3, *shape))
        wt = ds.window_transform(win) * rasterio.Affine.scale(win.width / shape[1], win.height / shape[0])
    rgb = np.dstack([_to_uint8(b) for b in data])
    return Chip(rgb, to_scene, wt, gsd * step if ds.crs.is_projected else gsd * 111_320.0 * step)


def png(scene_path: str | Path, cars: list, highlight: int | None = None, margin_m: float = 25.0) -> bytes:
    """A PNG chip of the cars (each with a lon/lat `footprint`) outlined in their type colour."""
    from shapely.geometry import MultiPolygon

    polys = [c.footprint for c in cars if c.footprint is not None]
    if not polys:
        raise InputError("no car footprints to draw")
    focus = polys[highlight] if highlight is not None else MultiPolygon(polys)
    chip = read(scene_path, focus, margin_m=margin_m)
    img = Image.fromarray(chip.rgb).resize((chip.rgb.shape[1] * 2, chip.rgb.shape[0] * 2), Image.NEAREST)
    draw = ImageDraw.Draw(img)
    for k, c in enumerate(cars):
        if c.footprint is None:
            continue
        ring = chip.pixels(c.footprint).exterior.coords
        width = 4 if k == highlight else 2
        draw.line([(x * 2, y * 2) for x, y in ring], fill=TYPE_COLORS.get(c.type, "#999999"), width=width)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
