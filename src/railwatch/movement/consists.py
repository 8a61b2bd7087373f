"""Group the cars seen on one track of one scene into consists (trains or cuts of cars).

Cars coupled together are separated only by the coupler gap; a larger gap starts a new consist.
The gap threshold never falls below a few pixels, since a coarse image cannot resolve less."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from railwatch.records import Car, Consist, Observation

GAP_M = 5.0
"""Largest gap between two cars of one consist, in metres (couplers + detection slack)."""

GAP_PIXELS = 2.0
"""The gap threshold is at least this many pixels of ground sample distance."""

MIN_CAR_M = 6.0
"""Detections shorter than this are fragments, not cars (the shortest railcars are about 9-10 m)."""


def gap_threshold_m(gap_m: float = GAP_M, gsd_m: float | None = None) -> float:
    """The gap that splits consists: `gap_m`, but never finer than GAP_PIXELS pixels."""
    floor = GAP_PIXELS * gsd_m if gsd_m else 0.0
    return max(gap_m, floor)


def consist_id(
    site: str | None, track: str, start_m: float, acquired: datetime | None, scene_id: int | None
) -> str:
    """A readable, stable id: where and when the consist was seen."""
    when = (
        f"s{scene_id}"
        if scene_id is not None
        else (acquired.strftime("%Y%m%dT%H%M%SZ") if acquired else "t?")
    )
    return f"{when}/{track}@{start_m:.0f}"


def group(
    cars: Iterable[Car],
    gap_m: float = GAP_M,
    gsd_m: float | None = None,
    acquired: datetime | None = None,
    scene_id: int | None = None,
    site: str | None = None,
    min_car_m: float = MIN_CAR_M,
) -> list[Consist]:
    """Split cars into consists per track, in chainage order; each consist's cars run start -> end.
    Fragments shorter than `min_car_m` are dropped first (they are not cars and would split consists)."""
    limit = gap_threshold_m(gap_m, gsd_m)
    by_track: dict[str, list[Car]] = {}
    for car in cars:
        if car.length_m < min_car_m:
            continue
        by_track.setdefault(car.track, []).append(car)
    out: list[Consist] = []
    for track in sorted(by_track):
        ordered = sorted(by_track[track], key=lambda c: min(c.start_m, c.end_m))
        run: list[Car] = []
        run_end = float("-inf")
        for car in ordered:
            lo, hi = min(car.start_m, car.end_m), max(car.start_m, car.end_m)
            if run and lo - run_end > limit:
                out.append(_consist(run, acquired, scene_id, site))
                run = []
            run.append(car)
            run_end = max(run_end, hi) if len(run) > 1 else hi
        if run:
            out.append(_consist(run, acquired, scene_id, site))
    return out


def _consist(cars: list[Car], acquired: datetime | None, scene_id: int | None, site: str | None) -> Consist:
    start = min(min(c.start_m, c.end_m) for c in cars)
    end = max(max(c.start_m, c.end_m) for c in cars)
    track = cars[0].track
    return Consist(
        track=track,
        start_m=float(start),
        end_m=float(end),
        cars=list(cars),
        acquired=acquired,
        scene_id=scene_id,
        site=site,
        id=consist_id(site, track, start, acquired, scene_id),
    )


def from_observations(
    observations: Iterable[Observation], gap_m: float = GAP_M, min_car_m: float = MIN_CAR_M
) -> list[Consist]:
    """Consists of every observation that carries its cars (store.observations(with_cars=True))."""
    out: list[Consist] = []
    for obs in observations:
        cars = [c for c in obs.car_list if c.track == obs.track] or list(obs.car_list)
        out.extend(
            group(
                cars,
                gap_m=gap_m,
                gsd_m=obs.gsd_m,
                acquired=obs.acquired,
                scene_id=obs.scene_id,
                site=obs.site,
            )
        )
    return out
