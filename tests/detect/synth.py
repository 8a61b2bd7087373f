"""A small, independent scene renderer for detector tests: ballast beds with dark rails, cars as
coloured bodies with coupler gaps, shadows, optional cloud and misregistration, written as a real
georeferenced GeoTIFF. Independent of `railwatch.simulate` so the detector is not tuned to one
renderer only."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from shapely.geometry import LineString

from railwatch.geo import reproject
from railwatch.imagery.corridor import Strip
from railwatch.records import Car, Track

CRS_UTM = "EPSG:32652"
X0, Y0 = 700_000.0, 4_700_000.0
LENGTHS = {"tank": 12.0, "boxcar": 16.4, "gondola": 13.9, "covered": 14.5, "flat": 13.6, "container": 15.0}
COLOURS = {
    "tank": (40, 40, 45),
    "boxcar": (120, 60, 40),
    "gondola": (70, 65, 60),
    "covered": (90, 110, 60),
    "flat": (115, 100, 80),
    "container": (30, 90, 150),
}


@dataclass
class Scene:
    path: Path
    tracks: list[Track]
    cars: list[Car]
    gsd_m: float
    shift: tuple[float, float] = (0.0, 0.0)
    extra: dict = field(default_factory=dict)


def _body(kind: str, u: np.ndarray, v: np.ndarray, length: float, rng: np.random.Generator) -> np.ndarray:
    """RGB (..., 3) of a car body at along u (0..length) and across v (-1.5..1.5)."""
    base = np.array(COLOURS[kind], float)
    shape = u.shape + (3,)
    col = np.broadcast_to(base, shape).copy()
    if kind == "tank":
        ridge = np.cos(np.clip(v / 1.5, -1, 1) * np.pi / 2) ** 2
        col += (ridge * 150)[..., None]
    elif kind == "gondola":
        rim = (np.abs(v) > 1.25) | (u < 0.3) | (u > length - 0.3)
        col[rim] = (150, 140, 130)
        col[~rim] *= 0.6
    elif kind == "container":
        block = (u // 6.1).astype(int)
        pal = np.array([(30, 90, 150), (170, 60, 40), (200, 200, 190), (40, 120, 60)], float)
        col = pal[block % 4] + 0.0
    elif kind == "covered":
        col += (rng.normal(0, 18, u.shape) + 14 * np.sin(u * 3.1 + v * 2.0))[..., None]
    elif kind == "boxcar":
        col += (8 * (np.abs(v) < 0.15))[..., None]
    return col


def render(
    path: Path,
    gsd_m: float = 0.5,
    n_tracks: int = 2,
    spacing_m: float = 5.0,
    length_m: float = 300.0,
    angle_deg: float = 20.0,
    kinds: list[str] | None = None,
    fill: float = 0.7,
    shift: tuple[float, float] = (0.0, 0.0),
    cloud: tuple[float, float, float] | None = None,
    seed: int = 0,
    dtype: str = "uint8",
    bands: int = 3,
    nodata_rows: int = 0,
    georef: bool = True,
) -> Scene:
    """Render a yard of straight parallel tracks with cars; return the scene and its truth."""
    rng = np.random.default_rng(seed)
    kinds = kinds or list(LENGTHS)
    ang = np.deg2rad(angle_deg)
    t = np.array([np.cos(ang), np.sin(ang)])
    n = np.array([-t[1], t[0]])
    margin = 40.0
    size_m = length_m * max(abs(t[0]), abs(t[1])) + 2 * margin + n_tracks * spacing_m
    npx = int(size_m / gsd_m)
    transform = Affine(gsd_m, 0, X0, 0, -gsd_m, Y0 + npx * gsd_m)
    cx, cy = X0 + margin, Y0 + margin + (n_tracks * spacing_m if t[0] * n[1] >= 0 else 0)
    ss = 2
    jj, ii = np.meshgrid((np.arange(npx * ss) + 0.5) / ss, (np.arange(npx * ss) + 0.5) / ss)
    X = X0 + jj * gsd_m - shift[0]
    Y = Y0 + npx * gsd_m - ii * gsd_m - shift[1]
    img = np.empty(X.shape + (3,), float)
    img[:] = (95, 100, 70)
    img += rng.normal(0, 6, img.shape[:2])[..., None]
    tracks, cars = [], []
    lines_m = []
    for k in range(n_tracks):
        ox, oy = cx + n[0] * k * spacing_m, cy + n[1] * k * spacing_m
        line = LineString([(ox, oy), (ox + t[0] * length_m, oy + t[1] * length_m)])
        lines_m.append(line)
        u = (X - ox) * t[0] + (Y - oy) * t[1]
        v = (X - ox) * n[0] + (Y - oy) * n[1]
        on = (u > -margin) & (u < length_m + margin)
        bed = on & (np.abs(v) < 2.3)
        img[bed] = (125, 118, 108)
        img[bed] += rng.normal(0, 10, bed.sum())[:, None]
        sleeper = bed & (np.abs(v) < 1.3) & ((u % 0.6) < 0.25)
        img[sleeper] *= 0.85
        rail = on & (np.abs(np.abs(v) - 0.76) < 0.07)
        img[rail] = (55, 52, 50)
        pos = rng.uniform(2, 20)
        while pos < length_m - 30:
            if rng.random() > fill:
                pos += rng.uniform(10, 40)
                continue
            n_cars = int(rng.integers(3, 9))
            for _ in range(n_cars):
                kind = kinds[int(rng.integers(len(kinds)))]
                clen = LENGTHS[kind] * rng.uniform(0.96, 1.04)
                if pos + clen > length_m - 2:
                    break
                body = on & (u >= pos) & (u < pos + clen) & (np.abs(v) < 1.5)
                # Shadow to the right of the car (sun from the left of the track).
                shadow = on & (u >= pos) & (u < pos + clen + 0.8) & (v < -1.5) & (v > -3.2)
                img[shadow] *= 0.45
                img[body] = _body(kind, u[body] - pos, v[body], clen, rng)
                cars.append(Car(track=f"t{k}", start_m=pos, end_m=pos + clen, type=kind))
                pos += clen + rng.uniform(0.8, 1.5)
            pos += rng.uniform(15, 60)
    if cloud is not None:
        ccx, ccy, r = cloud
        d = np.hypot(X + shift[0] - ccx, Y + shift[1] - ccy)
        a = np.clip((r - d) / 8.0, 0, 1)[..., None]
        img = img * (1 - a) + a * np.array([235, 235, 238])
    img = np.clip(img, 0, 255)
    img = img.reshape(npx, ss, npx, ss, 3).mean(axis=(1, 3))
    arr = np.moveaxis(img, -1, 0)
    if dtype == "uint16":
        arr = arr * 40.0 + 300
    elif dtype == "float32":
        arr = arr / 255.0 * 0.3
    if bands == 4:
        arr = np.concatenate([arr, arr[1:2] * 0.9])
    arr = arr.astype(dtype)
    nodata = None
    if nodata_rows:
        nodata = 0
        arr[:, :nodata_rows, :] = 0
    profile = dict(
        driver="GTiff",
        width=npx,
        height=npx,
        count=arr.shape[0],
        dtype=dtype,
        tiled=True,
        blockxsize=256,
        blockysize=256,
        compress="deflate",
    )
    if georef:
        profile.update(crs=CRS_UTM, transform=transform)
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(arr)
    for k, lm in enumerate(lines_m):
        tracks.append(Track(id=f"t{k}", line=reproject(lm, CRS_UTM, "EPSG:4326")))
    return Scene(
        path=path,
        tracks=tracks,
        cars=cars,
        gsd_m=gsd_m,
        shift=shift,
        extra={"lines_m": lines_m, "transform": transform, "npx": npx},
    )


def straight_strip(pixels: np.ndarray, across_m: np.ndarray, step_m: float, offset_m: float = 0.0) -> Strip:
    """A corridor strip (bands x rows x cols) of a straight track along x from 0, `offset_m` to the
    left of the x axis, every pixel valid: the strips the detect unit tests build by hand."""
    n = pixels.shape[1]
    return Strip(
        pixels=pixels,
        valid=np.ones((n, across_m.size), bool),
        step_m=step_m,
        across_m=across_m,
        x0=np.arange(n) * step_m,
        y0=np.full(n, offset_m),
        tx=np.ones(n),
        ty=np.zeros(n),
    )
