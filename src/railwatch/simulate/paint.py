"""Painters: each turns fine-grid local coordinates (u along, v across an object, metres) into colour and
coverage. Edges use exact box-filter coverage so a feature thinner than a pixel still darkens it by its
share (rails at 3 m GSD), and the renderer area-averages the fine grid down to the output GSD."""

from __future__ import annotations

import numpy as np

from railwatch.simulate import noise

F32 = np.float32


def rgb(hex_color: str) -> np.ndarray:
    """'#rrggbb' -> float32 RGB in [0, 1]."""
    h = hex_color.lstrip("#")
    return np.array([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)], dtype=F32)


def box(d: np.ndarray, half_m: float, px_m: float) -> np.ndarray:
    """Fraction of a pixel of size px_m centred at signed distance d covered by the stripe |d| <= half_m."""
    return (
        np.clip(np.minimum(d + px_m / 2, half_m) - np.maximum(d - px_m / 2, -half_m), 0.0, None) / F32(px_m)
    ).astype(F32)


def periodic(u: np.ndarray, period_m: float, width_m: float, px_m: float) -> np.ndarray:
    """Coverage of stripes `width_m` wide every `period_m` (sleepers, ribs); their mean on coarse pixels."""
    if px_m >= period_m - width_m:
        return np.full(np.shape(u), F32(width_m / period_m))
    d = np.abs(np.mod(u + period_m / 2, period_m) - period_m / 2)
    return box(d, width_m / 2, px_m)


def mix(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per-pixel blend between two RGB colours (t in [0, 1], shape HxW)."""
    return a + (b - a) * t[..., None]


def shade(color: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """A colour times a per-pixel brightness factor -> HxWx3."""
    return color[None, None, :] * factor[..., None].astype(F32)


# --- track bed -------------------------------------------------------------------------------------------

BALLAST = rgb("#7a7166")
BALLAST_INNER = rgb("#5f5348")
RAIL = rgb("#1e1a18")


def ballast(u, v, x, y, gauge_m: float, px_m: float, seed: int):
    """Grey-brown textured ballast bed (about 5 m wide, soft shoulders), rust-darkened between the rails."""
    av = np.clip((2.75 - np.abs(v)) / 0.8, 0.0, 1.0).astype(F32)
    tex = noise.value(x, y, 0.45, seed + 11)
    grain = noise.hash01(np.floor(x / 0.12), np.floor(y / 0.12), seed + 12)
    inner = box(v, gauge_m / 2, px_m)
    col = mix(
        np.broadcast_to(BALLAST, av.shape + (3,)),
        np.broadcast_to(BALLAST_INNER, av.shape + (3,)),
        inner * 0.8,
    )
    col = col * (0.82 + 0.22 * tex + 0.12 * (grain - 0.5))[..., None]
    return col.astype(F32), av


def sleepers(u, v, px_m: float, concrete: bool, spacing_m: float):
    """Cross-ties 2.7 m long, 0.26 m wide every `spacing_m` (visible as a texture at <= 0.5 m)."""
    a = box(v, 1.35, px_m) * periodic(u, spacing_m, 0.26, px_m)
    col = rgb("#7d7a74") if concrete else rgb("#4a3f35")
    return np.broadcast_to(col, a.shape + (3,)), a


def rails(v, gauges_m: tuple[float, ...], px_m: float):
    """Dark rail lines, two per gauge (four-rail dual gauge draws both pairs): head, web shadow and tie
    plates make about 0.2 m of dark per rail."""
    a = np.zeros(np.shape(v), dtype=F32)
    for g in gauges_m:
        r = g / 2 + 0.036
        a = np.maximum(a, np.maximum(box(v - r, 0.1, px_m), box(v + r, 0.1, px_m)))
    return np.broadcast_to(RAIL, a.shape + (3,)), a * F32(0.95)


# --- cars --------------------------------------------------------------------------------------------------

CONTAINER_PAINTS = (
    "#3f6e9e",
    "#9b2a20",
    "#c8642a",
    "#3d6b45",
    "#8c8f91",
    "#d8d6cc",
    "#22385e",
    "#a67c2e",
    "#6b7f3a",
    "#b8b2a0",
)


def car(kind: str, u, v, length_m: float, width_m: float, base_hex: str, px_m: float, seed: int):
    """Top view of one car centred at u=v=0: colour and coverage on the fine grid."""
    half_l = length_m / 2
    half_w = width_m / 2
    alpha = box(u, half_l, px_m) * box(v, half_w, px_m)
    base = rgb(base_hex)
    rng = np.random.default_rng(seed)
    n1 = noise.value(u, v, 0.9, seed)
    n2 = noise.value(u, v, 0.25, seed + 1)
    rv = np.clip(np.abs(v) / half_w, 0, 1)
    if kind == "tank":
        ridge = np.sqrt(np.clip(1 - rv**2, 0, 1))
        f = 0.45 + 0.65 * ridge + 0.08 * (n1 - 0.5)
        col = shade(base, f) + (0.10 * np.exp(-(((v + 0.25 * half_w) / 0.22) ** 2)))[..., None]
        ends = np.abs(u) > half_l - 0.9
        col[ends] = rgb("#3a3836") * 0.9
        dome = (np.abs(u) < 0.55) & (np.abs(v) < 0.55)
        col[dome] = col[dome] * 0.6
    elif kind == "gondola":
        inner = (np.abs(u) < half_l - 0.3) & (np.abs(v) < half_w - 0.2)
        f = 0.9 + 0.1 * (n1 - 0.5) + 0.06 * periodic(u, 1.6, 0.12, px_m)
        col = shade(base, f)
        load = rng.integers(3)
        load_col = (rgb("#1c1c1e"), rgb("#7b746a"), base * 0.45)[load]
        lf = 0.75 + 0.5 * n2
        col[inner] = load_col[None, :] * lf[inner][:, None]
    elif kind == "flat":
        col = shade(base, 0.9 + 0.12 * periodic(u, 0.22, 0.05, px_m) + 0.1 * (n2 - 0.5))
        if rng.random() < 0.5:  # a load of timber or steel in the middle
            lc = rgb("#8a6a45") if rng.random() < 0.6 else rgb("#5a5d60")
            m = (np.abs(u) < half_l * 0.7) & (np.abs(v) < half_w - 0.25)
            col[m] = (
                lc * (0.75 + 0.4 * n2[m])[:, None] * (0.9 + 0.1 * periodic(v, 0.3, 0.1, px_m)[m])[:, None]
            )
    elif kind == "container":
        col = shade(rgb("#2e2e30"), 0.9 + 0.1 * n2)
        boxes = _container_boxes(length_m, rng)
        for i, (start, end) in enumerate(boxes):  # the first box wears the car's (truth) colour
            cc = base if i == 0 else rgb(CONTAINER_PAINTS[rng.integers(len(CONTAINER_PAINTS))])
            m = (u >= start) & (u <= end) & (np.abs(v) < 1.22)
            rib = 0.92 + 0.1 * periodic(u, 0.28, 0.1, px_m)
            col[m] = cc * (rib * (0.95 + 0.1 * n1))[m][:, None]
    elif kind == "covered":
        folds = 0.5 + 0.5 * np.sin(2 * np.pi * u / rng.uniform(0.8, 1.4) + 6 * n1)
        f = 0.72 + 0.22 * folds + 0.2 * (n2 - 0.5) - 0.18 * rv**6
        col = shade(base, f)
        ropes = periodic(u, rng.uniform(1.8, 2.6), 0.06, px_m)
        col = col * (1 - 0.3 * ropes)[..., None]
    elif kind == "passenger":
        f = 0.88 + 0.16 * (1 - rv**2) + 0.05 * (n1 - 0.5)
        col = shade(base, f)
        vents = (np.abs(v) < 0.35) & (periodic(u, 2.6, 0.6, px_m) > 0.5) & (np.abs(u) < half_l - 1.5)
        col[vents] = rgb("#2b2b2b")
    elif kind == "locomotive":
        col = shade(base, 0.92 + 0.1 * (n1 - 0.5))
        hood = (np.abs(v) < half_w - 0.35) & (np.abs(u) < half_l - 2.4)
        col[hood] = rgb("#4a4d50") * (0.9 + 0.15 * n2[hood])[:, None]
        for k in range(3):  # radiator fans towards the rear
            cu = -half_l + 3.4 + 1.4 * k
            fan = (u - cu) ** 2 + v**2 < 0.55**2
            col[fan] = rgb("#151515")
        grille = (np.abs(u - 1.5) < 2.0) & (np.abs(v) < 0.5)
        col[grille] = col[grille] * 0.55
        cab = np.abs(u) > half_l - 2.4
        col[cab] = np.clip(base * 1.25, 0, 1)
        windows = (np.abs(u) > half_l - 0.55) & (np.abs(v) < half_w - 0.4)
        col[windows] = rgb("#1a1f24")
    else:  # boxcar / unknown: ribbed roof, slightly arched
        f = 0.86 + 0.12 * (1 - rv**2) + 0.07 * periodic(u, 0.95, 0.12, px_m) + 0.08 * (n1 - 0.5)
        col = shade(base, f)
    edge = np.clip(1 - (np.maximum(np.abs(u) - half_l + 0.12, np.abs(v) - half_w + 0.12) / 0.12), 0, 1)
    col = col * (0.8 + 0.2 * edge)[..., None]
    return np.clip(col, 0, 1).astype(F32), alpha


def _container_boxes(length_m: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Container extents (u from, u to) on a flat of this length: 20 ft = 6.06 m, 40 ft = 12.19 m boxes."""
    usable = length_m - 1.6
    if usable >= 18.5:
        sizes = [12.19, 6.06] if rng.random() < 0.5 else [6.06, 6.06, 6.06]
    elif usable >= 12.3:
        sizes = [12.19] if rng.random() < 0.5 else [6.06, 6.06]
    else:
        sizes = [6.06]
    if rng.random() < 0.15 and len(sizes) > 1:
        sizes = sizes[:-1]  # a missing box
    total = sum(sizes) + 0.15 * (len(sizes) - 1)
    pos = -total / 2
    out = []
    for s in sizes:
        out.append((pos, pos + s))
        pos += s + 0.15
    return out


def sweep(u, v, half_l: float, half_w: float, su: float, sv: float) -> np.ndarray:
    """Inside test for a box swept along (su, sv): the ground shadow of a box-shaped object (1.0 inside)."""
    lo = np.zeros(np.shape(u), dtype=F32)
    hi = np.ones(np.shape(u), dtype=F32)
    for d, half, s in ((u, half_l, su), (v, half_w, sv)):
        if abs(s) < 1e-6:
            ok = np.abs(d) <= half
            hi = np.where(ok, hi, F32(-1))
        else:
            a = (d - half) / s
            b = (d + half) / s
            lo = np.maximum(lo, np.minimum(a, b))
            hi = np.minimum(hi, np.maximum(a, b))
    return (lo <= hi).astype(F32)


def roof(u, v, length_m: float, width_m: float, base_hex: str, px_m: float, seed: int):
    """A building roof: gabled (one half brighter) or flat with texture."""
    alpha = box(u, length_m / 2, px_m) * box(v, width_m / 2, px_m)
    base = rgb(base_hex)
    n = noise.value(u, v, 0.7, seed)
    gabled = seed % 3 != 0
    f = np.where(v > 0, 1.08, 0.82) if gabled else np.full(np.shape(u), 0.95, dtype=F32)
    col = shade(base, f + 0.1 * (n - 0.5))
    return np.clip(col, 0, 1).astype(F32), alpha
