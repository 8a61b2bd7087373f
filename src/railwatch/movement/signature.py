"""What makes a consist recognisable from one image to the next: its railcars in order (type,
colour, length) and its locomotives. Similarity ignores orientation and tolerates a locomotive
attached or detached and a car added or dropped, and says what changed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from railwatch.movement.color import Lab, delta_e, lab
from railwatch.records import Consist

ENCLOSED = frozenset({"boxcar", "passenger"})
"""Types that look alike from above (a closed roof): confusing them costs little."""


@dataclass(frozen=True)
class CarMark:
    """One railcar as a signature sees it."""

    type: str
    lab: Lab
    length_m: float


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
    indel: float = 0.7
    """Cost of a car added or dropped (1 would equal a completely different car)."""
    locomotive: float = 0.05
    """Similarity lost per locomotive attached or detached (routine at borders)."""


DEFAULT = Weights()


def signature(consist: Consist) -> Signature:
    """The signature of a consist: railcars ordered by chainage; locomotives counted apart."""
    ordered = sorted(consist.cars, key=lambda c: min(c.start_m, c.end_m))
    marks = tuple(CarMark(c.type, lab(c.color), c.length_m) for c in ordered if not c.is_locomotive)
    return Signature(marks, sum(1 for c in ordered if c.is_locomotive))


def car_cost(a: CarMark, b: CarMark, w: Weights = DEFAULT) -> float:
    """0 for two cars that look identical, up to 1 for cars that cannot be the same."""
    d_col = 1.0 - math.exp(-((delta_e(a.lab, b.lab, k_l=w.lightness_k) / w.color_de) ** 2))
    if a.type == b.type:
        d_type = 0.0
    elif "unknown" in (a.type, b.type) or {a.type, b.type} <= ENCLOSED:
        d_type = 0.3
    else:
        d_type = 1.0
    longest = max(a.length_m, b.length_m, 1e-6)
    d_len = min(1.0, (abs(a.length_m - b.length_m) / longest / w.length_rel) ** 2)
    same = (1.0 - d_col) * (1.0 - 0.7 * d_type) * (1.0 - 0.5 * d_len)
    return 1.0 - same


def cost_matrix(a: tuple[CarMark, ...], b: tuple[CarMark, ...], w: Weights = DEFAULT) -> np.ndarray:
    """`car_cost` for every pair of cars at once (numpy), shape (len(a), len(b))."""
    la = np.array([c.lab for c in a], dtype=float).reshape(-1, 1, 3)
    lb = np.array([c.lab for c in b], dtype=float).reshape(1, -1, 3)
    de = np.asarray(delta_e(la, lb, k_l=w.lightness_k)).reshape(len(a), len(b))
    d_col = 1.0 - np.exp(-((de / w.color_de) ** 2))
    ta = np.array([c.type for c in a], dtype=object).reshape(-1, 1)
    tb = np.array([c.type for c in b], dtype=object).reshape(1, -1)
    enclosed_a = np.isin(ta, list(ENCLOSED))
    enclosed_b = np.isin(tb, list(ENCLOSED))
    soft = (ta == "unknown") | (tb == "unknown") | (enclosed_a & enclosed_b)
    d_type = np.where(ta == tb, 0.0, np.where(soft, 0.3, 1.0))
    lena = np.array([c.length_m for c in a], dtype=float).reshape(-1, 1)
    lenb = np.array([c.length_m for c in b], dtype=float).reshape(1, -1)
    longest = np.maximum(np.maximum(lena, lenb), 1e-6)
    d_len = np.minimum(1.0, (np.abs(lena - lenb) / longest / w.length_rel) ** 2)
    return 1.0 - (1.0 - d_col) * (1.0 - 0.7 * d_type) * (1.0 - 0.5 * d_len)


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
