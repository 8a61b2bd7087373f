"""Car colours compared as people see them: hex sRGB -> CIELAB (D65) and the CIEDE2000 difference.

Signatures and the narrative both need "are these the same colour?" and "what is this colour
called?"; both are answered in CIELAB, where equal distances look roughly equally different."""

from __future__ import annotations

import numpy as np

from railwatch.errors import InputError

Lab = tuple[float, float, float]

_WHITE_D65 = (0.95047, 1.0, 1.08883)


def rgb(hex_color: str) -> tuple[int, int, int]:
    """Parse '#rrggbb' (or 'rrggbb', or '#rgb') into 0-255 integers; raises InputError when malformed."""
    h = hex_color.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    if len(h) != 6:
        raise InputError(f"not a hex colour: {hex_color!r}")
    try:
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    except ValueError:
        raise InputError(f"not a hex colour: {hex_color!r}") from None


def _linear(c: float) -> float:
    c = c / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _f(t: float) -> float:
    return t ** (1.0 / 3.0) if t > (6.0 / 29.0) ** 3 else t / (3.0 * (6.0 / 29.0) ** 2) + 4.0 / 29.0


def lab(hex_color: str) -> Lab:
    """CIELAB (D65) coordinates of an sRGB hex colour."""
    r, g, b = (_linear(v) for v in rgb(hex_color))
    x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b
    fx, fy, fz = (_f(v / w) for v, w in zip((x, y, z), _WHITE_D65, strict=True))
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


def delta_e(lab1: Lab | np.ndarray, lab2: Lab | np.ndarray, k_l: float = 1.0) -> float | np.ndarray:
    """CIEDE2000 colour difference; k_l > 1 discounts lightness (illumination differs between scenes).
    Takes two (L, a, b) triples, or arrays of shape (..., 3) that broadcast, and returns floats alike."""
    x1, x2 = np.asarray(lab1, dtype=float), np.asarray(lab2, dtype=float)
    l1, a1, b1 = x1[..., 0], x1[..., 1], x1[..., 2]
    l2, a2, b2 = x2[..., 0], x2[..., 1], x2[..., 2]
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    c_bar7 = ((c1 + c2) / 2.0) ** 7
    g = 0.5 * (1.0 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = a1 * (1.0 + g), a2 * (1.0 + g)
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.where(c1p > 0, np.degrees(np.arctan2(b1, a1p)) % 360.0, 0.0)
    h2p = np.where(c2p > 0, np.degrees(np.arctan2(b2, a2p)) % 360.0, 0.0)
    zero = c1p * c2p == 0
    dh = h2p - h1p
    dhp = np.where(zero, 0.0, np.where(np.abs(dh) <= 180.0, dh, np.where(dh > 180.0, dh - 360.0, dh + 360.0)))
    d_hp = 2.0 * np.sqrt(c1p * c2p) * np.sin(np.radians(dhp / 2.0))
    dlp, dcp = l2 - l1, c2p - c1p
    lbp, cbp = (l1 + l2) / 2.0, (c1p + c2p) / 2.0
    hs = h1p + h2p
    hbp = np.where(
        zero,
        hs,
        np.where(
            np.abs(h1p - h2p) <= 180.0, hs / 2.0, np.where(hs < 360.0, (hs + 360.0) / 2.0, (hs - 360.0) / 2.0)
        ),
    )
    t = (
        1.0
        - 0.17 * np.cos(np.radians(hbp - 30.0))
        + 0.24 * np.cos(np.radians(2.0 * hbp))
        + 0.32 * np.cos(np.radians(3.0 * hbp + 6.0))
        - 0.20 * np.cos(np.radians(4.0 * hbp - 63.0))
    )
    d_theta = 30.0 * np.exp(-(((hbp - 275.0) / 25.0) ** 2))
    cbp7 = cbp**7
    r_c = 2.0 * np.sqrt(cbp7 / (cbp7 + 25.0**7))
    s_l = 1.0 + 0.015 * (lbp - 50.0) ** 2 / np.sqrt(20.0 + (lbp - 50.0) ** 2)
    s_c = 1.0 + 0.045 * cbp
    s_h = 1.0 + 0.015 * cbp * t
    r_t = -np.sin(np.radians(2.0 * d_theta)) * r_c
    de = np.sqrt(
        (dlp / (k_l * s_l)) ** 2 + (dcp / s_c) ** 2 + (d_hp / s_h) ** 2 + r_t * (dcp / s_c) * (d_hp / s_h)
    )
    return float(de) if np.ndim(de) == 0 else de


def difference(hex1: str, hex2: str, k_l: float = 1.0) -> float:
    """CIEDE2000 difference between two hex colours."""
    return delta_e(lab(hex1), lab(hex2), k_l=k_l)
