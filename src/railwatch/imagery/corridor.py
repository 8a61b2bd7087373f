"""Corridor sampling: straighten a track into a strip (along x across) with windowed reads, so the
cost of analysing a site grows with track length, not with scene area (DESIGN.md "read only what
matters").

A `Strip` holds pixels on a regular (along, across) grid in metres, a valid mask, and the mapping
back to map coordinates. `sample` reads it from an open rasterio dataset (only the windows the
corridor touches, from the overview level that suits the step) or from an in-memory
(array, transform) pair.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import rasterio
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.windows import Window
from shapely.geometry import LineString, Polygon

from railwatch.geo import transformer

CHUNK_M = 150.0
"""Along-track length read per window: short enough that a diagonal track reads little waste."""


@dataclass
class Strip:
    """A track straightened into a (bands, along, across) grid of pixels with a valid mask.

    Row i lies at chainage `start_m + i * step_m`; column j at across offset `across_m[j]`
    (positive to the left of the direction of travel). `x0, y0, tx, ty` give, per row, the
    centreline point and unit tangent in the frame CRS, so any (along, across) maps back to a map
    position.
    """

    pixels: np.ndarray
    valid: np.ndarray
    step_m: float
    across_m: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    tx: np.ndarray
    ty: np.ndarray
    crs: CRS | None = None
    start_m: float = 0.0
    windows: list[Window] = field(default_factory=list)
    overview_factor: int = 1

    @property
    def n_along(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def length_m(self) -> float:
        return self.n_along * self.step_m

    @property
    def along_m(self) -> np.ndarray:
        return self.start_m + np.arange(self.n_along) * self.step_m

    def to_map(self, along_m: np.ndarray | float, across_m: np.ndarray | float) -> tuple[Any, Any]:
        """Frame-CRS (x, y) of points given by chainage and across-track offset in metres."""
        a = np.asarray(along_m, dtype=float)
        c = np.asarray(across_m, dtype=float)
        idx = np.clip((a - self.start_m) / self.step_m, 0, self.n_along - 1)
        x = np.interp(idx, np.arange(self.n_along), self.x0)
        y = np.interp(idx, np.arange(self.n_along), self.y0)
        tx = np.interp(idx, np.arange(self.n_along), self.tx)
        ty = np.interp(idx, np.arange(self.n_along), self.ty)
        # Beyond the last row keep walking along the tangent.
        extra = (a - self.start_m) - idx * self.step_m
        x = x + extra * tx - c * ty
        y = y + extra * ty + c * tx
        return x, y

    def footprint(self, start_m: float, end_m: float, half_width_m: float = 1.6) -> Polygon:
        """The frame-CRS polygon of a car between two chainages, `half_width_m` either side."""
        n = max(2, int(math.ceil(abs(end_m - start_m) / max(self.step_m, 1.0))) + 1)
        s = np.linspace(start_m, end_m, n)
        lx, ly = self.to_map(s, np.full(n, half_width_m))
        rx, ry = self.to_map(s[::-1], np.full(n, -half_width_m))
        xs = np.concatenate([lx, rx, lx[:1]])
        ys = np.concatenate([ly, ry, ly[:1]])
        return Polygon(np.column_stack([xs, ys]))

    def footprints(self, spans: list[tuple[float, float]], half_width_m: float = 1.6) -> list[Polygon]:
        """`footprint` of every (start_m, end_m) span, all at once: the vertices of every span mapped in
        one pass and the polygons built in one call (the same vertices as `footprint`, to the bit)."""
        if not spans:
            return []
        start, end = np.array(spans, dtype=float).T
        n = np.maximum(2, np.ceil(np.abs(end - start) / max(self.step_m, 1.0)).astype(np.int64) + 1)
        # np.linspace(start, end, n) of every span (its arithmetic: j * step + start, the end exact), the
        # left side forwards then the right side back
        side = np.repeat(np.arange(2 * n.size), np.repeat(n, 2))  # span k: left side 2k, right 2k + 1
        k = side // 2
        first = np.concatenate([[0], np.cumsum(2 * n)[:-1]])
        right = side % 2 == 1
        j = np.arange(side.size) - first[k] - np.where(right, n[k], 0)
        j = np.where(right, n[k] - 1 - j, j)
        along = np.where(j == n[k] - 1, end[k], j * ((end - start) / (n - 1))[k] + start[k])
        x, y = self.to_map(along, np.where(right, -half_width_m, half_width_m))
        ring = np.repeat(np.arange(n.size), 2 * n + 1)  # each ring closed on its first vertex
        pos = np.arange(ring.size) - np.repeat(first + np.arange(n.size), 2 * n + 1)
        at = first[ring] + np.where(pos == 2 * n[ring], 0, pos)
        return list(shapely.polygons(shapely.linearrings(np.column_stack([x[at], y[at]]), indices=ring)))

    def shifted(self, dx: float, dy: float, half_width_m: float | None = None) -> Strip:
        """The strip re-gridded for a rigid map shift (dx, dy): the track really lies there."""
        hw = float(np.max(np.abs(self.across_m))) if half_width_m is None else half_width_m
        n_half = int(round(hw / self.step_m))
        across = np.arange(-n_half, n_half + 1) * self.step_m
        off_across = -dx * self.ty + dy * self.tx  # per row, the shift along the left normal
        off_along = dx * self.tx + dy * self.ty
        rows = np.arange(self.n_along)[:, None] + (off_along / self.step_m)[:, None]
        rows = np.broadcast_to(rows, (self.n_along, across.size))
        col_m = across[None, :] + off_across[:, None]
        cols = (col_m - self.across_m[0]) / self.step_m
        h, w = self.valid.shape
        inb = (rows >= 0) & (rows <= h - 1) & (cols >= 0) & (cols <= w - 1)
        # map_coordinates(order=1, mode="constant", cval=nan) then nan_to_num: 0 outside the grid
        pix = np.where(inb, bilinear(self.pixels, rows, cols), 0.0)
        valid = inb if self.valid.all() else inb & nearest(self.valid, rows, cols)
        if not np.isfinite(self.pixels).all():
            valid &= np.all(np.isfinite(pix), axis=0)
            pix = np.nan_to_num(pix)
        return Strip(
            pixels=pix.astype(np.float32, copy=False),
            valid=valid,
            step_m=self.step_m,
            across_m=across,
            x0=self.x0 + dx,
            y0=self.y0 + dy,
            tx=self.tx,
            ty=self.ty,
            crs=self.crs,
            start_m=self.start_m,
            windows=self.windows,
            overview_factor=self.overview_factor,
        )


@dataclass
class Raster:
    """What `sample` reads from: a rasterio dataset (windowed reads) or an in-memory array."""

    transform: Affine
    crs: CRS | None
    width: int
    height: int
    dataset: Any = None
    array: np.ndarray | None = None
    valid: np.ndarray | None = None
    bands: tuple[int, ...] = (1,)
    windows: list[Window] = field(default_factory=list)
    _frame_crs: CRS | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def frame_crs(self) -> CRS | None:
        """`crs` as a pyproj CRS, parsed once (a rasterio CRS is re-parsed from WKT at every comparison)."""
        if self.crs is not None and self._frame_crs is None:
            self._frame_crs = CRS.from_user_input(self.crs)
        return self._frame_crs

    @functools.cached_property
    def mask_all_valid(self) -> bool:
        """True when the dataset has no nodata, alpha or mask: its mask reads 255 everywhere."""
        if self.dataset is None:
            return False
        return MaskFlags.all_valid in self.dataset.mask_flag_enums[self.bands[0] - 1]

    @functools.cached_property
    def all_valid(self) -> bool:
        """True when `read` can only give valid pixels: nothing masked, and integer pixels (never NaN)."""
        if self.dataset is not None:
            dtypes = [np.dtype(self.dataset.dtypes[b - 1]) for b in self.bands]
            return self.mask_all_valid and not any(np.issubdtype(d, np.floating) for d in dtypes)
        if self.array is None or self.valid is not None:
            return False
        return not np.issubdtype(self.array.dtype, np.floating)

    @property
    def gsd_m(self) -> float:
        """Native pixel size in frame units (mean of the two axes; rotation-safe)."""
        a, b, _, d, e, _ = tuple(self.transform)[:6]
        return float(math.sqrt(abs(a * e - b * d)))

    def read(self, window: Window, factor: int, raw: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (bands, h, w) float32 and a valid mask for a window, decimated by `factor`; with `raw`,
        integer pixels come in their own dtype (exact in float32: convert what you sample, not all)."""
        h = max(1, int(math.ceil(window.height / factor)))
        w = max(1, int(math.ceil(window.width / factor)))
        if self.array is not None:
            r0, c0 = int(window.row_off), int(window.col_off)
            sl = (slice(r0, r0 + int(window.height)), slice(c0, c0 + int(window.width)))
            arr = self.array[:, sl[0], sl[1]][:, ::factor, ::factor].astype(np.float32)
            valid = np.ones(arr.shape[1:], bool) if self.valid is None else self.valid[sl][::factor, ::factor]
        else:
            self.windows.append(window)
            ds = self.dataset
            resampling = Resampling.average if factor > 1 else Resampling.nearest
            pix = ds.read(
                list(self.bands), window=window, out_shape=(len(self.bands), h, w), resampling=resampling
            )
            integer = not np.issubdtype(pix.dtype, np.floating)
            # up to 16-bit integers are exact in float32
            arr = pix if raw and integer and pix.dtype.itemsize <= 2 else pix.astype(np.float32)
            if self.mask_all_valid:
                valid = np.ones((h, w), bool)  # what read_masks would give, without reading it
            else:
                mask = ds.read_masks(
                    self.bands[0], window=window, out_shape=(h, w), resampling=Resampling.nearest
                )
                valid = mask > 0
            if integer:
                return arr, valid  # integer pixels are always finite
        valid = valid & np.all(np.isfinite(arr), axis=0)
        return np.nan_to_num(arr), valid


def raster(source: Any, transform: Affine | None = None, crs: CRS | None = None) -> Raster:
    """Wrap a rasterio dataset or an (array, transform[, valid]) pair as a readable `Raster`.

    `transform`/`crs` override the dataset's (used for unreferenced images in a local frame).
    """
    if isinstance(source, Raster):
        return source
    if isinstance(source, tuple):
        arr = np.asarray(source[0])
        if arr.ndim == 2:
            arr = arr[None]
        valid = None if len(source) < 3 or source[2] is None else np.asarray(source[2], bool)
        return Raster(
            transform=Affine(*tuple(source[1])[:6]),
            crs=crs,
            width=arr.shape[2],
            height=arr.shape[1],
            array=arr,
            valid=valid,
            bands=tuple(range(1, arr.shape[0] + 1)),
        )
    if isinstance(source, rasterio.io.DatasetReaderBase):
        return Raster(
            transform=transform or source.transform,
            crs=crs if transform is not None else source.crs,
            width=source.width,
            height=source.height,
            dataset=source,
            bands=colour_bands(source),
        )
    raise TypeError(f"cannot sample from {type(source).__name__}")


def colour_bands(ds: Any) -> tuple[int, ...]:
    """The 1-based band indexes to read as colour: R, G, B when labelled, else the first three non-alpha."""
    interp = list(ds.colorinterp)
    rgb = [interp.index(c) + 1 for c in (ColorInterp.red, ColorInterp.green, ColorInterp.blue) if c in interp]
    if len(rgb) == 3:
        return tuple(rgb)
    bands = [i + 1 for i, c in enumerate(interp) if c != ColorInterp.alpha]
    return tuple(bands[:3]) if bands else (1,)


def sample(
    source: Any,
    line: LineString,
    half_width_m: float,
    step_m: float,
    *,
    line_crs: CRS | None = None,
    start_m: float = 0.0,
) -> Strip:
    """Straighten `line` (in the source's CRS units, or in `line_crs` when given) into a Strip.

    Reads only the windows the corridor touches, at the overview level that suits `step_m`.
    Samples outside the image are marked invalid, never an error.
    """
    src = raster(source)
    length = float(line.length)
    n_along = max(1, int(math.floor(length / step_m)) + 1)
    along = np.arange(n_along) * step_m
    n_half = int(round(half_width_m / step_m))
    across = np.arange(-n_half, n_half + 1) * step_m
    # the rows' points and the points a step ahead and behind, each distinct chainage interpolated once
    dist = np.concatenate([along, np.minimum(along + step_m, length), np.maximum(along - step_m, 0.0)])
    uniq, inverse = np.unique(dist, return_inverse=True)
    xy = shapely.get_coordinates(shapely.line_interpolate_point(line, uniq))[inverse.ravel()]
    pts, ahead, behind = xy[:n_along], xy[n_along : 2 * n_along], xy[2 * n_along :]
    tang = ahead - behind
    norm = np.hypot(tang[:, 0], tang[:, 1])
    norm[norm == 0] = 1.0
    tx, ty = tang[:, 0] / norm, tang[:, 1] / norm
    x = pts[:, 0, None] - across[None, :] * ty[:, None]
    y = pts[:, 1, None] + across[None, :] * tx[:, None]
    if line_crs is not None and src.crs is not None and CRS.from_user_input(line_crs) != src.frame_crs:
        t = transformer(line_crs, src.frame_crs)
        xs, ys = t.transform(x.ravel(), y.ravel())
        x_img, y_img = np.asarray(xs).reshape(x.shape), np.asarray(ys).reshape(y.shape)
    else:
        x_img, y_img = x, y
    inv = ~src.transform
    cols = inv.a * x_img + inv.b * y_img + inv.c - 0.5
    rows = inv.d * x_img + inv.e * y_img + inv.f - 0.5
    native = _native_step(src, line_crs, pts)
    factor = max(1, int(math.floor(step_m / native * 1.0001))) if native > 0 else 1

    nb = len(src.bands)
    pixels = np.zeros((nb, n_along, across.size), np.float32)
    valid = np.zeros((n_along, across.size), bool)
    rows_per_chunk = max(1, int(CHUNK_M / step_m))
    for r0 in range(0, n_along, rows_per_chunk):
        sl = slice(r0, min(n_along, r0 + rows_per_chunk))
        cc, rr = cols[sl], rows[sl]
        c_lo = max(0, int(math.floor(cc.min())) - 1)
        c_hi = min(src.width, int(math.ceil(cc.max())) + 2)
        r_lo = max(0, int(math.floor(rr.min())) - 1)
        r_hi = min(src.height, int(math.ceil(rr.max())) + 2)
        if c_hi <= c_lo or r_hi <= r_lo:
            continue
        win = Window(c_lo, r_lo, c_hi - c_lo, r_hi - r_lo)
        arr, ok = src.read(win, factor, raw=True)
        # Window-relative, decimated pixel-centre coordinates.
        fr = (rr - r_lo + 0.5) / factor - 0.5
        fc = (cc - c_lo + 0.5) / factor - 0.5
        inside = (rr >= -0.5) & (rr <= src.height - 0.5) & (cc >= -0.5) & (cc <= src.width - 0.5)
        pixels[:, sl] = bilinear(arr, fr, fc)
        h, w = ok.shape
        on_grid = (fr >= 0) & (fr <= h - 1) & (fc >= 0) & (fc <= w - 1)
        valid[sl] = inside & on_grid if src.all_valid else inside & on_grid & nearest(ok, fr, fc)
    if not valid.all():
        pixels[:, ~valid] = 0.0
    return Strip(
        pixels=pixels,
        valid=valid,
        step_m=step_m,
        across_m=across,
        x0=pts[:, 0],
        y0=pts[:, 1],
        tx=tx,
        ty=ty,
        crs=CRS.from_user_input(line_crs) if line_crs is not None else src.crs,
        start_m=start_m,
        windows=list(src.windows),
        overview_factor=factor,
    )


def bilinear(arr: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear samples (float32) of every band of `arr` (bands, h, w) at fractional (rows, cols), edges
    held: `ndimage.map_coordinates(order=1, mode="nearest")` band by band, cast to float32, to the bit
    (double arithmetic in the same order), with neighbour indexes and weights computed once for all bands."""
    h, w = arr.shape[1:]
    r = np.clip(rows, 0, h - 1)
    c = np.clip(cols, 0, w - 1)
    r0, c0 = np.floor(r), np.floor(c)
    wr1, wc1 = r - r0, c - c0
    wr0, wc0 = 1.0 - wr1, 1.0 - wc1
    i0, j0 = r0.astype(np.intp), c0.astype(np.intp)
    # flat indexes of the four neighbours (the far ones held at the last row / column)
    k00 = i0 * w + j0
    k01 = k00 + (j0 < w - 1)
    k10 = k00 + np.where(i0 < h - 1, w, 0)
    k11 = k10 + (j0 < w - 1)
    out = np.empty((arr.shape[0],) + np.shape(rows), np.float32)
    for b, x in enumerate(arr):
        x = x.ravel()
        t = x.take(k00) * wr0
        t *= wc0
        for k, wr, wc in ((k01, wr0, wc1), (k10, wr1, wc0), (k11, wr1, wc1)):
            u = x.take(k) * wr
            u *= wc
            t += u
        out[b] = t
    return out


def nearest(mask: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Nearest-neighbour lookup of a 2-D mask at fractional (rows, cols), halves rounding up, edges held
    (inside the grid this is `ndimage.map_coordinates(order=0)`)."""
    h, w = mask.shape
    i = np.clip(np.floor(rows + 0.5), 0, h - 1).astype(np.intp)
    j = np.clip(np.floor(cols + 0.5), 0, w - 1).astype(np.intp)
    return mask[i, j]


def _native_step(src: Raster, line_crs: CRS | None, pts: np.ndarray) -> float:
    """The source's pixel size in the line's metres (handles geographic and scaled image CRSs)."""
    if line_crs is None or src.crs is None or CRS.from_user_input(line_crs) == src.frame_crs:
        return src.gsd_m
    t = transformer(line_crs, src.frame_crs)
    x, y = float(pts[0, 0]), float(pts[0, 1])
    x0, y0 = t.transform(x, y)
    x1, y1 = t.transform(x + 50.0, y + 50.0)
    units_per_m = math.hypot(x1 - x0, y1 - y0) / math.hypot(50.0, 50.0)
    return src.gsd_m / units_per_m if units_per_m > 0 else src.gsd_m


def stretch(strips: list[Strip], dtype: str) -> None:
    """Scale strip pixels in place to 0-1: uint8 by /255, anything else per band by robust percentiles
    (0.5-99.5 %) over every valid corridor pixel, so 16-bit and float imagery look alike."""
    if not strips:
        return
    if dtype == "uint8":
        for s in strips:
            s.pixels /= 255.0
        return
    nb = strips[0].pixels.shape[0]
    for b in range(nb):
        vals = np.concatenate([s.pixels[b][s.valid] for s in strips if s.valid.any()] or [np.zeros(1)])
        if vals.size > 200_000:
            vals = vals[:: vals.size // 200_000]
        lo, hi = np.percentile(vals, [0.5, 99.5])
        span = float(hi - lo) if hi > lo else 1.0
        for s in strips:
            s.pixels[b] = np.clip((s.pixels[b] - lo) / span, 0.0, 1.0)
