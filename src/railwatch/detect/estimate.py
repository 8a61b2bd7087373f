"""The per-track result of the car stage: cars, a low-high count interval, and how that interval's
parts add up over the tracks of one scene.

A track's count error has parts that are independent between tracks (which coupler cuts were
right, the lengths of that track's cars, its read noise, a cloud over it) and parts that every track
of the scene shares (a fleet length mix unlike the prior, a GSD scale error, a read bias of the
imagery). Summing per-track intervals treats every part as shared, so a scene interval grows with
the number of tracks where independent errors grow with its square root. `Spread` keeps the parts
apart; `combine` adds independent half-widths in quadrature and shared ones linearly, and
`total_interval` gives the interval of a sum of track counts (a scene's, or a site's from the store)
the same way wherever it is summed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the store and activity import this module without numpy/scipy
    from railwatch.detect.occupancy import Occupancy
    from railwatch.records import Car

MISCOUNT_VAR = 0.1
"""Variance, per counted car, of the count error no flagged doubt explains (a car missed, two read as
one, a fragment counted): about one car in ten off by one, independently of the other cars. One
track's interval covers it with its whole-car margin; a scene total needs it to add up its tracks'
errors (tuning seeds 100-139 at 0.5 m: track errors spread by ~1.9 cars, none of it shared)."""


@dataclass(frozen=True)
class Side:
    """One side (below or above the count) of a 90 % interval, in cars: `independent` and `shared`
    half-widths (each alone a nominal 90 % half-width of its error) and a `fixed` offset (cars that
    may be there however the errors fall: unread cloud-shadowed track, faint runs)."""

    independent: float = 0.0
    shared: float = 0.0
    fixed: float = 0.0

    @property
    def width(self) -> float:
        """The half-width of this side on one track: the two error parts in quadrature plus the offset."""
        return math.hypot(self.independent, self.shared) + self.fixed


@dataclass(frozen=True)
class Spread:
    """The two sides of a track's count interval, split by how they add up over a scene."""

    down: Side = field(default_factory=Side)
    up: Side = field(default_factory=Side)


def combine(sides: Iterable[Side]) -> float:
    """Half-width (cars) of the scene total's interval on one side: independent parts in quadrature,
    shared parts linearly (perfectly correlated), the quadrature of those two, plus the offsets."""
    ind2 = shared = fixed = 0.0
    for s in sides:
        ind2 += s.independent**2
        shared += s.shared
        fixed += s.fixed
    return math.sqrt(ind2 + shared**2) + fixed


def side(cars: int, low: int, high: int, spread: Spread | None, up: bool) -> Side:
    """One side of a track's [low, high] interval around `cars`; without a spread the whole half-width
    counts as shared, so a sum of such tracks adds their intervals linearly (the safe fallback)."""
    if spread is not None:
        return spread.up if up else spread.down
    return Side(shared=float(high - cars if up else cars - low))


def total_interval(tracks: Sequence[tuple[int, int, int, Spread | None]]) -> tuple[int, int]:
    """[low, high] (cars) of the sum of track counts, each (cars, low, high, spread or None): the
    `combine`d half-widths around the summed count, never wider than the summed track intervals."""
    total = sum(t[0] for t in tracks)
    floor = sum(t[1] for t in tracks)
    ceiling = sum(t[2] for t in tracks)
    down = combine(side(*t, up=False) for t in tracks)
    up = combine(side(*t, up=True) for t in tracks)
    low = min(total, max(floor, math.floor(total - down + 1e-9)))
    high = max(total, min(ceiling, math.ceil(total + up - 1e-9)))
    return low, high


def shrink(spread: Spread, n_before: int, n_after: int) -> Spread:
    """The spread of a track that lost cars (n_before -> n_after counted): parts that grow with the
    cars counted shrink with them, the independent ones (variances add per car) as the square root of
    the share kept, the shared ones (a rate times the cars) linearly; offsets stay. The low side never
    reaches below zero cars."""
    if n_before <= 0 or n_after >= n_before:
        return spread
    keep = max(0, n_after) / n_before
    root = math.sqrt(keep)

    def scaled(s: Side) -> Side:
        return Side(s.independent * root, s.shared * keep, s.fixed)

    down, up = scaled(spread.down), scaled(spread.up)
    if down.width > n_after:  # as many cars below the count as are left at most
        f = max(0, n_after) / down.width
        down = Side(down.independent * f, down.shared * f, down.fixed * f)
    return Spread(down=down, up=up)


@dataclass
class Estimate:
    """Cars on one track, with a count interval (locomotives included in the cars).

    `spread` says how the interval's half-widths split into independent and shared parts; None means
    unknown, and the scene then adds this track's interval as a whole (as if wholly shared)."""

    cars: list[Car]
    low: int
    high: int
    occupancy: Occupancy
    spread: Spread | None = None


def drop(est: Estimate, cars: list[Car]) -> None:
    """Remove `cars` from a track's estimate, shrinking its interval and its spread with them."""
    if cars:
        ids = {id(c) for c in cars}
        n_before = len(est.cars)
        est.cars = [c for c in est.cars if id(c) not in ids]
        est.low, est.high = max(0, est.low - len(cars)), max(0, est.high - len(cars))
        if est.spread is not None:
            est.spread = shrink(est.spread, n_before, len(est.cars))
