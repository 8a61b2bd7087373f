"""Helpers every site reader shares: coordinate checks, site-prefixed ids, AOIs with a margin, and
landmarks snapped to the track they lie on (track + chainage), so readers stay small."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import unary_union

from railwatch.errors import TrackFileError
from railwatch.geo import WGS84, chainage_m, reproject, to_utm
from railwatch.records import Landmark, Site, Track

AOI_MARGIN_M = 150.0
"""How far an AOI reaches beyond the tracks and landmarks it encloses."""

SNAP_TOLERANCE_M = 25.0
"""A landmark this close to a track is placed on it (track id + chainage)."""

TIMEZONES: dict[str, str] = {"KP": "Asia/Pyongyang", "RU": "Asia/Vladivostok", "CN": "Asia/Shanghai"}
"""IANA timezone of each country the built-in sites touch."""


def check_lonlat(coords: Sequence[Sequence[float]], path: str, what: str) -> list[tuple[float, float]]:
    """Validate lon/lat pairs (finite, in range) and return them as float tuples; name the file on error."""
    out: list[tuple[float, float]] = []
    for c in coords:
        if not isinstance(c, (list, tuple)) or len(c) < 2:
            raise TrackFileError(f"{what}: a position is not a [lon, lat] pair: {c!r}", path=path)
        try:
            lon, lat = float(c[0]), float(c[1])
        except (TypeError, ValueError):
            raise TrackFileError(f"{what}: a coordinate is not a number: {c!r}", path=path) from None
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise TrackFileError(f"{what}: non-finite coordinate ({c[0]}, {c[1]})", path=path)
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise TrackFileError(
                f"{what}: coordinate ({lon:g}, {lat:g}) is outside lon/lat range; "
                "probably a projected file (RFC 7946 GeoJSON is lon/lat, EPSG:4326)",
                path=path,
            )
        out.append((lon, lat))
    return out


def line(coords: Sequence[Sequence[float]], path: str, what: str) -> LineString:
    """A lon/lat LineString from positions, checked: at least 2 distinct points, finite, in range."""
    pts = check_lonlat(coords, path, what)
    if len(pts) < 2:
        raise TrackFileError(f"{what}: a track needs at least 2 points, got {len(pts)}", path=path)
    if len(set(pts)) < 2:
        raise TrackFileError(f"{what}: a track has zero length (all points equal)", path=path)
    return LineString(pts)


def slug(text: str) -> str:
    """A lower-case id made of letters, digits and dashes (for site ids taken from file names)."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "site"


def prefixed(site_id: str, item_id: str) -> str:
    """`site/item`, unless the id already carries that prefix (so files round-trip)."""
    return item_id if item_id.startswith(f"{site_id}/") else f"{site_id}/{item_id}"


def aoi(
    tracks: Iterable[Track], landmarks: Iterable[Landmark] = (), margin_m: float = AOI_MARGIN_M
) -> Polygon:
    """The smallest rotated rectangle enclosing tracks and landmarks grown by `margin_m` (lon/lat)."""
    geoms = [t.line for t in tracks] + [lm.point for lm in landmarks]
    union = unary_union(geoms)
    union_m, crs = to_utm(union)
    rect = shapely.minimum_rotated_rectangle(union_m.buffer(margin_m))
    return reproject(rect, crs, WGS84)


def snap(landmark: Landmark, tracks: Sequence[Track], tolerance_m: float = SNAP_TOLERANCE_M) -> Landmark:
    """Put a landmark on the nearest track within `tolerance_m` (sets track and chainage_m)."""
    if landmark.track is not None or not tracks:
        return landmark
    p, crs = to_utm(landmark.point)
    best: tuple[float, Track] | None = None
    for t in tracks:
        d = reproject(t.line, WGS84, crs).distance(p)
        if best is None or d < best[0]:
            best = (d, t)
    if best is not None and best[0] <= tolerance_m:
        landmark.track = best[1].id
        landmark.chainage_m = round(chainage_m(best[1].line, landmark.point), 2)
    return landmark


def countries_of(tracks: Iterable[Track], landmarks: Iterable[Landmark]) -> list[str]:
    """Sorted distinct countries named by tracks and landmarks."""
    found = {t.country for t in tracks} | {lm.country for lm in landmarks}
    return sorted(c for c in found if c)


def country_at(site: Site, track_id: str, chainage: float) -> str | None:
    """The country at a chainage on a track: the track's own, or for a track that crosses a border,
    the country of the landmarks on the same side of its border point(s)."""
    track = site.track(track_id)
    if track.country:
        return track.country
    on_track = [lm for lm in site.landmarks if lm.track == track_id and lm.chainage_m is not None]
    borders = sorted(lm.chainage_m for lm in on_track if lm.kind == "border")  # type: ignore[misc]

    def side(x: float) -> int:
        return sum(1 for b in borders if x > b)

    for lm in on_track:
        if lm.kind != "border" and lm.country and side(lm.chainage_m) == side(chainage):  # type: ignore[arg-type]
            return lm.country
    return None


def point(coords: Sequence[float], path: str, what: str) -> Point:
    """A lon/lat Point from one position, checked."""
    (lon, lat) = check_lonlat([coords], path, what)[0]
    return Point(lon, lat)
