"""Car colours compared as people see them: hex sRGB -> CIELAB (D65) and the CIEDE2000 difference.

Signatures and the narrative both need "are these the same colour?" and "what is this colour
called?"; both are answered in CIELAB, where equal distances look roughly equally different."""

from __future__ import annotations

import math

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


def delta_e(lab1: Lab, lab2: Lab, k_l: float = 1.0) -> float:
    """CIEDE2000 colour difference; k_l > 1 discounts lightness (illumination differs between scenes)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1 = math.hypot(a1, b1)
    c2 = math.hypot(a2, b2)
    c_bar7 = ((c1 + c2) / 2.0) ** 7
    g = 0.5 * (1.0 - math.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = a1 * (1.0 + g), a2 * (1.0 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360.0 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360.0 if c2p else 0.0
    dlp = l2 - l1
    dcp = c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180.0:
        dhp = h2p - h1p
    elif h2p - h1p > 180.0:
        dhp = h2p - h1p - 360.0
    else:
        dhp = h2p - h1p + 360.0
    d_hp = 2.0 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2.0))
    lbp = (l1 + l2) / 2.0
    cbp = (c1p + c2p) / 2.0
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180.0:
        hbp = (h1p + h2p) / 2.0
    elif h1p + h2p < 360.0:
        hbp = (h1p + h2p + 360.0) / 2.0
    else:
        hbp = (h1p + h2p - 360.0) / 2.0
    t = (
        1.0
        - 0.17 * math.cos(math.radians(hbp - 30.0))
        + 0.24 * math.cos(math.radians(2.0 * hbp))
        + 0.32 * math.cos(math.radians(3.0 * hbp + 6.0))
        - 0.20 * math.cos(math.radians(4.0 * hbp - 63.0))
    )
    d_theta = 30.0 * math.exp(-(((hbp - 275.0) / 25.0) ** 2))
    cbp7 = cbp**7
    r_c = 2.0 * math.sqrt(cbp7 / (cbp7 + 25.0**7))
    s_l = 1.0 + 0.015 * (lbp - 50.0) ** 2 / math.sqrt(20.0 + (lbp - 50.0) ** 2)
    s_c = 1.0 + 0.045 * cbp
    s_h = 1.0 + 0.015 * cbp * t
    r_t = -math.sin(math.radians(2.0 * d_theta)) * r_c
    return math.sqrt(
        (dlp / (k_l * s_l)) ** 2 + (dcp / s_c) ** 2 + (d_hp / s_h) ** 2 + r_t * (dcp / s_c) * (d_hp / s_h)
    )


def difference(hex1: str, hex2: str, k_l: float = 1.0) -> float:
    """CIEDE2000 difference between two hex colours."""
    return delta_e(lab(hex1), lab(hex2), k_l=k_l)
