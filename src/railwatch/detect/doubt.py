"""What the pixels say about a track's count beyond its split decisions: counted cars that may not be
there and cars that may be there uncounted, each for a reason that one look shows.

A counted car may be the rim of a cloud: faint (its departure barely above the empty-row floor) on rows
whose thin-cloud veil was undone, or beside rows masked as cloud or deep shadow, or shorter than any
railcar. A car may hide where rows were taken off as a neighbour's shadow darkening one side of the
band: a dark car beside a busy neighbour fits that model as well. Such errors come together (one
cloud, one sun over the whole look), so they are not coin tosses that average out: they widen the
interval's offsets (`estimate.Side.fixed`) by the cars concerned, on the tracks that show them, and
nowhere else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from railwatch.detect.estimate import Estimate, Spread
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
TYPICAL_CAR_M = 15.5
"""Typical railcar length over couplers (`types.TYPICAL_M`): cars that shadow-explained rows could hold."""
EXPLAINED_SHARE = 0.5
"""A gap between two counted cars is shadow-explained when at least this share of its rows was."""


@dataclass(frozen=True)
class Doubt:
    """Cars one track's count may be off by, by reason: counted ones that may not be there (`veiled`,
    `cloud_rim`, `short`) and uncounted ones that may hide in neighbour-shadow rows (`shadowed`)."""

    veiled: int = 0
    cloud_rim: int = 0
    short: int = 0
    shadowed: int = 0

    @property
    def down(self) -> int:
        """Counted cars that may not be there."""
        return self.veiled + self.cloud_rim + self.short

    @property
    def up(self) -> int:
        """Cars that may be there, uncounted."""
        return self.shadowed

    def describe(self) -> str:
        """'3 faint under thin cloud, 1 shorter than a car; 2 may hide in neighbour shadow' (or '')."""
        less = [
            f"{n} {what}"
            for n, what in (
                (self.veiled, "faint under undone thin cloud"),
                (self.cloud_rim, "faint at a cloud's rim"),
                (self.short, "faint and shorter than a car"),
            )
            if n
        ]
        text = ", ".join(less)
        if self.shadowed:
            text += ("; " if text else "") + f"{self.shadowed} may hide in rows read as a neighbour's shadow"
        return text


def rows_of(strip: Strip, car: Car) -> tuple[int, int]:
    """[start, end) strip rows of a car (its chainage on the strip)."""
    a = int(round((car.start_m - strip.start_m) / strip.step_m))
    b = int(round((car.end_m - strip.start_m) / strip.step_m))
    return max(0, a), min(strip.n_along, max(a + 1, b))


def doubted(cars: list[Car], strip: Strip, occ: Occupancy) -> tuple[int, int, int]:
    """(veiled, cloud_rim, short): counted railcars that are faint and rest on an undone veil, lie at a
    cloud's rim, or are shorter than any car (each car under its first reason only)."""
    veiled = rim = short = 0
    masked = occ.cloud | occ.shadow
    reach = int(math.ceil(CLOUD_RIM_M / strip.step_m))
    near = ndimage.binary_dilation(masked, iterations=reach) if masked.any() else masked
    floor = max(occ.threshold, 1e-9)
    for c in cars:
        if c.is_locomotive:
            continue
        a, b = rows_of(strip, c)
        if b <= a or float(np.median(occ.departure[a:b])) >= FAINT * floor:
            continue
        if occ.veiled is not None and float(occ.veiled[a:b].mean()) >= VEILED_SHARE:
            veiled += 1
        elif near[a:b].any():
            rim += 1
        elif c.end_m - c.start_m < SHORTEST_CAR_M:
            short += 1
    return veiled, rim, short


def shadowed(cars: list[Car], strip: Strip, occ: Occupancy) -> int:
    """Cars that could stand in a car-long gap inside a consist whose rows were mostly taken off as a
    neighbour's one-sided shadow: a car stands above such a shadow and keeps its roof lit, so a shadow
    does not fill the gap between two of the track's own cars, while a dark car does. Each gap holds
    its length in typical cars (at least one)."""
    if occ.explained is None or not occ.explained.any() or len(cars) < 2:
        return 0
    n = 0
    spans = sorted(rows_of(strip, c) for c in cars)
    for (_, b), (a, _) in zip(spans[:-1], spans[1:], strict=True):
        length = (a - b) * strip.step_m
        if length >= SHORTEST_CAR_M and float(occ.explained[b:a].mean()) >= EXPLAINED_SHARE:
            n += max(1, int(round(length / TYPICAL_CAR_M)))
    return n


def assess(est: Estimate, strip: Strip) -> Doubt:
    """The doubt that one track's pixels give its count."""
    veiled, rim, short = doubted(est.cars, strip, est.occupancy)
    return Doubt(veiled, rim, short, shadowed(est.cars, strip, est.occupancy))


def widen(est: Estimate, strip: Strip) -> Doubt:
    """Widen a track's interval and its spread's offsets by its `assess`ed doubt, in place."""
    d = assess(est, strip)
    if d.down or d.up:
        est.low = max(0, est.low - d.down)
        est.high += d.up
        if est.spread is not None:
            sp = est.spread
            down = replace(sp.down, fixed=sp.down.fixed + d.down)
            est.spread = Spread(down=down, up=replace(sp.up, fixed=sp.up.fixed + d.up))
    return d
