"""Follow consists from scene to scene: assign each later sighting to an earlier one (Hungarian
assignment) on signature similarity, with travel along the rails at a plausible speed as a hard
condition. Standing still is always feasible; too fast is never."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.optimize import linear_sum_assignment

from railwatch.errors import InputError
from railwatch.movement.network import Network, Position, Route, landmark_key
from railwatch.movement.signature import (
    DEFAULT,
    Comparison,
    Signature,
    Weights,
    best_log_lr,
    compare,
    posterior,
    signature,
    with_chance,
)
from railwatch.records import Consist, Movement

WINDOW_H = 48.0
MAX_SPEED_KMH = 60.0
MIN_SIMILARITY = 0.6
"""Least posterior probability of one consist (signature.compare) for a pairing to be reported."""
MIN_CONFIDENCE = 0.5
"""Pairings below this are not reported: a coin flip is not a movement."""
MIN_RAILCARS = 2
"""A single car (or a lone locomotive) looks like too many others to be followed."""
SLACK_M = 100.0
"""Distance forgiven before the speed test: consist ends and chainages are only so precise."""


@dataclass
class Candidate:
    """One possible pairing of an earlier and a later sighting, with its evidence."""

    comparison: Comparison
    route: Route
    speed_kmh: float
    margin: float

    @property
    def score(self) -> float:
        return self.comparison.similarity * (0.9 + 0.1 * self.margin)


def position(consist: Consist) -> Position:
    """Where a consist is on the network: its track and the chainage of its middle."""
    return consist.track, (consist.start_m + consist.end_m) / 2.0


def _hours(t0: datetime, t1: datetime) -> float:
    return (t1 - t0).total_seconds() / 3600.0


def candidate(
    earlier: Consist,
    later: Consist,
    network: Network,
    max_speed_kmh: float = MAX_SPEED_KMH,
    weights: Weights = DEFAULT,
    min_similarity: float = MIN_SIMILARITY,
    signatures: dict[int, Signature] | None = None,
    min_railcars: int = MIN_RAILCARS,
) -> Candidate | None:
    """The evidence that `later` is `earlier` seen again, or None when it cannot be (too unlike, too fast,
    not connected by rail)."""
    if earlier.acquired is None or later.acquired is None:
        raise InputError(f"consist {earlier.id or later.id} has no acquisition time")
    hours = _hours(earlier.acquired, later.acquired)
    if hours <= 0:
        return None
    cache = signatures if signatures is not None else {}
    sa = cache.get(id(earlier)) or cache.setdefault(id(earlier), signature(earlier))
    sb = cache.get(id(later)) or cache.setdefault(id(later), signature(later))
    if min(sa.count, sb.count) < min_railcars:
        return None
    if posterior(best_log_lr(sa.count, sb.count, weights), weights) < min_similarity:
        return None
    if earlier.track not in network.tracks or later.track not in network.tracks:
        return None
    cmp_ = compare(sa, sb, weights)
    if cmp_.similarity < min_similarity:
        return None
    route = network.route(position(earlier), position(later))
    if route is None:
        return None
    speed = max(0.0, route.distance_m - SLACK_M) / 1000.0 / hours
    if speed > max_speed_kmh:
        return None
    return Candidate(cmp_, route, route.distance_m / 1000.0 / hours, 1.0 - speed / max_speed_kmh)


def match(
    consists: Iterable[Consist],
    network: Network,
    window_h: float = WINDOW_H,
    max_speed_kmh: float = MAX_SPEED_KMH,
    min_similarity: float = MIN_SIMILARITY,
    weights: Weights = DEFAULT,
    min_confidence: float = MIN_CONFIDENCE,
    min_railcars: int = MIN_RAILCARS,
) -> list[Movement]:
    """Movements between sightings of the same consist, in time order; a consist seen three times
    gives two chained movements (A->B, B->C)."""
    items = [c for c in consists if c.acquired is not None]
    times = sorted({c.acquired for c in items})
    heads: list[Consist] = []
    movements: list[Movement] = []
    signatures = signatures_with_chance(items, weights)
    for t in times:
        new = [c for c in items if c.acquired == t]
        live = [h for h in heads if 0 < _hours(h.acquired, t) <= window_h]
        pairs = _assign(live, new, network, max_speed_kmh, min_similarity, weights, signatures, min_railcars)
        matched_heads = set()
        for i, j, cand, conf in pairs:
            if conf < min_confidence:
                continue
            movements.append(_movement(live[i], new[j], cand, conf, network))
            matched_heads.add(id(live[i]))
        heads = [h for h in heads if id(h) not in matched_heads and _hours(h.acquired, t) <= window_h]
        heads.extend(new)
    return movements


def signatures_with_chance(consists: list[Consist], weights: Weights = DEFAULT) -> dict[int, Signature]:
    """Signatures of `consists` (by object id), each car carrying its chance likeness to the railcars of
    every other sighting of the period (see `signature.with_chance`), so that matching scores likeness
    beyond chance."""
    plain = {id(c): signature(c) for c in consists}
    out: dict[int, Signature] = {}
    for k, sig in plain.items():
        pool = tuple(mark for other, s in plain.items() if other != k for mark in s.cars)
        out[k] = with_chance(sig, pool, weights)
    return out


def _assign(
    earlier: list[Consist],
    later: list[Consist],
    network: Network,
    max_speed_kmh: float,
    min_similarity: float,
    weights: Weights,
    signatures: dict[int, Signature],
    min_railcars: int,
) -> list[tuple[int, int, Candidate, float]]:
    if not earlier or not later:
        return []
    cands: dict[tuple[int, int], Candidate] = {}
    score = np.zeros((len(earlier), len(later)))
    rival = np.zeros_like(score)
    for i, a in enumerate(earlier):
        for j, b in enumerate(later):
            # every pairing the rails allow is a rival, even one too unlike to be reported itself
            c = candidate(a, b, network, max_speed_kmh, weights, 0.0, signatures, min_railcars)
            if c is None:
                continue
            rival[i, j] = c.score
            if c.comparison.similarity >= min_similarity:
                cands[i, j] = c
                score[i, j] = c.score
    if not cands:
        return []
    rows, cols = linear_sum_assignment(1.0 - score)
    out = []
    for i, j in zip(rows, cols, strict=True):
        if (i, j) not in cands:
            continue
        best = score[i, j]
        rivals = np.concatenate([np.delete(rival[i, :], j), np.delete(rival[:, j], i)])
        second = float(rivals.max()) if rivals.size else 0.0
        out.append((int(i), int(j), cands[i, j], confidence(best, second)))
    return out


def confidence(best: float, second: float = 0.0) -> float:
    """How sure a pairing is (0-1): its score, shrunk toward a coin flip when a rival scores nearly as
    well (two identical grey cuts of cars cannot be told apart)."""
    gap = max(0.0, best - second)
    uniqueness = 1.0 - 0.5 * max(0.0, 1.0 - gap / 0.3)
    return round(float(best * uniqueness), 4)


def _movement(a: Consist, b: Consist, cand: Candidate, conf: float, network: Network) -> Movement:
    return Movement(
        consist_from=a,
        consist_to=b,
        t0=a.acquired,
        t1=b.acquired,
        distance_m=round(cand.route.distance_m, 1),
        landmarks_passed=[landmark_key(lm) for lm in cand.route.landmarks],
        crossed_border=cand.route.crossed_border,
        countries=(network.country_at(position(a)), network.country_at(position(b))),
        confidence=conf,
        changes=list(cand.comparison.changes),
    )


def chains(movements: Iterable[Movement]) -> list[list[Movement]]:
    """Join movements end to start (A->B, B->C) into chains, each in time order."""
    moves = sorted(movements, key=lambda m: m.t0)
    by_from = {_key(m.consist_from): m for m in moves}
    arrivals = {_key(m.consist_to) for m in moves}
    out: list[list[Movement]] = []
    for m in moves:
        if _key(m.consist_from) in arrivals:
            continue
        chain = [m]
        while _key(chain[-1].consist_to) in by_from and len(chain) <= len(moves):
            chain.append(by_from[_key(chain[-1].consist_to)])
        out.append(chain)
    return out


def _key(c: Consist) -> object:
    """Identity of a sighting: its id and time when it has one (records reloaded from the store are new
    objects), else the object itself."""
    return (c.id, c.acquired) if c.id else id(c)
