"""Railcar catalogue for simulation: real lengths per type, dull freight paints, and random consists.

Lengths follow /work/shared/data/reference/rail_vehicles.csv (RU/CN models, 12.0-24.0 m over couplers;
locomotive sections 18.15 m) and the Muttenz yard spread (median 14.5 m, 5-95 % 9.7-22.1 m)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from railwatch.geo import to_utm
from railwatch.records import Car, Site

LENGTHS_M: dict[str, tuple[float, ...]] = {
    # (typical lengths over couplers; one is drawn and jittered by +-4 %)
    "boxcar": (16.44, 17.0, 14.7, 13.9, 21.0),
    "tank": (12.02, 12.02, 10.3, 16.0, 12.5, 24.04),
    "flat": (13.62, 14.6, 19.6, 9.7),
    "container": (15.02, 19.6, 13.62),
    "gondola": (13.92, 13.44, 10.0, 12.3),
    "covered": (14.0, 14.7, 17.0, 12.5),
    "passenger": (24.5, 26.4),
    "locomotive": (18.15, 19.0, 18.15),
    "unknown": (14.0,),
}

PAINTS: dict[str, tuple[str, ...]] = {
    "boxcar": ("#7a3b2a", "#1f3a6b", "#8fb8d8", "#3f5e3a", "#8a8d8f", "#5a3a28", "#6b2f25"),
    "tank": ("#1d1d1f", "#c9cccf", "#7d8084", "#2f4030", "#26282b", "#b8bcc0"),
    "flat": ("#4e4236", "#5c5045", "#3d3a36"),
    "container": ("#3f6e9e", "#9b2a20", "#c8642a", "#3d6b45", "#8c8f91", "#d8d6cc", "#22385e", "#a67c2e"),
    "gondola": ("#6b3524", "#4d5a46", "#2f3b5a", "#5e5a55", "#7a3b2a"),
    "covered": ("#5a6140", "#3f5a3f", "#737670", "#3d587f", "#6b6a4a"),
    "passenger": ("#3b5a45", "#6f7478", "#2e4663", "#7a3028"),
    "locomotive": ("#2f5e3a", "#8a2a22", "#2a4a7a", "#5a5f62", "#b0522a"),
    "unknown": ("#707070",),
}

WIDTHS_M: tuple[float, float] = (2.8, 3.2)
GAP_M: tuple[float, float] = (0.8, 1.5)
RAILCAR_TYPES: tuple[str, ...] = ("boxcar", "tank", "flat", "container", "gondola", "covered", "passenger")
FREIGHT_TYPES: tuple[str, ...] = ("boxcar", "tank", "flat", "container", "gondola", "covered")
_WEIGHTS = {
    "boxcar": 0.22,
    "tank": 0.22,
    "flat": 0.1,
    "container": 0.14,
    "gondola": 0.18,
    "covered": 0.12,
    "passenger": 0.02,
}


def length_m(kind: str, rng: np.random.Generator) -> float:
    """A realistic length over couplers for a car type (metres)."""
    options = LENGTHS_M.get(kind, LENGTHS_M["unknown"])
    return float(options[rng.integers(len(options))] * rng.uniform(0.96, 1.04))


def paint(kind: str, rng: np.random.Generator) -> str:
    """A dull, realistic top-view colour ("#rrggbb") for a car type."""
    options = PAINTS.get(kind, PAINTS["unknown"])
    return options[rng.integers(len(options))]


def consist(
    track: str,
    start_m: float,
    n_cars: int,
    rng: np.random.Generator,
    *,
    types: Sequence[str] | None = None,
    locomotives: int = 0,
    block_type: str | None = None,
    max_end_m: float | None = None,
) -> list[Car]:
    """Cars coupled nose to tail from `start_m`: `locomotives` sections first, then `n_cars` railcars.

    `block_type` makes most cars that type (a unit train); `types` restricts the mix. Stops at `max_end_m`."""
    pool = tuple(types) if types else RAILCAR_TYPES
    weights = np.array([_WEIGHTS.get(t, 0.1) for t in pool], dtype=float)
    weights /= weights.sum()
    kinds = ["locomotive"] * locomotives
    for _ in range(n_cars):
        if block_type and rng.random() < 0.85:
            kinds.append(block_type)
        else:
            kinds.append(str(rng.choice(pool, p=weights)))
    cars: list[Car] = []
    pos = start_m
    for kind in kinds:
        length = length_m(kind, rng)
        if max_end_m is not None and pos + length > max_end_m:
            break
        cars.append(
            Car(
                track=track,
                start_m=round(pos, 3),
                end_m=round(pos + length, 3),
                type=kind,
                color=paint(kind, rng),
                confidence=1.0,
            )
        )
        pos += length + rng.uniform(*GAP_M)
    return cars


def random_cars(
    site: Site, seed: int, occupancy: float = 0.5, types: Sequence[str] | None = None
) -> list[Car]:
    """Random consists on the site's tracks filling about `occupancy` of their length (deterministic).

    Consists of 2-30 cars, coupler gaps 0.8-1.5 m, mixed types (or `types`), often a unit block of one type,
    and a locomotive (one or two sections) at one end of about a quarter of consists."""
    rng = np.random.default_rng(seed)
    cars: list[Car] = []
    for track in site.tracks:
        line_m, _ = to_utm(track.line)
        total = float(line_m.length)
        usable = total - 10.0
        target = max(0.0, min(1.0, occupancy)) * usable
        pos = 5.0
        filled = 0.0
        while filled < target - 8.0 and pos < total - 15.0:
            remaining = min(target - filled, total - 5.0 - pos)
            n = int(min(rng.integers(2, 31), max(1, remaining // 14.5)))
            locos = int(rng.choice([0, 0, 1, 2])) if rng.random() < 0.5 else 0
            block = str(rng.choice(types or FREIGHT_TYPES)) if rng.random() < 0.5 else None
            # leave a random gap before this consist so that occupancy is spread along the track
            free = (total - 5.0 - pos) - remaining
            pos += float(rng.uniform(0, max(0.0, free) * 0.3))
            cut = consist(
                track.id,
                pos,
                n,
                rng,
                types=types,
                locomotives=locos,
                block_type=block,
                max_end_m=min(total - 5.0, pos + remaining + 10.0),
            )
            if not cut:
                break
            if rng.random() < 0.5 and cut[0].is_locomotive:  # locomotive at the other end
                cut = _reverse(cut)
            cars.extend(cut)
            filled += cut[-1].end_m - cut[0].start_m
            pos = max(c.end_m for c in cut) + rng.uniform(8.0, 60.0)
    return cars


def _reverse(cut: list[Car]) -> list[Car]:
    """The same cars in mirrored order along the same stretch of track (locomotive now at the far end)."""
    a = min(c.start_m for c in cut)
    b = max(c.end_m for c in cut)
    out = [
        Car(
            track=c.track,
            start_m=round(a + b - c.end_m, 3),
            end_m=round(a + b - c.start_m, 3),
            type=c.type,
            color=c.color,
            confidence=c.confidence,
        )
        for c in cut
    ]
    return sorted(out, key=lambda c: c.start_m)
