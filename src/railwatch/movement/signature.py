"""What makes a consist recognisable from one image to the next: its railcars in order (type,
colour, length) and its locomotives. Similarity ignores orientation and tolerates a locomotive
attached or detached and a car added or dropped, and says what changed.

Two cars are alike (0-1) by colour (CIEDE2000), length and type; a type reading only counts as far as
both readings can be trusted (a disagreement of two 0.5-confidence types says little). Evidence is a
likelihood ratio per aligned pair of cars: their likeness over the likeness of either car to an
unrelated car of the period (its `chance`; two grey cuts on a track full of grey cuts say little, two
light-blue boxcars among grey cuts say a lot), with a share of failed readings that look unrelated.
The log ratios of the best alignment add up, with terms for cars added or dropped and locomotives
changed; the similarity is the posterior probability that the two sightings are one consist."""

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
    chance: float | None = None
    """Mean likeness of this car to the cars of other sightings of the period (None: no pool given,
    Weights.default_chance is assumed)."""


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
    """How alike two signatures are (0-1, the posterior probability of one consist), the log likelihood
    ratio behind it, whether the later one is reversed, and what changed."""

    similarity: float
    reversed: bool = False
    changes: list[str] = field(default_factory=list)
    log_lr: float = 0.0


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
    read_failure: float = 0.3
    """Share of one car's readings in two looks that disagree although it is the same car (colour read
    through haze, a shadow or a load, a car split or merged): a pair that looks unrelated is then weak
    evidence against, not proof. In the simulated border scenes about 2 of 6 to 3 of 7 pairs."""
    default_chance: float = 0.25
    """Chance likeness assumed when no pool of the period's cars is given (one car in four alike)."""
    chance_floor: float = 0.05
    """Least chance likeness: one pair of cars never counts for more than a ratio of about 15."""
    indel: float = 0.3
    """Likelihood ratio of a car added or dropped (a shunt, or a car missed by detection)."""
    locomotive: float = 0.05
    """Share of likelihood lost per locomotive attached or detached (routine at borders)."""
    prior_odds: float = 1.0
    """Odds of one consist before the cars are compared (the rail and speed tests come first)."""


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
    """`sig` with each car's chance likeness: its mean likeness to the cars of `pool` (the railcars of
    the other sightings of the period), the likeness expected of an unrelated car."""
    if not sig.cars or not pool:
        return sig
    like = likeness(sig.cars, pool, w)
    cars = tuple(replace(c, chance=float(p)) for c, p in zip(sig.cars, like.mean(axis=1), strict=True))
    return Signature(cars, sig.locomotives)


def car_cost(a: CarMark, b: CarMark, w: Weights = DEFAULT) -> float:
    """Minus the log likelihood ratio that two car readings are one car (negative: evidence for)."""
    return float(cost_matrix((a,), (b,), w)[0, 0])


def cost_matrix(a: tuple[CarMark, ...], b: tuple[CarMark, ...], w: Weights = DEFAULT) -> np.ndarray:
    """`car_cost` for every pair of cars at once (numpy), shape (len(a), len(b)): -log of
    (1 - read_failure) * likeness / chance + read_failure, chance the mean of the two cars' chances."""
    like = likeness(a, b, w)
    pa = np.array([_chance(c, w) for c in a], dtype=float).reshape(-1, 1)
    pb = np.array([_chance(c, w) for c in b], dtype=float).reshape(1, -1)
    ratio = (1.0 - w.read_failure) * like / (0.5 * (pa + pb)) + w.read_failure
    return -np.log(ratio)


def _chance(c: CarMark, w: Weights) -> float:
    return max(w.chance_floor, w.default_chance if c.chance is None else c.chance)


def likeness(a: tuple[CarMark, ...], b: tuple[CarMark, ...], w: Weights = DEFAULT) -> np.ndarray:
    """How alike every pair of cars looks (0-1), shape (len(a), len(b)): the product of colour, type and
    length agreement. A type disagreement only weighs as much as the chance that both readings are right
    (the product of the type confidences)."""
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
    return (1.0 - d_col) * (1.0 - d_type) * (1.0 - 0.5 * d_len)


def align(a: tuple[CarMark, ...], b: tuple[CarMark, ...], w: Weights = DEFAULT) -> tuple[float, int, int]:
    """Edit-distance alignment of two car sequences: (cost = -log likelihood ratio, cars added in b, cars
    dropped from a)."""
    n, m = len(a), len(b)
    sub = cost_matrix(a, b, w).tolist() if n and m else []
    indel = -math.log(w.indel)
    cost = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = i * indel
    for j in range(1, m + 1):
        cost[0][j] = j * indel
    for i in range(1, n + 1):
        row, prev, sub_i = cost[i], cost[i - 1], sub[i - 1]
        for j in range(1, m + 1):
            row[j] = min(prev[j - 1] + sub_i[j - 1], prev[j] + indel, row[j - 1] + indel)
    added = dropped = 0
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and math.isclose(cost[i][j], cost[i - 1][j - 1] + sub[i - 1][j - 1]):
            i, j = i - 1, j - 1
        elif i > 0 and math.isclose(cost[i][j], cost[i - 1][j] + indel):
            dropped += 1
            i -= 1
        else:
            added += 1
            j -= 1
    return cost[n][m], added, dropped


def compare(a: Signature, b: Signature, w: Weights = DEFAULT) -> Comparison:
    """Similarity of a later signature `b` to an earlier `a` (posterior probability of one consist),
    trying both orientations of `b`."""
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
    log_lr = -total + abs(a.locomotives - b.locomotives) * math.log(1.0 - w.locomotive)
    sim = posterior(log_lr, w)
    changes = _loco_changes(a, b)
    if added:
        changes.append(f"{added} car{'s' if added > 1 else ''} added")
    if dropped:
        changes.append(f"{dropped} car{'s' if dropped > 1 else ''} dropped")
    return Comparison(round(sim, 4), rev, changes, round(log_lr, 4))


def posterior(log_lr: float, w: Weights = DEFAULT) -> float:
    """Probability of one consist from the log likelihood ratio of its cars and the prior odds."""
    z = log_lr + math.log(w.prior_odds)
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def best_log_lr(n: int, m: int, w: Weights = DEFAULT) -> float:
    """The most a signature of n cars compared with one of m cars can score (every pair a perfect,
    rare match): a cheap bound to skip hopeless pairs."""
    per_pair = math.log((1.0 - w.read_failure) / w.chance_floor + w.read_failure)
    return min(n, m) * per_pair + abs(n - m) * math.log(w.indel)


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
