"""The built-in site catalog: one GeoJSON file per site in `railwatch/sites/catalog/` (package data),
looked up by id, or a user file (GeoJSON, OSM XML, Overpass JSON) looked up by path."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from shapely.geometry import Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from railwatch.errors import SiteNotFound, TrackFileError
from railwatch.records import Site
from railwatch.sites.geojson import from_geojson, read_geojson
from railwatch.sites.osm import read_osm

_SUFFIXES = (".geojson", ".json", ".osm", ".xml")


def _catalog_dir() -> Any:
    return resources.files("railwatch.sites") / "catalog"


@cache
def names() -> list[str]:
    """Ids of the built-in sites, sorted."""
    return sorted(p.name[: -len(".geojson")] for p in _catalog_dir().iterdir() if p.name.endswith(".geojson"))


@cache
def _catalog_json(site_id: str) -> str:
    return (_catalog_dir() / f"{site_id}.geojson").read_text(encoding="utf-8")


def _builtin(site_id: str) -> Site:
    return from_geojson(json.loads(_catalog_json(site_id)), source=f"catalog/{site_id}.geojson")


def catalog() -> list[Site]:
    """Every built-in site (fresh objects: callers may change them)."""
    return [_builtin(n) for n in names()]


def load(name_or_path: str | Path) -> Site:
    """A built-in site by id, or a site read from a GeoJSON / OSM XML / Overpass JSON file."""
    text = str(name_or_path)
    if text in names():
        return _builtin(text)
    p = Path(text)
    if p.is_file():
        return read_file(p)
    if p.suffix.lower() in _SUFFIXES or "/" in text or "\\" in text:
        raise TrackFileError("no such file", path=text)
    raise SiteNotFound(f"unknown site {text!r}; built-in sites: {', '.join(names())}")


def read_file(path: str | Path, site_id: str | None = None) -> Site:
    """Read a site file, choosing the reader by content: OSM XML, Overpass JSON, or GeoJSON."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            head = f.read(4096).lstrip()
    except FileNotFoundError:
        raise TrackFileError("no such file", path=str(p)) from None
    except OSError as exc:
        raise TrackFileError(f"cannot read file: {exc}", path=str(p)) from None
    if head[:1] == b"<" or (head[:1] == b"{" and b'"elements"' in head):
        return read_osm(p, site_id=site_id)
    return read_geojson(p, site_id=site_id)


def _as_polygon(area: BaseGeometry | dict[str, Any] | list[Any]) -> BaseGeometry:
    if isinstance(area, BaseGeometry):
        return area
    if isinstance(area, dict):
        return shape(area)
    return Polygon(area)


def find(lon: float, lat: float) -> list[Site]:
    """Built-in sites whose AOI contains the point (lon, lat)."""
    pt = Point(lon, lat)
    return [s for s in catalog() if s.aoi.intersects(pt)]


def overlapping(polygon_lonlat: BaseGeometry | dict[str, Any] | list[Any]) -> list[Site]:
    """Built-in sites whose AOI overlaps a lon/lat polygon (shapely, GeoJSON dict, or ring of pairs)."""
    area = _as_polygon(polygon_lonlat)
    return [s for s in catalog() if s.aoi.intersects(area)]
