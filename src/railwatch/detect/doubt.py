"""What the pixels say about a track's count beyond its split decisions: counted cars that may not be
there and cars that may be there uncounted, each for a reason that one look shows.

A counted car may be the rim of a cloud: faint (its departure barely above the empty-row floor) on rows
whose thin-cloud veil was undone, or beside rows masked as cloud or deep shadow, or shorter than any
railcar. A car may hide where rows were taken off as a neighbour's shadow darkening one side of the
band: a dark car beside a busy neighbour fits that model as well. Such errors come together (one
cloud, one sun over the whole look), so they are not coin tosses that average out: they widen the
interval's offsets (`estimate.Side.fixed`) by the cars concerned, on the tracks that show them, and
nowhere else. Where cars are split one by one, a faint car that a cloud explains is left out of the
count instead, and kept on the interval's upper side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from railwatch.detect import types
from railwatch.detect.estimate import Estimate, Spread, drop
from railwatch.detect.occupancy import Occupancy
from railwatch.imagery.corridor import Strip
from railwatch.records import Car

FAINT = 2.0
"""A car whose median departure is under this multiple of the track's empty-row floor is faint: the
low-profile wagons clear it by 1.4-3 times, a veil left over after the correction or a cloud rim's
gradient by 1.1-1.8 times (a faint car is a real flat car as often as not; only with one of the
reasons below is it doubted)."""
VEILED_SHARE = 0.5
"""A faint car at least this share of whose rows had their veil undone rests on that correction."""
CLOUD_RIM_M = 20.0
"""A faint car this close (along the track) to rows masked as cloud or deep shadow lies in the cloud's
soft rim, which the 4 m mask margin and the veil correction do not fully undo."""
SHORTEST_CAR_M = 8.5
"""Shortest railcar (9.3 m over couplers) less a coupler gap: a faint piece shorter than this is no car."""
EXPLAINED_SHARE = 0.5
"""A gap between two counted cars is shadow-explained when at least this share of its rows was."""
HELD_SHARE = 0.5
"""A shadow gap is a neighbour's shadow only where at least this share of its shadow rows has the
neighbour's car abreast; otherwise nothing beside throws it and it is a dark car (tumangang-2023 tuning
seeds 3 and 7: 0 to 0.15 on gaps holding dark cars, 1.0 on a neighbour's shadow)."""
RESTORED_CONFIDENCE = 0.3
"""Confidence of a car counted in a shadow gap: its own pixels did not show it."""


CLOUD_REASONS = ("veiled", "cloud_rim")
"""Reasons that a cloud gives (`reasons`): where cars are split one by one, such a car is left out of the
count and kept as a car that may be there (a cloud's rim makes up faint cars far more often than it
hides a low one: tumangang-2023 tuning seed 3, 0.5 m, every such car but one was false)."""


@dataclass(frozen=True)
class Doubt:
    """Cars one track's count may be off by, by reason: counted ones that may not be there (`veiled`,
    `cloud_rim`, `short`, `restored`: dark cars counted in shadow rows with no neighbour's car abreast),
    cars the cloud explains that were left out of the count (`uncounted`) and uncounted ones that may
    hide in neighbour-shadow rows (`shadowed`)."""

    veiled: int = 0
    cloud_rim: int = 0
    short: int = 0
    shadowed: int = 0
    uncounted: int = 0
    restored: int = 0

    @property
    def down(self) -> int:
        """Counted cars that may not be there."""
        return self.veiled + self.cloud_rim + self.short + self.restored

    @property
    def up(self) -> int:
        """Cars that may be there, uncounted."""
        return self.shadowed + self.uncounted

    def describe(self) -> str:
        """'3 faint under thin cloud, 1 shorter than a car; 2 may hide in neighbour shadow' (or '')."""
        parts = [
            f"{n} {what}"
            for n, what in (
                (self.veiled, "faint under undone thin cloud"),
                (self.cloud_rim, "faint at a cloud's rim"),
                (self.short, "faint and shorter than a car"),
                (self.uncounted, "faint under cloud left out of the count"),
                (self.shadowed, "may hide in rows read as a neighbour's shadow"),
                (self.restored, "dark in rows read as a shadow with no neighbour's car abreast, counted"),
            )
            if n
        ]
        return ", ".join(parts)


def rows_of(strip: Strip, car: Car) -> tuple[int, int]:
    """[start, end) strip rows of a car (its chainage on the strip)."""
    a = int(round((car.start_m - strip.start_m) / strip.step_m))
    b = int(round((car.end_m - strip.start_m) / strip.step_m))
    return max(0, a), min(strip.n_along, max(a + 1, b))


def reasons(cars: list[Car], strip: Strip, occ: Occupancy) -> list[str | None]:
    """Per car, why it may not be there: "veiled" (faint, resting on an undone veil), "cloud_rim" (faint,
    at a cloud's rim), "short" (faint and shorter than any car), or None (locomotives: None)."""
    masked = occ.cloud | occ.shadow
    reach = int(math.ceil(CLOUD_RIM_M / strip.step_m))
    near = ndimage.binary_dilation(masked, iterations=reach) if masked.any() else masked
    floor = max(occ.threshold, 1e-9)
    out: list[str | None] = []
    for c in cars:
        a, b = rows_of(strip, c)
        why = None
        if not c.is_locomotive and b > a and float(np.median(occ.departure[a:b])) < FAINT * floor:
            if occ.veiled is not None and float(occ.veiled[a:b].mean()) >= VEILED_SHARE:
                why = "veiled"
            elif near[a:b].any():
                why = "cloud_rim"
            elif c.end_m - c.start_m < SHORTEST_CAR_M:
                why = "short"
        out.append(why)
    return out


def doubted(cars: list[Car], strip: Strip, occ: Occupancy) -> tuple[int, int, int]:
    """(veiled, cloud_rim, short): counted railcars that may not be there, by their first reason."""
    why = reasons(cars, strip, occ)
    return why.count("veiled"), why.count("cloud_rim"), why.count("short")


def shadow_gaps(cars: list[Car], strip: Strip, occ: Occupancy) -> list[tuple[int, int]]:
    """[start, end) rows of the car-long gaps inside a consist whose rows were mostly taken off as a
    neighbour's one-sided shadow: a car stands above such a shadow and keeps its roof lit, so a shadow
    does not fill the gap between two of the track's own cars, while a dark car does."""
    if occ.explained is None or not occ.explained.any() or len(cars) < 2:
        return []
    spans = sorted(rows_of(strip, c) for c in cars)
    return [
        (b, a)
        for (_, b), (a, _) in zip(spans[:-1], spans[1:], strict=True)
        if (a - b) * strip.step_m >= SHORTEST_CAR_M and float(occ.explained[b:a].mean()) >= EXPLAINED_SHARE
    ]


def gap_cars(strip: Strip, gap: tuple[int, int]) -> int:
    """Cars a gap of rows holds: its length in typical cars (at least one)."""
    return max(1, int(round((gap[1] - gap[0]) * strip.step_m / types.TYPICAL_M)))


def unheld(gap: tuple[int, int], occ: Occupancy, abreast: np.ndarray | None) -> bool:
    """Whether a shadow gap's explained rows mostly lack a neighbour's car abreast (`abreast`, from
    `castshadow.cars_abreast`): no car beside throws that shadow, so the gap holds a dark car."""
    if abreast is None or occ.explained is None:
        return False
    rows = occ.explained[gap[0]:gap[1]]
    return bool(rows.any()) and float(abreast[gap[0]:gap[1]][rows].mean()) < HELD_SHARE


def shadowed(cars: list[Car], strip: Strip, occ: Occupancy, abreast: np.ndarray | None = None) -> int:
    """Cars that could stand in the shadow gaps (`shadow_gaps`) that a neighbour's car abreast could
    explain (every gap when `abreast` is None)."""
    return sum(gap_cars(strip, g) for g in shadow_gaps(cars, strip, occ) if not unheld(g, occ, abreast))


def restore(est: Estimate, strip: Strip, abreast: np.ndarray | None) -> int:
    """Count the cars of the shadow gaps with no neighbour's car abreast (`unheld`), placed evenly over
    each gap, in place; returns how many (each stays doubted: it may yet be a shadow)."""
    occ = est.occupancy
    new: list[Car] = []
    for g in shadow_gaps(est.cars, strip, occ):
        if not unheld(g, occ, abreast):
            continue
        n = gap_cars(strip, g)
        start_m = strip.start_m + g[0] * strip.step_m
        each_m = (g[1] - g[0]) * strip.step_m / n
        track = est.cars[0].track
        new += [
            Car(track, start_m + i * each_m, start_m + (i + 1) * each_m, confidence=RESTORED_CONFIDENCE)
            for i in range(n)
        ]
    if new:
        est.cars = sorted(est.cars + new, key=lambda c: c.start_m)
        est.low += len(new)
        est.high += len(new)
    return len(new)


def widen(est: Estimate, strip: Strip, uncount: bool = False, abreast: np.ndarray | None = None) -> Doubt:
    """Widen a track's interval and its spread's offsets by the doubt its pixels give, in place; with
    `uncount`, first leave the cars a cloud explains (`CLOUD_REASONS`) out of the count, as cars that
    may yet be there; with `abreast` (`castshadow.cars_abreast`), count the dark cars in shadow gaps no
    neighbour's car explains (`restore`), as cars that may not be there. Returns the doubt."""
    restored = restore(est, strip, abreast) if uncount else 0
    why = reasons(est.cars, strip, est.occupancy)
    gone = [c for c, w in zip(est.cars, why, strict=True) if uncount and w in CLOUD_REASONS]
    if gone:
        drop(est, gone)
        why = [w for w in why if w not in CLOUD_REASONS]
    d = Doubt(
        why.count("veiled"), why.count("cloud_rim"), why.count("short"),
        shadowed(est.cars, strip, est.occupancy, abreast if uncount else None), len(gone), restored,
    )
    if d.down or d.up:
        est.low = max(0, est.low - d.down)
        est.high += d.up
        if est.spread is not None:
            sp = est.spread
            down = replace(sp.down, fixed=sp.down.fixed + d.down)
            est.spread = Spread(down=down, up=replace(sp.up, fixed=sp.up.fixed + d.up))
    return d
