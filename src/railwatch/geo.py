"""Small geodesy helpers shared by every stage: the local UTM zone, metres along a line (chainage),
and lon/lat <-> metric projection. Records hold lon/lat; metres come from here."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

WGS84 = CRS.from_epsg(4326)
_GEOD = Geod(ellps="WGS84")


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 UTM zone that holds (lon, lat)."""
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS84 UTM CRS for (lon, lat): the metric frame railwatch renders and measures in."""
    return CRS.from_epsg(utm_epsg(lon, lat))


@lru_cache(maxsize=64)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


WKT_KEPT = 64
"""CRS objects whose WKT is kept (a count asks for the same two or three frames a dozen times)."""
_wkts: dict[int, tuple[object, str]] = {}


def _wkt(crs: CRS | str | int) -> str:
    """WKT of a CRS given in any form pyproj takes, kept per object (keyed by id, the entry holding the
    object so the key cannot be reused while kept): to_wkt costs ~0.3 ms a call."""
    hit = _wkts.get(id(crs))
    if hit is not None and hit[0] is crs:
        return hit[1]
    wkt = CRS.from_user_input(crs).to_wkt()
    if len(_wkts) >= WKT_KEPT:
        _wkts.pop(next(iter(_wkts)), None)
    _wkts[id(crs)] = (crs, wkt)
    return wkt


def transformer(src: CRS | str | int, dst: CRS | str | int) -> Transformer:
    """A cached always_xy transformer between two CRSs."""
    return _transformer(_wkt(src), _wkt(dst))


def reproject(geom: BaseGeometry, src: CRS | str | int, dst: CRS | str | int) -> BaseGeometry:
    """Reproject a shapely geometry between CRSs (x=lon/easting first), all vertices in one call."""
    t = transformer(src, dst)

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _xy)


def to_utm(geom: BaseGeometry) -> tuple[BaseGeometry, CRS]:
    """Project a lon/lat geometry into the UTM zone of its centroid; returns (geometry, crs)."""
    c = geom.centroid
    crs = utm_crs(c.x, c.y)
    return reproject(geom, WGS84, crs), crs


def line_length_m(line: LineString) -> float:
    """Geodesic length in metres of a lon/lat LineString."""
    return float(_GEOD.geometry_length(line))


def distance_m(a: Point, b: Point) -> float:
    """Geodesic distance in metres between two lon/lat points."""
    _, _, d = _GEOD.inv(a.x, a.y, b.x, b.y)
    return float(d)


def chainage_m(line: LineString, point: Point) -> float:
    """Metres along a lon/lat line from its first vertex to the point's projection on it."""
    line_m, crs = to_utm(line)
    pt_m = reproject(point, WGS84, crs)
    return float(line_m.project(pt_m))


def point_at(line: LineString, chainage: float) -> Point:
    """The lon/lat point at a chainage (metres from the first vertex) on a lon/lat line."""
    line_m, crs = to_utm(line)
    p = line_m.interpolate(chainage)
    return reproject(p, crs, WGS84)
