"""The ground-truth file beside every simulated scene (`<scene>.truth.geojson`): one RFC 7946 Polygon
feature per car plus a top-level `railwatch` member with the scene's conditions. The detector's tests and
bench read it back with `read`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape

from railwatch.errors import InputError
from railwatch.records import CAR_TYPES, Car


@dataclass
class TruthCar(Car):
    """A true car: a Car plus what the detector cannot know directly."""

    locomotive: bool = False
    occluded: float = 0.0
    consist: str = ""


@dataclass
class Truth:
    """All true cars of one scene and the scene's conditions (`meta` = the `railwatch` member)."""

    cars: list[TruthCar] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def railcars(self) -> list[TruthCar]:
        return [c for c in self.cars if not c.locomotive]

    def count(self, track: str | None = None, visible_only: bool = False) -> int:
        """Railcars (locomotives excluded), on one track or all, optionally only those mostly cloud-free."""
        return sum(
            1
            for c in self.railcars
            if (track is None or c.track == track) and (not visible_only or c.occluded < 0.5)
        )


def truth_path(scene_path: str | Path) -> Path:
    """Where the truth of a scene lives: `scene.tif` -> `scene.truth.geojson`."""
    return Path(scene_path).with_suffix(".truth.geojson")


def write(path: str | Path, cars: list[TruthCar], meta: dict[str, Any]) -> Path:
    """Write the truth FeatureCollection (lon/lat footprints, 7 decimals) atomically; returns the path."""
    path = Path(path)
    features = []
    for c in cars:
        geom = mapping(c.footprint) if c.footprint is not None else None
        if geom is not None:
            geom = {
                "type": geom["type"],
                "coordinates": [
                    [[round(x, 7), round(y, 7)] for x, y in ring] for ring in geom["coordinates"]
                ],
            }
        features.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {
                    "track": c.track,
                    "start_m": round(float(c.start_m), 3),
                    "end_m": round(float(c.end_m), 3),
                    "type": c.type,
                    "color": c.color,
                    "locomotive": bool(c.locomotive),
                    "occluded": round(float(c.occluded), 3),
                    "consist": c.consist,
                },
            }
        )
    doc = {"type": "FeatureCollection", "features": features, "railwatch": meta}
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(path)
    return path


def read(path: str | Path) -> Truth:
    """Read a truth file (or the truth beside a scene .tif) into a Truth; bad files raise InputError."""
    path = Path(path)
    if path.suffix.lower() in (".tif", ".tiff"):
        path = truth_path(path)
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise InputError("truth file not found", str(path)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a readable truth GeoJSON ({exc})", str(path)) from exc
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise InputError("not a GeoJSON FeatureCollection", str(path))
    cars: list[TruthCar] = []
    for i, feat in enumerate(doc["features"]):
        try:
            p = feat["properties"]
            kind = str(p["type"])
            if kind not in CAR_TYPES:
                raise ValueError(f"unknown car type {kind!r}")
            geom = shape(feat["geometry"]) if feat.get("geometry") else None
            cars.append(
                TruthCar(
                    track=str(p["track"]),
                    start_m=float(p["start_m"]),
                    end_m=float(p["end_m"]),
                    type=kind,
                    color=str(p.get("color", "#808080")),
                    confidence=1.0,
                    footprint=geom,
                    locomotive=bool(p.get("locomotive", kind == "locomotive")),
                    occluded=float(p.get("occluded", 0.0)),
                    consist=str(p.get("consist", "")),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"feature {i}: bad truth car ({exc})", str(path)) from exc
    meta = doc.get("railwatch", {})
    if not isinstance(meta, dict):
        raise InputError("`railwatch` member is not an object", str(path))
    return Truth(cars=cars, meta=meta)
