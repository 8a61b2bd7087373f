"""Sites as RFC 7946 GeoJSON: read a FeatureCollection of tracks and landmarks, write one back.

Layout of a site file (what `to_geojson` writes and `read_geojson` reads):

* LineString features are tracks: properties `id` (generated as `track-N` when missing), `gauge_mm`,
  `country`, `kind`, `geometry_quality`, `name`. A MultiLineString gives one track per part.
* Point features are landmarks: `id`, `name`, `kind` (station, bridge-end, border, ...), `country`,
  and optionally `track` + `chainage_m`; a landmark without them is snapped to a track within 25 m.
* An optional Polygon feature with `role: "aoi"` is the area of interest and carries the site's
  properties: `id`, `name`, `countries`, `timezone`, `description`. Without it the AOI is the
  tracks' bounding rectangle grown by 150 m.

Track ids are prefixed by the site id (`tumangang/yard-3`) when the site id is given or the file
names one; a bare tracks file read without a site id keeps its ids as written. A legacy `crs`
member (e.g. EPSG:32652) is honoured by reprojecting to lon/lat.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import LineString, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from railwatch.errors import TrackFileError
from railwatch.geo import WGS84, reproject
from railwatch.records import Landmark, Site, Track
from railwatch.sites import build

PRECISION = 7
"""Decimal places written for lon/lat (about 1 cm)."""


def read_geojson(path: str | Path, site_id: str | None = None) -> Site:
    """Read a site (tracks, landmarks, optional AOI) from a GeoJSON file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrackFileError("no such file", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrackFileError(f"cannot read file: {exc}", path=str(p)) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrackFileError(f"malformed JSON: {exc.msg} at line {exc.lineno}", path=str(p)) from None
    return from_geojson(obj, site_id=site_id, source=str(p), default_id=build.slug(p.stem))


def _features(obj: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(obj, dict) or "type" not in obj:
        raise TrackFileError("not a GeoJSON object (no 'type' member)", path=source)
    kind = obj["type"]
    if kind == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list):
            raise TrackFileError("FeatureCollection has no 'features' list", path=source)
        return feats
    if kind == "Feature":
        return [obj]
    return [{"type": "Feature", "geometry": obj, "properties": {}}]


def _source_crs(obj: Any, source: str) -> CRS | None:
    """The CRS named by a legacy `crs` member, or None for lon/lat."""
    member = obj.get("crs") if isinstance(obj, dict) else None
    if not member:
        return None
    try:
        crs = CRS.from_user_input(member["properties"]["name"])
    except (KeyError, TypeError, CRSError) as exc:
        raise TrackFileError(f"unreadable 'crs' member: {exc}", path=source) from None
    return None if crs.is_geographic and crs.equals(WGS84, ignore_axis_order=True) else crs


def _geometry(feat: Any, crs: CRS | None, source: str, what: str) -> BaseGeometry | None:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        raise TrackFileError(f"{what} is not a GeoJSON Feature", path=source)
    geom = feat.get("geometry")
    if geom is None:
        return None
    if not isinstance(geom, dict) or "coordinates" not in geom and geom.get("type") != "GeometryCollection":
        raise TrackFileError(f"{what} has a malformed geometry", path=source)
    if crs is None:
        return _lonlat_shape(geom, source, what)
    try:
        g = shape(geom)
    except Exception as exc:  # shapely raises several types for bad coordinates
        raise TrackFileError(f"{what} has a malformed geometry: {exc}", path=source) from None
    return reproject(g, crs, WGS84)


def _lonlat_shape(geom: dict[str, Any], source: str, what: str) -> BaseGeometry:
    kind = geom.get("type")
    coords = geom.get("coordinates")
    if kind == "LineString":
        return build.line(_seq(coords, source, what), source, what)
    if kind == "MultiLineString":
        from shapely.geometry import MultiLineString

        return MultiLineString(
            [build.line(_seq(c, source, what), source, what) for c in _seq(coords, source, what)]
        )
    if kind == "Point":
        return build.point(coords, source, what)
    if kind in ("Polygon", "MultiPolygon", "MultiPoint"):
        try:
            g = shape(geom)
        except Exception as exc:
            raise TrackFileError(f"{what} has a malformed {kind}: {exc}", path=source) from None
        build.check_lonlat([c for c in _all_coords(g)], source, what)
        return g
    raise TrackFileError(f"{what} has unsupported geometry type {kind!r}", path=source)


def _seq(coords: Any, source: str, what: str) -> list[Any]:
    if not isinstance(coords, list):
        raise TrackFileError(f"{what}: 'coordinates' is not a list", path=source)
    return coords


def _all_coords(g: BaseGeometry) -> list[tuple[float, ...]]:
    import shapely

    return [tuple(c) for c in shapely.get_coordinates(g).tolist()]


def from_geojson(
    obj: Any, site_id: str | None = None, source: str = "<geojson>", default_id: str = "site"
) -> Site:
    """Build a Site from a parsed GeoJSON object (see the module docstring for the layout)."""
    crs = _source_crs(obj, source)
    feats = _features(obj, source)
    site_props: dict[str, Any] = {}
    aoi: Polygon | None = None
    raw_tracks: list[tuple[LineString, dict[str, Any]]] = []
    raw_marks: list[tuple[Point, dict[str, Any]]] = []
    for i, feat in enumerate(feats):
        what = f"feature {i}"
        geom = _geometry(feat, crs, source, what)
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise TrackFileError(f"{what}: 'properties' is not an object", path=source)
        if geom is None:
            continue
        if geom.geom_type == "LineString":
            raw_tracks.append((geom, props))
        elif geom.geom_type == "MultiLineString":
            base = props.get("id")
            for j, part in enumerate(geom.geoms, start=1):
                raw_tracks.append((part, {**props, "id": f"{base}-{j}" if base is not None else None}))
        elif geom.geom_type == "Point":
            raw_marks.append((geom, props))
        elif geom.geom_type == "Polygon" and (props.get("role") == "aoi" or aoi is None):
            aoi = geom
            site_props = props if props.get("role") == "aoi" else site_props
    if not raw_tracks:
        raise TrackFileError("no LineString tracks in the file", path=source)

    named_id = site_id or site_props.get("id")
    sid = str(named_id) if named_id else default_id

    def rename(item_id: str) -> str:
        """Prefix an id with the site id, swapping the file's own site prefix for a new one."""
        if not named_id:
            return item_id
        file_prefix = f"{site_props.get('id')}/"
        if site_props.get("id") and item_id.startswith(file_prefix):
            item_id = item_id[len(file_prefix) :]
        return build.prefixed(sid, item_id)

    tracks = _tracks(raw_tracks, rename, sid if named_id else None, source)
    marks = [_landmark(pt, props, sid, i) for i, (pt, props) in enumerate(raw_marks, start=1)]
    ids = {t.id for t in tracks}
    for lm in marks:
        if lm.track is not None:
            lm.track = rename(str(lm.track))
            if lm.track not in ids:
                raise TrackFileError(f"landmark {lm.id!r} names unknown track {lm.track!r}", path=source)
        build.snap(lm, tracks)
    countries = site_props.get("countries") or build.countries_of(tracks, marks)
    return Site(
        id=sid,
        name=str(site_props.get("name") or sid),
        aoi=aoi if aoi is not None else build.aoi(tracks, marks),
        countries=list(countries),
        tracks=tracks,
        landmarks=marks,
        timezone=str(site_props.get("timezone") or "UTC"),
        description=str(site_props.get("description") or ""),
    )


def _tracks(
    raw: list[tuple[LineString, dict[str, Any]]],
    rename: Callable[[str], str],
    site_id: str | None,
    source: str,
) -> list[Track]:
    tracks: list[Track] = []
    seen: set[str] = set()
    for n, (geom, props) in enumerate(raw, start=1):
        tid = rename(str(props["id"]) if props.get("id") is not None else f"track-{n}")
        if tid in seen:
            raise TrackFileError(f"duplicate track id {tid!r}", path=source)
        seen.add(tid)
        gauge = props.get("gauge_mm")
        tracks.append(
            Track(
                id=tid,
                line=geom,
                site=site_id,
                gauge_mm=int(gauge) if gauge is not None else None,
                country=props.get("country"),
                kind=str(props.get("kind") or "rail"),
                geometry_quality=str(props.get("geometry_quality") or "surveyed"),
                name=props.get("name"),
            )
        )
    return tracks


def _landmark(pt: Point, props: dict[str, Any], site_id: str, n: int) -> Landmark:
    chain = props.get("chainage_m")
    return Landmark(
        id=str(props.get("id") or f"landmark-{n}"),
        name=str(props.get("name") or props.get("id") or f"landmark {n}"),
        kind=str(props.get("kind") or "landmark"),
        point=pt,
        site=site_id,
        country=props.get("country"),
        track=props.get("track"),
        chainage_m=float(chain) if chain is not None else None,
    )


def _round(geom: BaseGeometry) -> dict[str, Any]:
    import shapely

    return mapping(shapely.set_precision(geom, 10.0**-PRECISION, mode="pointwise"))


def to_geojson(site: Site) -> dict[str, Any]:
    """The site as an RFC 7946 FeatureCollection that `read_geojson` reads back unchanged."""
    feats: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": _round(site.aoi),
            "properties": {
                "role": "aoi",
                "id": site.id,
                "name": site.name,
                "countries": list(site.countries),
                "timezone": site.timezone,
                "description": site.description,
            },
        }
    ]
    for t in site.tracks:
        props = {
            "role": "track",
            "id": t.id,
            "name": t.name,
            "kind": t.kind,
            "gauge_mm": t.gauge_mm,
            "country": t.country,
            "geometry_quality": t.geometry_quality,
            "length_m": round(t.length_m, 1),
        }
        feats.append({"type": "Feature", "geometry": _round(t.line), "properties": props})
    for lm in site.landmarks:
        props = {
            "role": "landmark",
            "id": lm.id,
            "name": lm.name,
            "kind": lm.kind,
            "country": lm.country,
            "track": lm.track,
            "chainage_m": None if lm.chainage_m is None else round(lm.chainage_m, 2),
        }
        feats.append({"type": "Feature", "geometry": _round(lm.point), "properties": props})
    return {"type": "FeatureCollection", "features": feats}
