"""Map the shared records to table rows and back; the only place that knows both shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from railwatch.detect.estimate import Side, Spread
from railwatch.records import (
    Alert,
    Car,
    Consist,
    Event,
    Landmark,
    Movement,
    Observation,
    Scene,
    Site,
    Track,
)
from railwatch.store.models import (
    AlertRow,
    CarRow,
    ConsistRow,
    EventRow,
    LandmarkRow,
    MovementRow,
    ObservationRow,
    SceneRow,
    SiteRow,
    TrackRow,
)


def site_record(row: SiteRow) -> Site:
    """A Site with its tracks and landmarks, in the order they were stored."""
    return Site(
        id=row.id,
        name=row.name,
        aoi=row.aoi,  # type: ignore[arg-type]
        countries=list(row.countries or []),
        tracks=[track_record(t) for t in row.tracks],
        landmarks=[landmark_record(lm) for lm in row.landmarks],
        timezone=row.timezone,
        description=row.description,
    )


def track_fields(track: Track, position: int) -> dict[str, Any]:
    """Column values of a track row (without its site)."""
    return dict(
        position=position,
        line=track.line,
        gauge_mm=track.gauge_mm,
        country=track.country,
        kind=track.kind,
        geometry_quality=track.geometry_quality,
        name=track.name,
    )


def track_record(row: TrackRow) -> Track:
    return Track(
        id=row.id,
        line=row.line,  # type: ignore[arg-type]
        site=row.site_id,
        gauge_mm=row.gauge_mm,
        country=row.country,
        kind=row.kind,
        geometry_quality=row.geometry_quality,
        name=row.name,
    )


def landmark_fields(lm: Landmark, position: int) -> dict[str, Any]:
    """Column values of a landmark row (without its site)."""
    return dict(
        position=position,
        name=lm.name,
        kind=lm.kind,
        point=lm.point,
        country=lm.country,
        track_id=lm.track,
        chainage_m=lm.chainage_m,
    )


def landmark_record(row: LandmarkRow) -> Landmark:
    return Landmark(
        id=row.id,
        name=row.name,
        kind=row.kind,
        point=row.point,  # type: ignore[arg-type]
        site=row.site_id,
        country=row.country,
        track=row.track_id,
        chainage_m=row.chainage_m,
    )


def scene_row(scene: Scene) -> SceneRow:
    return SceneRow(
        path=scene.path,
        sha256=scene.sha256,
        acquired=scene.acquired,
        time_source=scene.time_source,
        gsd_m=float(scene.gsd_m),
        crs=scene.crs,
        footprint=scene.footprint,
        width=int(scene.width),
        height=int(scene.height),
        band_count=int(scene.band_count),
        dtype=str(scene.dtype),
        source=scene.source,
        cloud_cover=scene.cloud_cover,
        ingested=datetime.now(UTC),
    )


def scene_record(row: SceneRow) -> Scene:
    return Scene(
        path=row.path,
        sha256=row.sha256,
        acquired=row.acquired,
        gsd_m=row.gsd_m,
        crs=row.crs,
        footprint=row.footprint,  # type: ignore[arg-type]
        width=row.width,
        height=row.height,
        band_count=row.band_count,
        dtype=row.dtype,
        time_source=row.time_source,
        source=row.source,
        cloud_cover=row.cloud_cover,
        id=row.id,
    )


def car_row(car: Car) -> CarRow:
    return CarRow(
        track_id=car.track,
        start_m=float(car.start_m),
        end_m=float(car.end_m),
        type=car.type,
        color=car.color,
        confidence=float(car.confidence),
        footprint=car.footprint,
    )


def car_record(row: CarRow | Any, prefix: str = "") -> Car:
    """A Car from an ORM row, or from a plain column row whose car columns are named `prefix`<name>."""
    if not prefix:
        return Car(track=row.track_id, start_m=row.start_m, end_m=row.end_m, type=row.type, color=row.color,
                   confidence=row.confidence, footprint=row.footprint)  # type: ignore[arg-type]
    m = row._mapping
    return Car(
        track=m[prefix + "track_id"],
        start_m=m[prefix + "start_m"],
        end_m=m[prefix + "end_m"],
        type=m[prefix + "type"],
        color=m[prefix + "color"],
        confidence=m[prefix + "confidence"],
        footprint=m[prefix + "footprint"],
    )


def observation_row(obs: Observation, scene_id: int | None, site_id: str) -> ObservationRow:
    return ObservationRow(
        site_id=site_id,
        track_id=obs.track,
        scene_id=scene_id,
        acquired=obs.acquired,
        coverage=float(obs.coverage),
        cars=int(obs.cars),
        cars_low=int(obs.cars_low),
        cars_high=int(obs.cars_high),
        locomotives=int(obs.locomotives),
        by_type={str(k): int(v) for k, v in obs.by_type.items()},
        gsd_m=None if obs.gsd_m is None else float(obs.gsd_m),
        car_rows=[car_row(c) for c in obs.car_list],
        by_type_interval=by_type_interval_field(obs),
        **spread_fields(obs.spread),
    )


def by_type_interval_field(obs: Observation) -> dict[str, dict[str, float | int]] | None:
    """The observation row's `by_type_interval` JSON, or None when types were not read."""
    if obs.by_type_expected is None or obs.by_type_low is None or obs.by_type_high is None:
        return None
    doubt = obs.by_type_doubt or {}
    out: dict[str, dict[str, float | int]] = {}
    for k, m in obs.by_type_expected.items():
        out[str(k)] = {"expected": round(float(m), 2), "low": int(obs.by_type_low[k]),
                       "high": int(obs.by_type_high[k])}
        if k in doubt:
            out[str(k)] |= {"own": round(float(doubt[k][0]), 4), "root": round(float(doubt[k][1]), 4)}
    return out


TypeInterval = tuple[float, int, int, tuple[float, float] | None]
"""(expected, low, high, (own variance, root sum) or None) of one railcar type on one track."""


def by_type_interval_record(row: ObservationRow | Any) -> dict[str, TypeInterval] | None:
    """Per type (expected, low, high, (own variance, root sum) or None) of an observation row; None when not
    stored (before 0003, coarse GSD)."""
    data = row.by_type_interval
    if data is None:
        return None
    return {str(k): (float(v["expected"]), int(v["low"]), int(v["high"]),
                     (float(v["own"]), float(v["root"])) if "own" in v and "root" in v else None)
            for k, v in data.items()}


SIDES = ("down", "up")
"""The two sides of a stored spread: `spread_down_*` below the count, `spread_up_*` above it."""
PARTS = ("independent", "shared", "fixed")
"""The parts of each side (cars; `detect.estimate.Side`), one nullable column each."""


def spread_fields(spread: Spread | None) -> dict[str, float | None]:
    """The observation row's `spread_<side>_<part>` columns (all None for an unknown spread)."""
    out: dict[str, float | None] = {}
    for side in SIDES:
        s = getattr(spread, side) if spread is not None else None
        for part in PARTS:
            out[f"spread_{side}_{part}"] = None if s is None else float(getattr(s, part))
    return out


def spread_record(row: ObservationRow | Any) -> Spread | None:
    """The Spread of an observation row, or None when any part is missing (rows stored before 0002).
    Plain attribute reads: this runs for every row of a 1,000-observation API page."""
    down = (row.spread_down_independent, row.spread_down_shared, row.spread_down_fixed)
    up = (row.spread_up_independent, row.spread_up_shared, row.spread_up_fixed)
    if None in down or None in up:
        return None
    return Spread(down=Side(*down), up=Side(*up))


def observation_record(row: ObservationRow | Any, with_cars: bool) -> Observation:
    """An Observation from an ORM row, or from a plain column row when `with_cars` is false."""
    return Observation(
        site=row.site_id,
        track=row.track_id,
        acquired=row.acquired,
        coverage=row.coverage,
        cars=row.cars,
        cars_low=row.cars_low,
        cars_high=row.cars_high,
        locomotives=row.locomotives,
        by_type=dict(row.by_type or {}),
        scene_id=row.scene_id,
        gsd_m=row.gsd_m,
        car_list=[car_record(c) for c in row.car_rows] if with_cars else [],
        id=row.id,
        spread=spread_record(row),
        **_by_type_fields(by_type_interval_record(row)),
    )


def _by_type_fields(typed: dict[str, TypeInterval] | None) -> dict[str, Any]:
    """Observation's by_type_expected / _low / _high / _doubt from a stored interval (None if none)."""
    if typed is None:
        return {"by_type_expected": None, "by_type_low": None, "by_type_high": None, "by_type_doubt": None}
    return {"by_type_expected": {k: v[0] for k, v in typed.items()},
            "by_type_low": {k: v[1] for k, v in typed.items()},
            "by_type_high": {k: v[2] for k, v in typed.items()},
            "by_type_doubt": {k: v[3] for k, v in typed.items() if v[3] is not None}}


def event_record(row: EventRow) -> Event:
    return Event(date=row.date, title=row.title, source=row.source, id=row.id)


def alert_row(alert: Alert, site_id: str) -> AlertRow:
    return AlertRow(
        site_id=site_id,
        date=str(alert.date),
        kind=alert.kind,
        count=float(alert.count),
        baseline=float(alert.baseline),
        ratio=float(alert.ratio),
        zscore=None if alert.zscore is None else float(alert.zscore),
        track_id=alert.track,
        message=alert.message,
    )


def alert_record(row: AlertRow) -> Alert:
    return Alert(
        site=row.site_id,
        date=row.date,
        kind=row.kind,
        count=row.count,
        baseline=row.baseline,
        ratio=row.ratio,
        zscore=row.zscore,
        track=row.track_id,
        message=row.message,
        id=row.id,
    )


def _car_json(car: Car) -> dict[str, Any]:
    d: dict[str, Any] = {
        "track": car.track,
        "start_m": float(car.start_m),
        "end_m": float(car.end_m),
        "type": car.type,
        "color": car.color,
        "confidence": float(car.confidence),
    }
    if car.footprint is not None:
        d["footprint"] = car.footprint.wkt
    return d


def _car_from_json(d: dict[str, Any]) -> Car:
    from shapely import wkt

    fp = d.get("footprint")
    return Car(
        track=d["track"],
        start_m=d["start_m"],
        end_m=d["end_m"],
        type=d.get("type", "unknown"),
        color=d.get("color", "#808080"),
        confidence=d.get("confidence", 0.5),
        footprint=wkt.loads(fp) if fp else None,
    )


def consist_row(consist: Consist) -> ConsistRow:
    return ConsistRow(
        key=consist.id,
        site_id=consist.site,
        scene_id=consist.scene_id,
        track_id=consist.track,
        start_m=float(consist.start_m),
        end_m=float(consist.end_m),
        acquired=consist.acquired,
        cars=[_car_json(c) for c in consist.cars],
    )


def consist_record(row: ConsistRow) -> Consist:
    return Consist(
        track=row.track_id,
        start_m=row.start_m,
        end_m=row.end_m,
        cars=[_car_from_json(d) for d in row.cars or []],
        acquired=row.acquired,
        scene_id=row.scene_id,
        site=row.site_id,
        id=row.key,
    )


def movement_row(mv: Movement) -> MovementRow:
    return MovementRow(
        consist_from=consist_row(mv.consist_from),
        consist_to=consist_row(mv.consist_to),
        t0=mv.t0,
        t1=mv.t1,
        distance_m=float(mv.distance_m),
        landmarks_passed=list(mv.landmarks_passed),
        crossed_border=bool(mv.crossed_border),
        country_from=mv.countries[0],
        country_to=mv.countries[1],
        confidence=float(mv.confidence),
        changes=list(mv.changes),
    )


def movement_record(row: MovementRow) -> Movement:
    return Movement(
        consist_from=consist_record(row.consist_from),
        consist_to=consist_record(row.consist_to),
        t0=row.t0,
        t1=row.t1,
        distance_m=row.distance_m,
        landmarks_passed=list(row.landmarks_passed or []),
        crossed_border=row.crossed_border,
        countries=(row.country_from, row.country_to),
        confidence=row.confidence,
        changes=list(row.changes or []),
    )
