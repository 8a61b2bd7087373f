"""Rail sites: the built-in catalog and GeoJSON / OSM import.

The catalog is package data, one GeoJSON FeatureCollection per site in `catalog/<id>.geojson`: a
Polygon feature with `role: "aoi"` carries the site's properties (id, name, countries, timezone,
description); LineString features are tracks (id `SITE/NAME`, gauge_mm 1520/1435/0 = dual gauge,
country, geometry_quality); Point features are landmarks (station, bridge-end, border) with the
track and chainage they lie at. The geometry is schematic, laid out by `railwatch.sites.schematic`
from the reference points; main lines run from North Korea towards Russia / China, and the main
tracks of neighbouring sites join end to end (Tumangang -> Friendship Bridge -> Khasan).
"""

from __future__ import annotations

from railwatch.sites.build import country_at
from railwatch.sites.catalog import catalog, find, load, names, overlapping, read_file
from railwatch.sites.geojson import from_geojson, read_geojson, to_geojson
from railwatch.sites.osm import read_osm

__all__ = [
    "catalog",
    "country_at",
    "find",
    "from_geojson",
    "load",
    "names",
    "overlapping",
    "read_file",
    "read_geojson",
    "read_osm",
    "to_geojson",
]
