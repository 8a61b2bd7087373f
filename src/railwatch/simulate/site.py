"""Sites to simulate: a generic parallel-track yard built from a seed, and the union of several sites
(so one scene can cover a bridge, a station and a yard end together)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from shapely.affinity import rotate
from shapely.geometry import LineString, Polygon, box
from shapely.ops import unary_union

from railwatch.geo import WGS84, reproject, utm_crs
from railwatch.records import Site, Track


def make_site(
    seed: int = 0,
    n_tracks: int = 6,
    length_m: float = 800,
    lon: float = 130.61,
    lat: float = 42.42,
    spacing_m: float = 4.8,
) -> Site:
    """A yard of `n_tracks` parallel tracks `spacing_m` apart, centred on lon/lat, at a bearing set by
    the seed; no catalog needed (tests and the detector's bench use it)."""
    rng = np.random.default_rng(seed)
    crs = utm_crs(lon, lat)
    cx, cy = reproject(LineString([(lon, lat), (lon, lat)]), WGS84, crs).coords[0]
    angle_deg = float(rng.uniform(0.0, 180.0))
    tracks: list[Track] = []
    offsets = (np.arange(n_tracks) - (n_tracks - 1) / 2.0) * spacing_m
    for i, off in enumerate(offsets):
        line = LineString([(cx - length_m / 2, cy + off), (cx + length_m / 2, cy + off)])
        line = rotate(line, angle_deg, origin=(cx, cy))
        tracks.append(
            Track(
                id=f"t{i + 1}",
                line=reproject(line, crs, WGS84),
                site="simyard",
                gauge_mm=1520,
                kind="rail",
                name=f"track {i + 1}",
            )
        )
    half_w = (n_tracks - 1) * spacing_m / 2 + 40.0
    aoi = rotate(
        box(cx - length_m / 2 - 40, cy - half_w, cx + length_m / 2 + 40, cy + half_w),
        angle_deg,
        origin=(cx, cy),
    )
    return Site(
        id="simyard",
        name=f"Simulated yard (seed {seed})",
        aoi=reproject(aoi, crs, WGS84),
        tracks=tracks,
        timezone="UTC",
        description=f"{n_tracks} parallel tracks, {length_m:.0f} m, "
        f"{spacing_m} m apart, bearing {math.fmod(90 - angle_deg + 360, 360):.0f} deg",
    )


def combine(
    sites: Sequence[Site], site_id: str | None = None, name: str | None = None, aoi: Polygon | None = None
) -> Site:
    """One Site holding the tracks and landmarks of several (track ids must already be unique); its AOI is
    the envelope of theirs unless `aoi` (lon/lat) is given, e.g. to take only one end of a long yard."""
    if len(sites) == 1 and aoi is None:
        return sites[0]
    tracks: list[Track] = []
    seen: set[str] = set()
    for s in sites:
        for t in s.tracks:
            if t.id not in seen:
                seen.add(t.id)
                tracks.append(t)
    return Site(
        id=site_id or "+".join(s.id for s in sites),
        name=name or " + ".join(s.name for s in sites),
        aoi=aoi if aoi is not None else unary_union([s.aoi for s in sites]).envelope,
        countries=sorted({c for s in sites for c in s.countries}),
        tracks=tracks,
        landmarks=[lm for s in sites for lm in s.landmarks],
        timezone=sites[0].timezone,
    )
