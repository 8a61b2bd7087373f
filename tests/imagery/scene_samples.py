"""Small images written on the fly for the scene tests: GeoTIFFs near Tumangang, PNGs with world files."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.errors
from affine import Affine
from pyproj import Transformer

TUMANGANG_LON, TUMANGANG_LAT = 130.6081, 42.4214


def tumangang_utm() -> tuple[float, float]:
    """Tumangang station in UTM 52N metres."""
    return Transformer.from_crs(4326, 32652, always_xy=True).transform(TUMANGANG_LON, TUMANGANG_LAT)


def write_tif(path: Path, data: np.ndarray, transform: Affine | None, crs: Any = None,
              nodata: float | None = None, tags: dict[str, str] | None = None, **profile: Any) -> Path:
    """Write `data` (bands, rows, cols) as a GeoTIFF."""
    bands, rows, cols = data.shape
    kw: dict[str, Any] = dict(driver="GTiff", width=cols, height=rows, count=bands, dtype=data.dtype)
    if transform is not None:
        kw["transform"] = transform
    if crs is not None:
        kw["crs"] = crs
    if nodata is not None:
        kw["nodata"] = nodata
    kw.update(profile)
    with rasterio.open(path, "w", **kw) as dst:
        dst.write(data)
        if tags:
            dst.update_tags(**tags)
    return path


def utm_tif(path: Path, gsd_m: float = 0.5, size: tuple[int, int] = (64, 96), bands: int = 3,
            dtype: str = "uint8", **kw: Any) -> Path:
    """A north-up GeoTIFF in EPSG:32652 centred on Tumangang station."""
    rows, cols = size
    x, y = tumangang_utm()
    t = Affine(gsd_m, 0, x - cols * gsd_m / 2, 0, -gsd_m, y + rows * gsd_m / 2)
    rng = np.random.default_rng(1)
    data = rng.integers(1, 200, size=(bands, rows, cols)).astype(dtype)
    return write_tif(path, data, t, "EPSG:32652", **kw)


def write_png(path: Path, size: tuple[int, int] = (40, 60)) -> Path:
    """A plain RGB PNG (no georeference)."""
    rows, cols = size
    data = np.random.default_rng(2).integers(0, 255, size=(3, rows, cols)).astype("uint8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="PNG", width=cols, height=rows, count=3, dtype="uint8") as dst:
            dst.write(data)
    for aux in path.parent.glob(path.name + ".aux.xml"):
        aux.unlink()
    return path


def write_world_file(path: Path, a: float, d: float, b: float, e: float, c: float, f: float) -> Path:
    """An ESRI world file: pixel size x, rotations, pixel size y, centre of the top-left pixel."""
    # world files give the centre of the upper-left pixel, not its corner
    cx, cy = c + a / 2 + b / 2, f + d / 2 + e / 2
    path.write_text("\n".join(f"{v:.12f}" for v in (a, d, b, e, cx, cy)) + "\n")
    return path
