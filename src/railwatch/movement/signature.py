"""What makes a consist recognisable from one image to the next: its railcars in order (type,
colour, length) and its locomotives. Similarity ignores orientation and tolerates a locomotive
attached or detached and a car added or dropped, and says what changed.

Two cars are alike by colour (CIEDE2000), length and type; a type reading only counts as far as both
readings can be trusted (a disagreement of two 0.5-confidence types says little), and, given the other
cars seen in the same period, likeness is scored beyond chance (Cohen's kappa): two grey cuts on a
track full of grey cuts say little, two light-blue boxcars among grey cuts say a lot."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from railwatch.movement.color import Lab, delta_e, lab
from railwatch.records import Consist

ENCLOSED = frozenset({"boxcar", "passenger"})
"""Types that look alike from above (a closed roof): confusing them costs little."""
ENCLOSED_MISMATCH = 0.3
"""Share of a type disagreement that counts between two enclosed types (boxcar vs passenger)."""


@dataclass(frozen=True)
class CarMark:
    """One railcar as a signature sees it."""

    type: str
    lab: Lab
    length_m: float
    type_confidence: float = 1.0
    """How far the type reading can be trusted (0-1); 'unknown' is 0, a wildcard."""
    at_end: bool = False
    """First or last vehicle of its consist (its length is less sure, see Weights.end_length_slack)."""
    chance: float = 0.0
    """Mean likeness of this car to any car seen in the period (0 when no such pool is given)."""


@dataclass(frozen=True)
class Signature:
    """A consist's railcars in chainage order plus its locomotive count."""

    cars: tuple[CarMark, ...]
    locomotives: int

    @property
    def count(self) -> int:
        return len(self.cars)

    @property
    def length_m(self) -> float:
        return sum(c.length_m for c in self.cars)


@dataclass
class Comparison:
    """How alike two signatures are (0-1), whether the later one is reversed, and what changed."""

    similarity: float
    reversed: bool = False
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    """Tunable costs of the alignment; defaults suit 0.3-0.5 m imagery with noisy colours."""

    color_de: float = 18.0
    """CIEDE2000 difference at which two colours count as about 63 % different."""
    lightness_k: float = 2.0
    """CIEDE2000 k_L: lightness changes with sun and sensor, so it counts half."""
    length_rel: float = 0.25
    """Relative length difference at which two cars count as different lengths."""
    end_length_slack: float = 1.5
    """Length tolerance factor for a car at a consist end: its outer end meets ballast or a shadow, not
    a coupler gap, so its length is read less surely (a low sun stretches it by metres)."""
    indel: float = 0.7
    """Cost of a car added or dropped (1 would equal a completely different car)."""
    locomotive: float = 0.05
    """Similarity lost per locomotive attached or detached (routine at borders)."""


DEFAULT = Weights()


def signature(consist: Consist) -> Signature:
    """The signature of a consist: railcars ordered by chainage; locomotives counted apart."""
    ordered = sorted(consist.cars, key=lambda c: min(c.start_m, c.end_m))
    last = len(ordered) - 1
    marks = tuple(
        CarMark(c.type, lab(c.color), c.length_m, c.confidence, at_end=k in (0, last))
        for k, c in enumerate(ordered)
        if not c.is_locomotive
    )
    return Signature(marks, sum(1 for c in ordered if c.is_locomotive))


def _type_trust(kind: str, confidence: float) -> float:
    """How far a type reading counts: its confidence, 0 for 'unknown' (a wildcard)."""
    return 0.0 if kind == "unknown" else float(min(1.0, max(0.0, confidence)))


def with_chance(sig: Signature, pool: tuple[CarMark, ...], w: Weights = DEFAULT) -> Signature:
    """`sig` with each car's chance likeness: its mean likeness (1 - cost) to the cars of `pool` (every
    railcar seen in the period), the agreement expected of an unrelated car."""
    if not sig.cars or not pool:
        return sig
    like = 1.0 - cost_matrix(sig.cars, pool, w, chance_corrected=False)
    cars = tuple(replace(c, chance=float(p)) for c, p in zip(sig.cars, like.mean(axis=1), strict=True))
    return Signature(cars, sig.locomotives)


def car_cost(a: CarMark, b: CarMark, w: Weights = DEFAULT) -> float:
    """0 for two cars that look identical, up to 1 for cars that cannot be the same."""
    return float(cost_matrix((a,), (b,), w)[0, 0])


def cost_matrix(
    a: tuple[CarMark, ...], b: tuple[CarMark, ...], w: Weights = DEFAULT, chance_corrected: bool = True
) -> np.ndarray:
    """`car_cost` for every pair of cars at once (numpy), shape (len(a), len(b)).

    Likeness is the product of colour, type and length agreement. A type disagreement only weighs as
    much as the chance that both readings are right (product of the type confidences). With
    `chance_corrected`, likeness is rescaled beyond the cars' chance likeness (kappa = (like - p) / (1 -
    p), p the mean chance of the two cars), so a common look earns less than a rare one."""
    la = np.array([c.lab for c in a], dtype=float).reshape(-1, 1, 3)
    lb = np.array([c.lab for c in b], dtype=float).reshape(1, -1, 3)
    de = np.asarray(delta_e(la, lb, k_l=w.lightness_k)).reshape(len(a), len(b))
    d_col = 1.0 - np.exp(-((de / w.color_de) ** 2))
    ta = np.array([c.type for c in a], dtype=object).reshape(-1, 1)
    tb = np.array([c.type for c in b], dtype=object).reshape(1, -1)
    enclosed_a = np.isin(ta, list(ENCLOSED))
    enclosed_b = np.isin(tb, list(ENCLOSED))
    ca = np.array([_type_trust(c.type, c.type_confidence) for c in a], dtype=float).reshape(-1, 1)
    cb = np.array([_type_trust(c.type, c.type_confidence) for c in b], dtype=float).reshape(1, -1)
    d_type = np.where(ta == tb, 0.0, np.where(enclosed_a & enclosed_b, ENCLOSED_MISMATCH, 1.0) * ca * cb)
    lena = np.array([c.length_m for c in a], dtype=float).reshape(-1, 1)
    lenb = np.array([c.length_m for c in b], dtype=float).reshape(1, -1)
    longest = np.maximum(np.maximum(lena, lenb), 1e-6)
    ends = np.array([c.at_end for c in a], bool).reshape(-1, 1) | np.array([c.at_end for c in b], bool)
    tolerance = w.length_rel * np.where(ends, w.end_length_slack, 1.0)
    d_len = np.minimum(1.0, (np.abs(lena - lenb) / longest / tolerance) ** 2)
    like = (1.0 - d_col) * (1.0 - d_type) * (1.0 - 0.5 * d_len)
    if chance_corrected:
        pa = np.array([c.chance for c in a], dtype=float).reshape(-1, 1)
        pb = np.array([c.chance for c in b], dtype=float).reshape(1, -1)
        p = np.minimum(0.5 * (pa + pb), 0.99)
        like = np.clip((like - p) / (1.0 - p), 0.0, 1.0)
    return 1.0 - like


def align(a: tuple[CarMark, ...], b: tuple[CarMark, ...], w: Weights = DEFAULT) -> tuple[float, int, int]:
    """Edit-distance alignment of two car sequences: (cost, cars added in b, cars dropped from a)."""
    n, m = len(a), len(b)
    sub = cost_matrix(a, b, w).tolist() if n and m else []
    cost = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = i * w.indel
    for j in range(1, m + 1):
        cost[0][j] = j * w.indel
    for i in range(1, n + 1):
        row, prev, sub_i = cost[i], cost[i - 1], sub[i - 1]
        for j in range(1, m + 1):
            row[j] = min(prev[j - 1] + sub_i[j - 1], prev[j] + w.indel, row[j - 1] + w.indel)
    added = dropped = 0
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and math.isclose(cost[i][j], cost[i - 1][j - 1] + sub[i - 1][j - 1]):
            i, j = i - 1, j - 1
        elif i > 0 and math.isclose(cost[i][j], cost[i - 1][j] + w.indel):
            dropped += 1
            i -= 1
        else:
            added += 1
            j -= 1
    return cost[n][m], added, dropped


def compare(a: Signature, b: Signature, w: Weights = DEFAULT) -> Comparison:
    """Similarity of a later signature `b` to an earlier `a`, trying both orientations of `b`."""
    if a.count == 0 and b.count == 0:
        if a.locomotives == b.locomotives == 0:
            return Comparison(0.0)
        return Comparison(1.0 if a.locomotives == b.locomotives else 0.5, changes=_loco_changes(a, b))
    if a.count == 0 or b.count == 0:
        return Comparison(0.0)
    best: tuple[float, bool, int, int] | None = None
    for rev in (False, True):
        seq = tuple(reversed(b.cars)) if rev else b.cars
        total, added, dropped = align(a.cars, seq, w)
        if best is None or total < best[0] - 1e-9:
            best = (total, rev, added, dropped)
    assert best is not None
    total, rev, added, dropped = best
    sim = max(0.0, 1.0 - total / max(a.count, b.count))
    loco_changes = abs(a.locomotives - b.locomotives)
    sim *= (1.0 - w.locomotive) ** loco_changes
    changes = _loco_changes(a, b)
    if added:
        changes.append(f"{added} car{'s' if added > 1 else ''} added")
    if dropped:
        changes.append(f"{dropped} car{'s' if dropped > 1 else ''} dropped")
    return Comparison(round(sim, 4), rev, changes)


def _loco_changes(a: Signature, b: Signature) -> list[str]:
    diff = b.locomotives - a.locomotives
    if diff == 0:
        return []
    n = abs(diff)
    noun = "locomotive" if n == 1 else f"{n} locomotives"
    return [f"{noun} {'attached' if diff > 0 else 'detached'}"]


def similarity(a: Consist, b: Consist, w: Weights = DEFAULT) -> Comparison:
    """Compare two consists (earlier `a`, later `b`); see `compare`."""
    return compare(signature(a), signature(b), w)
