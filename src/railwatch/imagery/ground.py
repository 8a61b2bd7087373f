"""Ground geometry of a raster: pixel size in metres whatever the CRS, and the lon/lat footprint."""

from __future__ import annotations

import numpy as np
from affine import Affine
from pyproj import CRS, Geod
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from railwatch.geo import WGS84, transformer

_GEOD = Geod(ellps="WGS84")


def pixel_size_m(transform: Affine, crs: CRS | str, width: int, height: int) -> tuple[float, float]:
    """Ground size in metres of one pixel step along columns and along rows, at the image centre.
    Geodesic, so it is right for degrees, for Web Mercator (no cos(lat) slip) and rotated transforms."""
    to_ll = transformer(crs, WGS84)
    col, row = width / 2.0, height / 2.0
    pts = [transform @ (col, row), transform @ (col + 1, row), transform @ (col, row + 1)]
    lons, lats = to_ll.transform([p[0] for p in pts], [p[1] for p in pts])
    _, _, dx = _GEOD.inv(lons[0], lats[0], lons[1], lats[1])
    _, _, dy = _GEOD.inv(lons[0], lats[0], lons[2], lats[2])
    return float(dx), float(dy)


def gsd_m(transform: Affine, crs: CRS | str, width: int, height: int) -> float:
    """Ground sample distance in metres: the mean of the column and row pixel sizes."""
    dx, dy = pixel_size_m(transform, crs, width, height)
    return (dx + dy) / 2.0


def outline(width: int, height: int, points_per_edge: int = 16) -> np.ndarray:
    """The image border in pixel coordinates (col, row), densified, closed, counter-clockwise."""
    t = np.linspace(0.0, 1.0, points_per_edge, endpoint=False)
    top = np.c_[t * width, np.zeros_like(t)]
    right = np.c_[np.full_like(t, width), t * height]
    bottom = np.c_[(1 - t) * width, np.full_like(t, height)]
    left = np.c_[np.zeros_like(t), (1 - t) * height]
    return np.vstack([top, right, bottom, left])


def footprint(transform: Affine, crs: CRS | str, width: int, height: int,
              points_per_edge: int = 16) -> Polygon:
    """The image outline as a lon/lat polygon (densified, so curved edges after reprojection hold)."""
    px = outline(width, height, points_per_edge)
    a, b, c, d, e, f = transform.a, transform.b, transform.c, transform.d, transform.e, transform.f
    xs = a * px[:, 0] + b * px[:, 1] + c
    ys = d * px[:, 0] + e * px[:, 1] + f
    lons, lats = transformer(crs, WGS84).transform(xs, ys)
    poly = Polygon(np.c_[lons, lats])
    if not poly.is_valid:
        poly = poly.buffer(0)
    return orient(poly, 1.0)
