"""Tracks to count on, from whatever the caller gave: Track records, a Site, or a TRACKS.geojson
(RFC 7946 LineStrings with an `id` property)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, shape

from railwatch.errors import TrackFileError
from railwatch.records import Site, Track


def load(tracks: Any) -> list[Track]:
    """A list of Track from Track records, a Site, or a path to a TRACKS.geojson."""
    if isinstance(tracks, Site):
        return list(tracks.tracks)
    if isinstance(tracks, Track):
        return [tracks]
    if isinstance(tracks, str | Path):
        return read(Path(tracks))
    if isinstance(tracks, list | tuple) and all(isinstance(t, Track) for t in tracks):
        return list(tracks)
    raise TrackFileError(f"cannot use {type(tracks).__name__} as tracks")


def read(path: Path) -> list[Track]:
    """Parse a TRACKS.geojson; any problem is a TrackFileError naming the file."""
    where = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrackFileError("no such file", path=where) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrackFileError(f"not valid GeoJSON ({exc})", path=where) from None
    if not isinstance(doc, dict):
        raise TrackFileError("not a GeoJSON object", path=where)
    feats = (
        doc.get("features")
        if doc.get("type") == "FeatureCollection"
        else [doc]
        if doc.get("type") == "Feature"
        else None
    )
    if not isinstance(feats, list):
        raise TrackFileError("expected a FeatureCollection of LineStrings", path=where)
    out: list[Track] = []
    for k, f in enumerate(feats):
        if not isinstance(f, dict) or not isinstance(f.get("geometry"), dict):
            raise TrackFileError(f"feature {k} has no geometry", path=where)
        props = f.get("properties") or {}
        tid = props.get("id", f.get("id"))
        if tid is None:
            raise TrackFileError(f"feature {k} has no 'id' property", path=where)
        try:
            geom = shape(f["geometry"])
        except Exception as exc:  # shapely raises several types for bad coordinates
            raise TrackFileError(f"feature {k} ({tid}): bad geometry ({exc})", path=where) from None
        if geom.geom_type == "MultiLineString":
            parts = list(geom.geoms)
        elif geom.geom_type == "LineString":
            parts = [geom]
        else:
            raise TrackFileError(f"feature {k} ({tid}) is a {geom.geom_type}, not a LineString", path=where)
        for j, part in enumerate(parts):
            if len(part.coords) < 2 or part.length == 0:
                raise TrackFileError(f"feature {k} ({tid}) has fewer than two distinct points", path=where)
            name = str(tid) if len(parts) == 1 else f"{tid}.{j + 1}"
            out.append(
                Track(
                    id=name,
                    line=LineString(part.coords),
                    site=props.get("site"),
                    gauge_mm=props.get("gauge_mm"),
                    country=props.get("country"),
                    name=props.get("name"),
                )
            )
    if not out:
        raise TrackFileError("holds no tracks", path=where)
    return out
