"""Locomotives found from their top view: a long hood between two short cabs of another colour.

A freight locomotive seen from above at 0.3-0.6 m is a 16-24 m body whose ends (the cabs, about 2 m of
roof each) differ in colour from the long hood between them (grey roof equipment, fans, walkways), and
whose two cabs look alike. That pattern is what splits a locomotive from the car coupled to it: the
hood's grey is often as close to the empty track as a coupler gap is, so the coupler-gap split can cut
a locomotive through its hood and give its cab to the neighbouring car. Single-cab (road-switcher)
locomotives whose cab sits off the end are not found here; `types.classify` still types a whole one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from railwatch.imagery.corridor import Strip

CONFIDENCE = 0.8
"""Confidence given to a locomotive found by its cab-hood-cab pattern."""
BODY_HALF_M = 1.0
"""Half width of the roof band whose colour is read (inside a 2.8-3.2 m wide body)."""
LENGTH_M = (16.0, 24.5)
"""Shortest and longest locomotive section (over couplers)."""
CAB_M = (1.0, 3.5)
"""Length of the bright cab roof at each end (windows excluded)."""
WINDOWS_M = 0.6
"""Dark windscreen strip between a cab's roof and the end of the body."""
CAB_CONTRAST = 0.09
"""Smallest RGB distance (0-1) between the cabs and the hood."""
CAB_MATCH = 0.6
"""Largest difference between the two cabs, as a share of their contrast to the hood."""
CAB_LIFT = 0.03
"""Cabs are lighter than the hood by at least this much (0-1 grey): painted cab roofs over a grey
hood of fans and grilles; a darker stretch at both ends is a pair of coupler gaps, not cabs."""
CAR_INSIDE_M = 8.5
"""A piece at least this long (the shortest railcar) with coupler gaps on both sides is a car."""
CAB_SPREAD = 0.3
"""Largest RGB spread within a cab roof, as a share of its contrast to the hood (a cab is one plateau,
not the blurred edge of a neighbouring car)."""
GAP_DIP = 0.03
"""A row this much darker (0-1 grey) than both the cab and the hood beside it is a coupler gap."""
HOOD_SPREAD = 0.6
"""Largest RGB spread along the hood, as a share of the cab contrast (the hood is one surface)."""
HOOD_SPREAD_MAX = 0.15
"""Largest RGB spread (0-1) along the hood whatever the cab contrast: one grey surface with fans and
grilles stays well below it, while boxes of two paints side by side (a container flat, whose light end
box would pass for a strongly contrasting cab) exceed it."""


def row_colours(strip: Strip, i0: int = 0, i1: int | None = None) -> np.ndarray:
    """Median RGB (rows x 3) of the roof band along rows [i0, i1) of the strip (a single band is repeated)."""
    cols = np.abs(strip.across_m) <= BODY_HALF_M + 1e-9
    px = strip.pixels[:, i0:i1, cols]
    if px.shape[0] < 3:
        px = np.repeat(px[:1], 3, axis=0)
    return np.median(px[:3], axis=2).T


CAB_CORE_M = (0.8, 2.2)
"""Where a cab roof is read, in metres from the end of the body (past the windscreen, short of the hood)."""
HOOD_INSET_M = 3.0
"""The hood is read from this far inside each end."""


def _means(c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean of rows [a, b) from a cumulative sum with a leading zero row (vectorised over a, b)."""
    return (c[b] - c[a]) / np.maximum(b - a, 1)[:, None]


def _row_norms(x: np.ndarray) -> np.ndarray:
    """`np.linalg.norm(x, axis=1)` of a real 2-D array, to the bit (its own sum of squares per row),
    without its per-call overhead: `find` takes a dozen of them per consist."""
    return np.sqrt(np.add.reduce(x * x, axis=1))


def _gap_between(
    lum: np.ndarray, s: int, e: int, cb: int, inset: int, cab1: np.ndarray, cab2: np.ndarray, hood: np.ndarray
) -> bool:
    """True when a row between a cab and the hood is darker than both: a coupler gap, so the 'cab' is
    the end of the next car, not part of this body."""
    h = float(hood.mean())
    for lo, hi, cab in ((s + cb, s + inset + 1, cab1), (e - inset - 1, e - cb, cab2)):
        seg = lum[lo:hi]
        if seg.size and float(seg.min()) < min(h, float(cab.mean())) - GAP_DIP:
            return True
    return False


def find(
    strip: Strip,
    i0: int,
    i1: int,
    reject: Callable[[tuple[int, int, float]], bool] | None = None,
    colours: np.ndarray | None = None,
) -> list[tuple[int, int, float]]:
    """Locomotives (start row, end row, score) inside rows [i0, i1) of a re-centred 0-1 strip; the
    best-scoring non-overlapping spans that `reject` does not turn down. `colours`: `row_colours` of
    the whole strip when the caller has them (one median pass per strip, not per consist)."""
    step = strip.step_m
    rgb = (row_colours(strip, i0, i1) if colours is None else colours[i0:i1]).astype(float)
    n = rgb.shape[0]
    c1s = np.vstack([np.zeros((1, 3)), np.cumsum(rgb, axis=0)])
    c2s = np.vstack([np.zeros((1, 3)), np.cumsum(rgb**2, axis=0)])
    ca, cb = (int(round(x / step)) for x in CAB_CORE_M)
    inset = int(round(HOOD_INSET_M / step))
    lum = rgb.mean(axis=1)
    # every (length, start) span at once, in the order of the length-by-length scan (ties keep it)
    ms = [int(round(length / step)) for length in np.arange(LENGTH_M[0], LENGTH_M[1] + 1e-9, step)]
    ms = ms[: next((k for k, m in enumerate(ms) if m > n), len(ms))]
    if not ms:
        return []
    r1 = int(round(CAB_M[1] / step))
    # A cab must differ by half the least contrast from what lies just inside and just outside it:
    # tested once per start (and per end) row, only spans passing at both ends are scored below.
    m0 = min(ms)
    half = 0.5 * CAB_CONTRAST
    a = np.arange(0, n - m0 + 1)
    cab = _means(c1s, a + ca, a + cb)
    s_ok = _row_norms(_means(c1s, a + r1, a + r1 + ca) - cab) >= half
    s_ok &= _row_norms(_means(c1s, np.maximum(a - ca, 0), a + 1) - cab) >= half
    b = np.arange(m0, n + 1)
    cab = _means(c1s, b - cb, b - ca)
    e_ok = _row_norms(_means(c1s, b - r1 - ca, b - r1) - cab) >= half
    e_ok &= _row_norms(_means(c1s, b - 1, np.minimum(b + ca, n)) - cab) >= half
    # per length (rows, in scan order) and start (columns): both ends pass; row-major nonzero keeps the
    # order of a length-by-length scan
    m_col = np.asarray(ms)[:, None]
    a_row = np.arange(n - m0 + 1)[None, :]
    both = (a_row <= n - m_col) & s_ok[a_row] & e_ok[np.minimum(a_row + m_col - m0, n - m0)]
    length_k, s = np.nonzero(both)
    e = s + m_col[length_k, 0]
    cab1 = _means(c1s, s + ca, s + cb)
    cab2 = _means(c1s, e - cb, e - ca)
    hood = _means(c1s, s + inset, e - inset)
    contrast = np.minimum(_row_norms(cab1 - hood), _row_norms(cab2 - hood))
    # every test below is per span: score only the spans whose cabs stand out from the hood
    keep = np.flatnonzero(contrast >= CAB_CONTRAST)
    s, e, contrast = s[keep], e[keep], contrast[keep]
    cab1, cab2, hood = cab1[keep], cab2[keep], hood[keep]
    var = _means(c2s, s + inset, e - inset) - hood**2
    spread = np.sqrt(np.clip(var, 0, None).sum(axis=1))
    match = _row_norms(cab1 - cab2)
    flat1 = _means(c2s, s + ca, s + cb) - cab1**2
    flat2 = _means(c2s, e - cb, e - ca) - cab2**2
    cab_spread = np.sqrt(np.clip(np.maximum(flat1, flat2), 0, None).sum(axis=1))
    lift = np.minimum(cab1.mean(axis=1), cab2.mean(axis=1)) - hood.mean(axis=1)
    ok = (contrast >= CAB_CONTRAST) & (match <= CAB_MATCH * contrast) & (spread <= HOOD_SPREAD * contrast)
    ok &= spread <= HOOD_SPREAD_MAX
    ok &= (lift >= CAB_LIFT) & (cab_spread <= CAB_SPREAD * contrast)
    # each cab is a short block: the hood starts right behind it, and what lies past the
    # windscreen (gap, next car) is not cab-coloured either
    pad = np.maximum(s - ca, 0)
    inside1 = _means(c1s, s + r1, s + r1 + ca)
    inside2 = _means(c1s, e - r1 - ca, e - r1)
    out1 = _means(c1s, pad, s + 1)
    out2 = _means(c1s, e - 1, np.minimum(e + ca, n))
    for cab, inner, outer in ((cab1, inside1, out1), (cab2, inside2, out2)):
        ok &= _row_norms(inner - cab) >= 0.5 * contrast
        ok &= _row_norms(outer - cab) >= 0.5 * contrast
    score = contrast - spread - match
    found: list[tuple[int, int, float]] = []
    for j in np.flatnonzero(ok):
        if _gap_between(lum, int(s[j]), int(e[j]), cb, inset, cab1[j], cab2[j], hood[j]):
            continue
        found.append((i0 + int(s[j]), i0 + int(e[j]), float(score[j])))
    found.sort(key=lambda x: -x[2])
    kept: list[tuple[int, int, float]] = []
    for s0, e0, sc in found:
        if reject is not None and reject((s0, e0, sc)):
            continue
        if all(e0 <= a or s0 >= b for a, b, _ in kept):
            kept.append((s0, e0, sc))
    return sorted(kept)


def carve(
    pieces: list[tuple[int, int, float]], locos: list[tuple[int, int, float]], step: float, min_m: float
) -> tuple[list[tuple[int, int, float]], set[int]]:
    """Pieces re-cut around locomotive spans: a piece overlapping a locomotive keeps only its part
    outside it (when that part is still at least `min_m` long); returns pieces and locomotive indexes."""
    gap = max(1, int(round(0.5 / step)))
    out: list[tuple[int, int, float, bool]] = []
    for a, b, amb in pieces:
        parts = [(a, b)]
        for s, e, _ in locos:
            nxt = []
            for x, y in parts:
                if y <= s or x >= e:
                    nxt.append((x, y))
                    continue
                if x < s - gap:
                    nxt.append((x, s - gap))
                if y > e + gap:
                    nxt.append((e + gap, y))
            parts = nxt
        out += [(x, y, amb, False) for x, y in parts if (y - x) * step >= min_m]
    out += [(s, e, 0.0, True) for s, e, _ in locos]
    out.sort()
    return [(a, b, amb) for a, b, amb, _ in out], {k for k, p in enumerate(out) if p[3]}


def _gap_at_cab(span: tuple[int, int, float], pieces: list[tuple[int, int, float]], step: float) -> bool:
    """True when a coupler gap between two consecutive pieces runs through either cab roof of the span
    (CAB_CORE_M): a cab is a body, so a 'cab' read on a gap is the track between two cars, lighter than
    them, and the 'hood' between is a car. Gaps elsewhere are allowed: a grey hood may read as track,
    right behind a cab too."""
    s, e, _ = span
    z0, z1 = (int(round(x / step)) for x in CAB_CORE_M)
    ordered = sorted(pieces)
    for (_, ga, _), (gb, _, _) in zip(ordered, ordered[1:], strict=False):
        for lo, hi in ((s + z0, s + z1), (e - z1, e - z0)):
            if ga < hi and gb > lo:
                return True
    return False


def _contains_car(span: tuple[int, int, float], pieces: list[tuple[int, int, float]], step: float) -> bool:
    """True when a span wholly holds a car-length piece much shorter than itself: the coupler gaps on
    both sides of that piece say it is a car of its own, and a locomotive holds no car."""
    s, e, _ = span
    return any(
        s <= a and b <= e and (b - a) * step >= CAR_INSIDE_M and (b - a) < 0.7 * (e - s) for a, b, _ in pieces
    )


def _at_ends(
    found: list[tuple[int, int, float]], group: list[tuple[int, int, float]], step: float
) -> list[tuple[int, int, float]]:
    """The spans that lead or trail their consist (locomotives haul from an end): on one side only
    locomotives already kept, or car pieces too short to be cars, lie between the span and the end."""
    kept: list[tuple[int, int, float]] = []
    changed = True
    while changed:
        changed = False
        for sp in found:
            if sp in kept:
                continue
            for side in (-1, 1):
                cars = [
                    (a, b)
                    for a, b, _ in group
                    if (b <= sp[0] + 1 if side < 0 else a >= sp[1] - 1)
                    and (b - a) * step >= CAR_INSIDE_M
                    and not any(k[0] - 2 <= a and b <= k[1] + 2 for k in kept)
                    and (min(b, sp[1]) - max(a, sp[0])) < 0.5 * (b - a)
                ]
                if not cars:
                    kept.append(sp)
                    changed = True
                    break
    return sorted(kept)


def split_off(
    strip: Strip, pieces: list[tuple[int, int, float]], min_m: float
) -> tuple[list[tuple[int, int, float]], set[int]]:
    """Locomotives found in each consist of pieces (rows, gaps <= 3 m), cut out of the pieces they
    straddle; returns the new pieces in order and the indexes of the locomotives among them."""
    step = strip.step_m
    if not pieces:
        return pieces, set()
    ordered = sorted(pieces)
    groups: list[list[tuple[int, int, float]]] = [[ordered[0]]]
    for pc in ordered[1:]:
        if (pc[0] - groups[-1][-1][1]) * step > 3.0:
            groups.append([pc])
        else:
            groups[-1].append(pc)
    # a locomotive's grey hood may read as empty track (on a bridge deck, say): look past the ends
    pad = int(round(LENGTH_M[1] / step))
    n = strip.pixels.shape[1]
    locos: list[tuple[int, int, float]] = []
    colours: np.ndarray | None = None
    for g in groups:
        if (g[-1][1] - g[0][0]) * step < LENGTH_M[0] - 1.0:
            continue
        def reject(sp: tuple[int, int, float], g: list[tuple[int, int, float]] = g) -> bool:
            return _contains_car(sp, g, step) or _gap_at_cab(sp, g, step)

        colours = row_colours(strip) if colours is None else colours
        found = find(strip, max(0, g[0][0] - pad), min(n, g[-1][1] + pad), reject, colours)
        locos += _at_ends(found, g, step)
    if not locos:
        return ordered, set()
    return carve(ordered, locos, step, min_m)
