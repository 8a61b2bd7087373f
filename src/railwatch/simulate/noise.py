"""Deterministic value noise evaluated at world coordinates (metres), so that any block or window of a
scene sees the same terrain, texture and cloud field as its neighbours, and a seed fixes everything."""

from __future__ import annotations

import numpy as np

_MASK = 0xFFFFFFFF


def hash01(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    """A uniform [0, 1) value per integer lattice point (ix, iy), fixed by the seed."""
    h = (
        ix.astype(np.int64) * 374761393 + iy.astype(np.int64) * 668265263 + (seed % 1000003) * 2246822519
    ) & _MASK
    h = ((h ^ (h >> 13)) * 1274126177) & _MASK
    h = h ^ (h >> 16)
    return (h & 0xFFFFFF).astype(np.float32) / np.float32(0x1000000)


def value(x: np.ndarray, y: np.ndarray, scale_m: float, seed: int) -> np.ndarray:
    """Smooth value noise in [0, 1) with features about `scale_m` across, at world points (x, y)."""
    gx = np.asarray(x, dtype=np.float64) / scale_m
    gy = np.asarray(y, dtype=np.float64) / scale_m
    ix = np.floor(gx)
    iy = np.floor(gy)
    fx = (gx - ix).astype(np.float32)
    fy = (gy - iy).astype(np.float32)
    fx = fx * fx * (3 - 2 * fx)
    fy = fy * fy * (3 - 2 * fy)
    ix = ix.astype(np.int64)
    iy = iy.astype(np.int64)
    a = hash01(ix, iy, seed)
    b = hash01(ix + 1, iy, seed)
    c = hash01(ix, iy + 1, seed)
    d = hash01(ix + 1, iy + 1, seed)
    top = a + (b - a) * fx
    bot = c + (d - c) * fx
    return top + (bot - top) * fy


def fbm(x: np.ndarray, y: np.ndarray, scale_m: float, seed: int, octaves: int = 4) -> np.ndarray:
    """Fractal (multi-octave) value noise in about [0, 1): large shapes with rough detail."""
    total = np.zeros(np.broadcast_shapes(np.shape(x), np.shape(y)), dtype=np.float32)
    amp = 1.0
    norm = 0.0
    for k in range(octaves):
        total += np.float32(amp) * value(x, y, scale_m / 2**k, seed + 101 * k)
        norm += amp
        amp *= 0.5
    return total / np.float32(norm)


def upsample(
    coarse: np.ndarray, step: int, row_off: int, col_off: int, height: int, width: int
) -> np.ndarray:
    """Bilinear interpolation of a lattice sampled every `step` pixels onto a block of pixels.

    `coarse[i, j]` is the value at global pixel (r0 + i*step, c0 + j*step), where r0, c0 are the lattice
    origin; `row_off`, `col_off` are the block's offsets from that origin."""
    rows = row_off + np.arange(height)
    cols = col_off + np.arange(width)
    ri = rows // step
    ci = cols // step
    rt = ((rows % step) / step).astype(np.float32)[:, None]
    ct = ((cols % step) / step).astype(np.float32)[None, :]
    left = coarse[:, ci]
    right = coarse[:, np.minimum(ci + 1, coarse.shape[1] - 1)]
    horiz = left + (right - left) * ct
    top = horiz[ri]
    bot = horiz[np.minimum(ri + 1, horiz.shape[0] - 1)]
    return top + (bot - top) * rt
