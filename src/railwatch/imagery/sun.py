"""Where the sun stands for a place and UTC time (NOAA low-precision formulae, ~0.5 degree): the
simulator casts its shadows with it, and the counting engine uses it to expect where real shadows fall
(direction away from the sun's azimuth, length = height / tan(elevation)).

Image metadata often states the sun directly (Maxar MEANSUNAZ / MEANSUNEL, STAC view:sun_azimuth /
view:sun_elevation); `from_tags` reads those first."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

_TAG_PAIRS = (
    ("MEANSUNAZ", "MEANSUNEL"),
    ("SUN_AZIMUTH", "SUN_ELEVATION"),
    ("VIEW:SUN_AZIMUTH", "VIEW:SUN_ELEVATION"),
    ("SUNAZIMUTH", "SUNELEVATION"),
)
"""(azimuth, elevation) tag names, any letter case, tried in order."""


def position(lon: float, lat: float, when: datetime) -> tuple[float, float]:
    """Solar (azimuth_deg clockwise from north, elevation_deg) at lon/lat and a UTC-aware time."""
    t = when.astimezone(UTC)
    doy = t.timetuple().tm_yday
    hour = t.hour + t.minute / 60 + t.second / 3600
    g = 2 * math.pi / 365 * (doy - 1 + (hour - 12) / 24)
    eqtime = 229.18 * (
        0.000075
        + 0.001868 * math.cos(g)
        - 0.032077 * math.sin(g)
        - 0.014615 * math.cos(2 * g)
        - 0.040849 * math.sin(2 * g)
    )
    decl = (
        0.006918
        - 0.399912 * math.cos(g)
        + 0.070257 * math.sin(g)
        - 0.006758 * math.cos(2 * g)
        + 0.000907 * math.sin(2 * g)
        - 0.002697 * math.cos(3 * g)
        + 0.00148 * math.sin(3 * g)
    )
    tst = hour * 60 + eqtime + 4 * lon
    ha = math.radians(tst / 4 - 180)
    phi = math.radians(lat)
    cos_zen = math.sin(phi) * math.sin(decl) + math.cos(phi) * math.cos(decl) * math.cos(ha)
    zen = math.acos(max(-1.0, min(1.0, cos_zen)))
    az = math.degrees(math.atan2(math.sin(ha), math.cos(ha) * math.sin(phi) - math.tan(decl) * math.cos(phi)))
    return (az + 180.0) % 360.0, 90.0 - math.degrees(zen)


def shadow_direction(azimuth_deg: float) -> tuple[float, float]:
    """Unit (east, north) vector along which shadows fall: away from the sun's azimuth (clockwise from
    north), in a north-up map frame. A shadow is height / tan(elevation) long."""
    az = math.radians(azimuth_deg)
    return -math.sin(az), -math.cos(az)


def from_tags(tags: Mapping[str, Any]) -> tuple[float, float] | None:
    """(azimuth_deg, elevation_deg) stated in image metadata, or None when absent or out of range."""
    upper = {str(k).upper(): v for k, v in tags.items()}
    for az_key, el_key in _TAG_PAIRS:
        try:
            az, el = float(upper[az_key]), float(upper[el_key])
        except (KeyError, TypeError, ValueError):
            continue
        if math.isfinite(az) and math.isfinite(el) and 0.0 < el <= 90.0:
            return az % 360.0, el
    return None
