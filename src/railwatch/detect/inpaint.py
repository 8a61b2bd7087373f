"""Burned-in yellow annotation outlines: find them, paint them out, and read them as ground truth.

Annotated images (like the real Muttenz yard, `labels.png`) carry every wagon as a yellow outline.
A detector must never see those pixels, and an evaluation needs the outlines as wagon polygons.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage as ndi
from shapely.geometry import Polygon

__all__ = ["TruthWagon", "yellow_mask", "remove_outlines", "truth_wagons"]


@dataclass
class TruthWagon:
    """One ground-truth wagon: its outline polygon in pixel (col, row) space; `cut` if the border clips it."""

    polygon: Polygon
    cut: bool

    @property
    def centre(self) -> tuple[float, float]:
        c = self.polygon.centroid
        return (c.x, c.y)

    @property
    def length_px(self) -> float:
        """Long side of the polygon's minimum rotated rectangle."""
        (_, _), (w, h), _ = cv2.minAreaRect(np.asarray(self.polygon.exterior.coords, np.float32))
        return float(max(w, h))


def _rgb(image: np.ndarray) -> np.ndarray:
    """(H, W, 3+) uint8 RGB view of an image array; float images in 0-1 are scaled."""
    a = np.asarray(image)
    if a.ndim != 3 or a.shape[2] < 3:
        raise ValueError(f"expected an (H, W, 3) RGB array, got shape {a.shape}")
    a = a[..., :3]
    if a.dtype != np.uint8:
        a = np.clip(a * (255.0 if a.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    return a


def _yellow_core(rgb: np.ndarray) -> np.ndarray:
    """Strictly yellow pixels: red and green high, blue well below both."""
    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    return (r > 170) & (g > 170) & (b < 120) & ((r + g) // 2 - b > 90)


def yellow_mask(rgb: np.ndarray, dilate_px: int = 1) -> np.ndarray:
    """Boolean mask of burned-in yellow outline pixels (plus a `dilate_px` halo of anti-aliased edge)."""
    core = _yellow_core(_rgb(rgb))
    if dilate_px > 0:
        core = ndi.binary_dilation(core, structure=np.ones((3, 3), bool), iterations=dilate_px)
    return core


def remove_outlines(rgb: np.ndarray, radius_px: int = 3) -> np.ndarray:
    """The image with yellow outlines inpainted away (OpenCV Telea), same shape and uint8 RGB."""
    a = _rgb(rgb)
    mask = yellow_mask(a).astype(np.uint8) * 255
    return cv2.inpaint(np.ascontiguousarray(a), mask, radius_px, cv2.INPAINT_TELEA)


def truth_wagons(rgb: np.ndarray, min_area_px: int = 15, max_area_px: int = 20000) -> list[TruthWagon]:
    """Each yellow outline as a wagon polygon: the enclosed interior grown to the middle of the stroke.

    Outlines clipped by the image border are open; their interiors are the small non-yellow regions
    that touch the border, and they come back with `cut=True`.
    """
    core = _yellow_core(_rgb(rgb))
    inside = ~core
    labels, n = ndi.label(inside)
    if n == 0:
        return []
    sizes = ndi.sum(inside, labels, index=np.arange(1, n + 1))
    h, w = core.shape
    wagons: list[TruthWagon] = []
    for i, sl in enumerate(ndi.find_objects(labels)):
        if sl is None or not (min_area_px <= sizes[i] <= max_area_px):
            continue
        if sl[0].stop - sl[0].start > h / 2 or sl[1].stop - sl[1].start > w / 2:
            continue  # the background between outlines, not a wagon interior
        r0, r1 = max(sl[0].start - 3, 0), min(sl[0].stop + 3, h)
        c0, c1 = max(sl[1].start - 3, 0), min(sl[1].stop + 3, w)
        region = labels[r0:r1, c0:c1] == i + 1
        grown = ndi.binary_dilation(region, iterations=2) & (region | core[r0:r1, c0:c1])
        contours, _ = cv2.findContours(grown.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            continue
        pts = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(float)
        if len(pts) < 3:
            continue
        poly = Polygon(pts + [c0, r0]).buffer(0.5)
        cut = sl[0].start == 0 or sl[1].start == 0 or sl[0].stop == h or sl[1].stop == w
        wagons.append(TruthWagon(poly, cut))
    return wagons
