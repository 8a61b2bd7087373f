"""Records as JSON / GeoJSON for the API (lon/lat, RFC 7946)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from typing import Any

import shapely
from shapely.geometry import mapping

from railwatch.records import Car, Movement, Observation, Scene, Site


def geometry(geom: shapely.Geometry) -> dict[str, Any]:
    """A shapely geometry as a GeoJSON dict, through GEOS's writer (2-3x faster than `mapping` on
    the 1,000-item pages)."""
    return json.loads(shapely.to_geojson(geom))


def site_summary(site: Site) -> dict[str, Any]:
    """One line per site for the site list."""
    return {
        "id": site.id, "name": site.name, "countries": site.countries, "timezone": site.timezone,
        "tracks": len(site.tracks), "landmarks": len(site.landmarks), "bbox": list(site.aoi.bounds),
    }


def site_features(site: Site) -> dict[str, Any]:
    """A site's tracks and landmarks as one FeatureCollection."""
    feats = [
        {"type": "Feature", "id": t.id, "geometry": mapping(t.line),
         "properties": {"kind": "track", "id": t.id, "name": t.name, "country": t.country,
                        "length_m": round(t.length_m, 1)}}
        for t in site.tracks
    ] + [
        {"type": "Feature", "id": lm.id, "geometry": mapping(lm.point),
         "properties": {"kind": "landmark", "id": lm.id, "name": lm.name, "landmark": lm.kind,
                        "track": lm.track, "chainage_m": lm.chainage_m}}
        for lm in site.landmarks
    ]
    return {"type": "FeatureCollection", "features": feats,
            "properties": site_summary(site) | {"aoi": mapping(site.aoi)}}


def scene_dict(scene: Scene, sites: list[str] | None = None) -> dict[str, Any]:
    """A scene, named by file name only: the server never hands out (or takes) paths."""
    return {
        "id": scene.id, "name": os.path.basename(scene.path), "sha256": scene.sha256,
        "acquired": scene.acquired.isoformat() if scene.acquired else None, "gsd_m": scene.gsd_m,
        "crs": scene.crs, "width": scene.width, "height": scene.height, "source": scene.source,
        "time_source": scene.time_source, "cloud_cover": scene.cloud_cover,
        "footprint": geometry(scene.footprint) if scene.footprint is not None else None,
        "sites": sites,
    }


def observation_dict(o: Observation) -> dict[str, Any]:
    """An observation without its cars (those are at /api/cars)."""
    return {
        "id": o.id, "site": o.site, "track": o.track, "acquired": o.acquired.isoformat(),
        "scene_id": o.scene_id, "coverage": o.coverage, "cars": o.cars, "cars_low": o.cars_low,
        "cars_high": o.cars_high, "locomotives": o.locomotives, "by_type": o.by_type, "gsd_m": o.gsd_m,
        # each type's 90 % interval (`detect.bytype`); null where types were not read (coarse GSD, older rows)
        "by_type_low": o.by_type_low, "by_type_high": o.by_type_high,
    }


def car_feature(o: Observation, k: int, c: Car) -> dict[str, Any]:
    """One car footprint as a Feature; its id is `OBSERVATION-INDEX` (k: its index in o's cars)."""
    cid = f"{o.id}-{k}"
    props = c.to_dict() | {
        "id": cid, "site": o.site, "scene_id": o.scene_id, "acquired": o.acquired.isoformat(),
        "chainage_m": round((c.start_m + c.end_m) / 2, 1), "length_m": round(c.length_m, 2),
    }
    return {"type": "Feature", "id": cid, "geometry": geometry(c.footprint), "properties": props}


def car_features(observations: list[Observation]) -> dict[str, Any]:
    """Every car footprint of these observations (`car_feature` each)."""
    feats = [car_feature(o, k, c) for o in observations for k, c in enumerate(o.car_list)
             if c.footprint is not None]
    return {"type": "FeatureCollection", "features": feats}


def movement_dict(m: Movement) -> dict[str, Any]:
    """A movement as JSON (shared with `railwatch movements --json`)."""
    from railwatch.movement.follow import movement_dict as md

    return md(m)


def plain(obj: Any) -> dict[str, Any]:
    """A dataclass record as a JSON-ready dict."""
    return asdict(obj)
