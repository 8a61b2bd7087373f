"""Track discovery from pixels: find the centrelines of parallel tracks when no track file is given.

The yard's dominant direction comes from the structure tensor; the image is turned so tracks run
along rows; in short blocks along the tracks, the cross-track profile of dark rail ridges shows
each track as a rail pair (~1.5 m apart) on a lattice of ~4.5-5 m track spacing. Occupied tracks
hide their rails, so lattice gaps of 2-3 spacings are filled; peaks are linked block to block into
lines, which are turned back into image pixel coordinates (col, row).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage as ndi
from shapely.affinity import translate
from shapely.geometry import LineString, box
from shapely.ops import unary_union

__all__ = [
    "Frame",
    "orientation_deg",
    "refine_orientation_deg",
    "frame",
    "rail_ridges",
    "shadow_side",
    "wagon_lines",
    "discover_tracks",
]

WAGON_WIDTH_M = 2.9
"""Typical freight wagon body width (2.6-3.1 m)."""

SCALE_Q = 1.0
PEAK_MIN = 2.5
LINK_TOL = 0.3
RAIL_SPACING_M = 1.5
"""Rail-head centre spacing of standard gauge (1435 mm between inner faces)."""
DARK_PERCENTILE = 10.0
"""Cast shadows of a sunny yard are its darkest tenth of pixels."""
SHADOW_PROBE_M = 2.5
"""How far either side of a shadow pixel the rails are probed: one side is the wagon casting it."""
SUNNY_RATIO = 0.8
"""The shadow side is trusted when the wagon side shows at most this fraction of the other side's rails."""
SHADOW_EDGE_M = (0.2, 1.0)
"""Depth (m) either side of a wagon's long side probed for lit body inside and dark shadow outside."""
GREEN_EXCESS = 0.02
"""Dark pixels whose green exceeds red and blue by this much (0-1) are vegetation, not cast shadow."""
MAX_SHADOW_GSD_M = 0.6
"""Coarser than this a wagon's shadow edge is no longer resolved (same limit as coupler gaps)."""
GAP_M = 2.0
"""Breaks shorter than this along a shadow edge (a coupler, a mast) are closed."""
MIN_WAGON_EDGE_M = 4.0
"""Shadow edges shorter than this are stubs (masts, buildings' corners), not wagons."""
MAX_EDGE_SLOPE = 0.1
"""A wagon's shadow edge runs with the tracks: at most this many rows per column in the frame."""
MAX_EDGE_SPREAD_M = 1.0
"""...and 90 % of its pixels lie within this of the fitted line: the edge band is itself up to 0.8 m
thick (`SHADOW_EDGE_M`), so its row extent is not its slope; wider spread is a blob, not a wagon side."""
END_MARGIN_M = 1.0
"""A wagon line reaches this far past its shadow edge at either end (shadow ends are blurred)."""
MIN_PIECE_PX = 20.0
"""Rail-line pieces shorter than this many pixels after cutting out wagon lines are dropped."""
CUT_SPACINGS = 0.75
"""Rail lines are cut this many track spacings either side of a wagon line: beyond the distance at
which `shared` gives a stretch to one track (3.4 m), short of the neighbouring track (1 spacing)."""


@dataclass
class Frame:
    """An image turned so the tracks run along rows; `matrix` maps image (col, row) to frame (x, y)."""

    gray: np.ndarray
    valid: np.ndarray
    matrix: np.ndarray
    angle_deg: float

    def to_image(self, xy: np.ndarray) -> np.ndarray:
        """Frame (x, y) points (N, 2) back to image (col, row)."""
        inv = cv2.invertAffineTransform(self.matrix)
        return np.asarray(xy, float) @ inv[:, :2].T + inv[:, 2]

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Image (col, row) points (N, 2) to frame (x, y)."""
        return np.asarray(xy, float) @ self.matrix[:, :2].T + self.matrix[:, 2]


def _gray(image: np.ndarray) -> np.ndarray:
    a = np.asarray(image, dtype=np.float32)
    if a.ndim == 2:
        return a
    if a.ndim != 3:
        raise ValueError(f"expected a (bands, H, W) image, got shape {a.shape}")
    return a[:3].mean(axis=0) if a.shape[0] >= 3 else a[0]


def orientation_deg(gray: np.ndarray, valid: np.ndarray | None = None) -> float:
    """Dominant line direction in degrees, image (col, row) convention (row down), in (-90, 90].

    The coherence-weighted histogram of local structure-tensor orientations peaks at the tracks.
    """
    g = cv2.GaussianBlur(np.asarray(gray, np.float32), (0, 0), 2.5)  # thin rails bias small scales to 0 deg
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), 3)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), 3)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), 3)
    theta = 0.5 * np.degrees(np.arctan2(2 * jxy, jxx - jyy))  # gradient direction
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2)
    if valid is not None:
        coherence = coherence * valid
    hist, edges = np.histogram(theta, bins=360, range=(-90, 90), weights=coherence)
    hist = np.convolve(np.r_[hist[-4:], hist, hist[:4]], np.ones(9) / 9, mode="same")[4:-4]
    peak = 0.5 * (edges[np.argmax(hist)] + edges[np.argmax(hist) + 1])
    # refine: weighted circular mean (period 180) within 3 degrees of the peak
    d = (theta - peak + 90) % 180 - 90
    near = np.abs(d) < 3
    if near.any():
        peak = peak + float(np.average(d[near], weights=coherence[near] + 1e-12))
    line = peak + 90.0
    return float((line + 90) % 180 - 90)


def frame(image: np.ndarray, valid: np.ndarray | None = None, angle_deg: float | None = None) -> Frame:
    """Turn a (bands, H, W) image so its dominant track direction runs along rows."""
    gray = _gray(image)
    h, w = gray.shape
    vmask = np.ones((h, w), np.float32) if valid is None else np.asarray(valid, np.float32)
    angle = (
        refine_orientation_deg(gray, vmask, orientation_deg(gray, vmask)) if angle_deg is None else angle_deg
    )
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c) + 1, int(h * c + w * s) + 1
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    g = cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=0.0)
    v = cv2.warpAffine(vmask, m, (nw, nh), flags=cv2.INTER_NEAREST, borderValue=0.0) > 0.5
    return Frame(g, v, m, angle)


def refine_orientation_deg(
    gray: np.ndarray, valid: np.ndarray, start_deg: float, span_deg: float = 4.0, step_deg: float = 0.25
) -> float:
    """The angle near `start_deg` whose projection along the tracks gives the sharpest rail profile.

    Yards hold groups of tracks at slightly different angles; the structure tensor averages them,
    the projection picks the strongest group.
    """
    best, best_score = start_deg, -1.0
    for angle in np.arange(start_deg - span_deg, start_deg + span_deg + 1e-9, step_deg):
        fr = frame(gray[None], valid, angle_deg=float(angle))
        r = rail_ridges(fr)
        block = max(r.shape[1] // 5, 16)
        score = 0.0
        for x0 in range(0, r.shape[1] - block + 1, block):
            prof = r[:, x0 : x0 + block].sum(1) / np.maximum(fr.valid[:, x0 : x0 + block].sum(1), 1)
            score += float(np.var(np.diff(prof)))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def rail_ridges(fr: Frame) -> np.ndarray:
    """Dark-line (rail) ridge strength across rows: positive second derivative across the track."""
    g = cv2.GaussianBlur(fr.gray, (0, 0), 0.7)
    dyy = cv2.Sobel(g, cv2.CV_32F, 0, 2, ksize=3)
    return np.maximum(dyy, 0) * fr.valid


def _pair_ridges(fr: Frame, gsd_m: float) -> np.ndarray:
    """Rail-pair strength per frame pixel: both rails of a track ~1.5 m apart are dark ridges."""
    ridge = rail_ridges(fr)
    half = RAIL_SPACING_M / 2 / gsd_m
    lo, hi = int(np.floor(half)), int(np.ceil(half))
    above = 0.5 * (np.roll(ridge, lo, 0) + np.roll(ridge, hi, 0))
    below = 0.5 * (np.roll(ridge, -lo, 0) + np.roll(ridge, -hi, 0))
    return np.minimum(above, below)


def shadow_side(fr: Frame, gsd_m: float, shade: np.ndarray) -> int:
    """Which way (+1: to larger frame rows, -1: smaller, 0: not sunny) wagons cast their shadows.

    A cast shadow lies between the wagon casting it, whose body hides the rails, and open ground whose
    rails show: the side of the shadow pixels with clearly fewer rail ridges is the wagon side.
    `shade` marks the cast-shadow pixels of the frame.
    """
    shade = shade & fr.valid
    if shade.sum() < 100:
        return 0
    pair = _pair_ridges(fr, gsd_m)
    k = max(int(round(SHADOW_PROBE_M / gsd_m)), 1)
    before = float(np.roll(pair, k, 0)[shade].mean())  # rails at row - k
    after = float(np.roll(pair, -k, 0)[shade].mean())  # rails at row + k
    if min(before, after) > SUNNY_RATIO * max(before, after):
        return 0
    return -1 if after < before else 1


def _shadow_edges(fr: Frame, gsd_m: float, shade_mask: np.ndarray, side: int) -> np.ndarray:
    """Per frame pixel, how clearly a wagon centred on that row meets its own shadow at its long side."""
    shade = (shade_mask & fr.valid).astype(np.float32)
    hw = WAGON_WIDTH_M / 2 / gsd_m
    a, b = (max(int(round(v / gsd_m)), 1) for v in SHADOW_EDGE_M)
    out_rows = [int(round(hw)) + d for d in range(a, b + 1)]
    in_rows = [int(round(hw)) - d for d in range(a, b + 1)]
    outside = sum(np.roll(shade, -side * r, 0) for r in out_rows) / len(out_rows)
    inside = sum(np.roll(shade, -side * r, 0) for r in in_rows) / len(in_rows)
    return np.clip(outside - inside, 0.0, 1.0) * fr.valid


def cast_shadows(image: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Cast-shadow pixels of a sunny image: its darkest tenth, leaving out dark vegetation (green)."""
    img = np.asarray(image, np.float32)
    gray = _gray(img)
    ok = np.ones(gray.shape, bool) if valid is None else np.asarray(valid, bool)
    if not ok.any():
        return np.zeros(gray.shape, bool)
    dark = gray < float(np.percentile(gray[ok], DARK_PERCENTILE))
    if img.ndim == 3 and img.shape[0] >= 3:
        dark &= img[1] - np.maximum(img[0], img[2]) < GREEN_EXCESS
    return dark & ok


def wagon_lines(
    image: np.ndarray, gsd_m: float, valid: np.ndarray | None = None, angle_deg: float | None = None
) -> list[LineString]:
    """Centrelines of standing wagons on sunny sub-metre imagery, from the long edge each shares with
    its own cast shadow; empty when the image shows no consistent shadow side (overcast, coarse).

    Occupied tracks hide their rails, so rail-based discovery misses or offsets them; the shadow edge
    lies exactly one half wagon width from the wagon's centreline.
    """
    fr = frame(image, valid, angle_deg=angle_deg)
    if gsd_m > MAX_SHADOW_GSD_M or not fr.valid.any():
        return []
    shadows = cast_shadows(image, valid)[None].astype(np.float32)
    shade = frame(shadows, valid, angle_deg=fr.angle_deg).gray > 0.5
    side = shadow_side(fr, gsd_m, shade)
    if not side:
        return []
    edge = _shadow_edges(fr, gsd_m, shade, side) > 0.5
    edge = ndi.binary_closing(edge, np.ones((1, max(int(round(GAP_M / gsd_m)), 1)), bool)) | edge
    labels, n = ndi.label(edge)
    out = []
    for k, sl in enumerate(ndi.find_objects(labels), start=1):
        if sl is None:
            continue
        ys, xs = np.nonzero(labels[sl] == k)
        xs, ys = xs + sl[1].start, ys + sl[0].start
        if np.ptp(xs) < MIN_WAGON_EDGE_M / gsd_m:
            continue
        slope, icpt = np.polyfit(xs, ys, 1)
        spread = float(np.percentile(np.abs(ys - (slope * xs + icpt)), 90))
        if abs(slope) > MAX_EDGE_SLOPE or spread > MAX_EDGE_SPREAD_M / gsd_m:
            continue
        x0, x1 = xs.min() - END_MARGIN_M / gsd_m, xs.max() + END_MARGIN_M / gsd_m
        out.append(LineString(fr.to_image(np.array([[x0, slope * x0 + icpt], [x1, slope * x1 + icpt]]))))
    return out


def _without(lines: list[LineString], wagons: list[LineString], radius_px: float) -> list[LineString]:
    """Rail-found lines with the stretches alongside a wagon line cut out (that wagon is counted once)."""
    zone = unary_union([w.buffer(radius_px, cap_style="flat") for w in wagons])
    out = []
    for ln in lines:
        rest = ln.difference(zone)
        for g in getattr(rest, "geoms", [rest]):
            if isinstance(g, LineString) and g.length >= MIN_PIECE_PX:
                out.append(g)
    return out


def _block_profiles(
    m: np.ndarray, valid: np.ndarray, block_px: int
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Mean of `m` across each block of columns (half-overlapping), with the valid fraction per row."""
    out = []
    w = m.shape[1]
    for x0 in range(0, max(w - block_px // 2, 1), block_px // 2):
        x1 = min(x0 + block_px, w)
        vv = valid[:, x0:x1].sum(axis=1)
        prof = (m[:, x0:x1] * valid[:, x0:x1]).sum(axis=1) / np.maximum(vv, 1)
        out.append((x0 + (x1 - x0) // 2, prof, vv / max(x1 - x0, 1)))
    return out


def _robust_z(prof: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """How far each row stands above the block's typical row, in robust standard deviations."""
    med = float(np.median(prof[ok]))
    mad = float(np.median(np.abs(prof[ok] - med))) * 1.4826 + 1e-9
    return np.where(ok, (prof - med) / mad, 0.0)


def _lattice_peaks(score: np.ndarray, spacing_px: float, threshold: float = 1.0) -> list[float]:
    """Rows that maximise the summed score above `threshold`, spaced like tracks (dynamic programming).

    Neighbouring tracks sit 0.85-1.2 spacings apart; a wider gap (>= 1.5 spacings) starts a new group.
    """
    n = len(score)
    gain = score - threshold
    near_lo, near_hi, far = (
        int(np.floor(0.85 * spacing_px)),
        int(np.ceil(1.2 * spacing_px)),
        int(1.5 * spacing_px),
    )
    best = np.full(n, -np.inf)
    prev = np.full(n, -1)
    run_max = np.full(n, 0.0)  # best total ending at or before row i (0 = nothing chosen)
    run_arg = np.full(n, -1)
    for y in range(n):
        cand, arg = 0.0, -1
        if y - far >= 0 and run_max[y - far] > cand:
            cand, arg = run_max[y - far], run_arg[y - far]
        lo, hi = max(y - near_hi, 0), y - near_lo
        if hi >= lo and hi >= 0:
            j = lo + int(np.argmax(best[lo : hi + 1]))
            if best[j] > cand:
                cand, arg = best[j], j
        best[y] = gain[y] + cand
        prev[y] = arg
        run_max[y], run_arg[y] = (
            (best[y], y) if y == 0 or best[y] > run_max[y - 1] else (run_max[y - 1], run_arg[y - 1])
        )
    out = []
    y = int(run_arg[-1]) if n else -1
    while y >= 0:
        out.append(float(y))
        y = int(prev[y])
    return sorted(out)


def _fill_lattice(peaks: np.ndarray, spacing_px: float) -> list[float]:
    """Add tracks in gaps of about 2 or 3 track spacings between found tracks (occupied tracks)."""
    out = [float(p) for p in peaks]
    for a, b in zip(peaks[:-1], peaks[1:], strict=False):
        k = (b - a) / spacing_px
        n = int(round(k))
        if 2 <= n <= 3 and abs(k - n) < 0.25 * n:
            out += [a + (b - a) * j / n for j in range(1, n)]
    return sorted(out)


def _link(blocks: list[tuple[int, list[float]]], tol_px: float) -> list[list[tuple[int, float]]]:
    """Chain per-block track offsets into tracks: each joins the nearest chain of the previous block."""
    chains: list[list[tuple[int, float]]] = []
    open_chains: list[int] = []
    for x, ys in blocks:
        used: set[int] = set()
        new_open: list[int] = []
        for y in ys:
            best, best_d = None, tol_px
            for ci in open_chains:
                if ci in used:
                    continue
                d = abs(chains[ci][-1][1] - y)
                if d <= best_d:
                    best, best_d = ci, d
            if best is None:
                chains.append([(x, y)])
                new_open.append(len(chains) - 1)
            else:
                chains[best].append((x, y))
                used.add(best)
                new_open.append(best)
        open_chains = new_open
    return chains


def _track_offsets(
    fr: Frame, gsd_m: float, spacing_px: float, block_px: int
) -> list[tuple[int, list[float]]]:
    """Per block of columns in the frame, the row offsets of track centres (rail pairs + lattice gaps)."""
    pair = _pair_ridges(fr, gsd_m)  # both rails of the pair must be there
    # wagon bodies hide the rails: a pair of long edges one wagon width apart marks an occupied track
    g = cv2.GaussianBlur(fr.gray, (0, 0), 1.0)
    edge = np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)) * fr.valid
    hw = int(round(WAGON_WIDTH_M / 2 / gsd_m))
    body = np.minimum(np.roll(edge, hw, 0), np.roll(edge, -hw, 0))
    # a shadow is a dark band between two edges too; wagon roofs are lighter than their shadows
    lit = np.clip((cv2.GaussianBlur(fr.gray, (0, 0), 1.5) - 0.15) / 0.2, 0, 1)
    body = body * lit
    pair = pair * lit
    blocks = []
    for (x, prof, vfrac), (_, bprof, _) in zip(
        _block_profiles(pair, fr.valid, block_px), _block_profiles(body, fr.valid, block_px), strict=True
    ):
        ok = vfrac > 0.5
        if not ok.any():
            continue
        rails = _robust_z(prof, ok)
        cars = _robust_z(bprof, ok)
        found = _lattice_peaks(rails + cars, spacing_px, PEAK_MIN)
        blocks.append((x, _fill_lattice(np.array(found), spacing_px)))
    return blocks


def _tile_lines(image: np.ndarray, valid: np.ndarray | None, gsd_m: float, spacing_px: float, angle0: float):
    """Track pieces in one tile, in tile pixel coordinates, found in the tile's own track frame."""
    gray = _gray(image)
    vmask = np.ones(gray.shape, np.float32) if valid is None else np.asarray(valid, np.float32)
    if vmask.mean() < 0.2:
        return []
    angle = refine_orientation_deg(gray, vmask, angle0, span_deg=5.0)
    fr = frame(gray[None], vmask, angle_deg=angle)
    block_px = max(int(round(25.0 / gsd_m)), 16)
    chains = _link(_track_offsets(fr, gsd_m, spacing_px, block_px), tol_px=max(LINK_TOL * spacing_px, 2.0))
    lines = []
    for ch in chains:
        if len(ch) < 2:
            continue
        xy = np.array(ch, float)
        xy = np.vstack([[xy[0, 0] - block_px / 2, xy[0, 1]], xy, [xy[-1, 0] + block_px / 2, xy[-1, 1]]])
        lines.append(LineString(fr.to_image(xy)))
    return lines


def _join(pieces: list[LineString], tol_px: float, max_turn_deg: float = 8.0) -> list[LineString]:
    """Join pieces end to start where they meet (within `tol_px`) and run the same way."""

    def direction(ln: LineString) -> np.ndarray:
        c = np.asarray(ln.coords)
        d = c[-1] - c[0]
        return d / (np.linalg.norm(d) + 1e-12)

    lines = [np.asarray(p.coords) for p in pieces]
    changed = True
    while changed:
        changed = False
        for i in range(len(lines)):
            if lines[i] is None:
                continue
            for j in range(len(lines)):
                if i == j or lines[j] is None:
                    continue
                a, b = lines[i], lines[j]
                if np.linalg.norm(a[-1] - b[0]) > tol_px:
                    continue
                da, db = direction(LineString(a)), direction(LineString(b))
                if np.degrees(np.arccos(np.clip(np.dot(da, db), -1, 1))) > max_turn_deg:
                    continue
                lines[i] = np.vstack([a, b[1:]])
                lines[j] = None
                changed = True
    return [LineString(c) for c in lines if c is not None]


def discover_tracks(
    image: np.ndarray, gsd_m: float, valid: np.ndarray | None = None, spacing_m: float = 4.6
) -> list[LineString]:
    """Track centrelines in image pixel coordinates (col, row), ordered across the tracks.

    `image` is (bands, H, W) scaled 0-1; `valid` masks pixels that carry data. The image is cut in
    overlapping tiles about 100 m wide; each tile finds its own track direction (yards fan out), and
    the pieces inside each tile's core are joined into lines across tiles.
    """
    img = np.asarray(image, np.float32)
    if img.ndim == 2:
        img = img[None]
    _, h, w = img.shape
    gray = _gray(img)
    angle0 = orientation_deg(gray, None if valid is None else np.asarray(valid, np.float32))
    spacing_px = spacing_m / gsd_m
    tile = int(min(max(round(100.0 / gsd_m), 64), max(h, w)))
    step = max(tile // 2, 1)
    pieces: list[LineString] = []
    ys = list(range(0, max(h - tile, 0) + 1, step)) or [0]
    xs = list(range(0, max(w - tile, 0) + 1, step)) or [0]
    if ys[-1] + tile < h:
        ys.append(h - tile)
    if xs[-1] + tile < w:
        xs.append(w - tile)
    for y0 in ys:
        for x0 in xs:
            sub = img[:, y0 : y0 + tile, x0 : x0 + tile]
            sv = None if valid is None else np.asarray(valid)[y0 : y0 + tile, x0 : x0 + tile]
            # the core of the tile: the central half, reaching the image edge for edge tiles
            cx0 = 0 if x0 == xs[0] else x0 + tile / 4
            cx1 = w if x0 == xs[-1] else x0 + 3 * tile / 4
            cy0 = 0 if y0 == ys[0] else y0 + tile / 4
            cy1 = h if y0 == ys[-1] else y0 + 3 * tile / 4
            core = box(cx0, cy0, cx1, cy1)
            for ln in _tile_lines(sub, sv, gsd_m, spacing_px, angle0):
                part = translate(ln, x0, y0).intersection(core)
                for g in getattr(part, "geoms", [part]):
                    if isinstance(g, LineString) and g.length >= 0.25 * tile:
                        pieces.append(g)
    lines = _join(pieces, tol_px=max(0.2 * spacing_px, 2.0))
    wagons = wagon_lines(img, gsd_m, valid, angle0)
    if wagons:
        lines = _without(lines, wagons, CUT_SPACINGS * spacing_px) + wagons
    t = np.radians(angle0)
    normal = np.array([-np.sin(t), np.cos(t)])
    lines.sort(
        key=lambda ln: float(np.dot(np.asarray(ln.interpolate(0.5, normalized=True).coords[0]), normal))
    )
    return lines
