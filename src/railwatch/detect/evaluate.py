"""Score detected cars against ground truth: wagon polygons (annotated images such as Muttenz) or
chainage intervals on named tracks (simulated scenes).

A detection matches a truth wagon when its footprint centre lies inside the wagon polygon, or their
IoU is at least 0.3; matching is one to one, nearest centres first. On a track, a car matches a true
car when their [start_m, end_m] intervals have IoU >= 0.5; one to one, first free truth car in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely.geometry import Point, Polygon

__all__ = ["Score", "match", "match_chainage"]


@dataclass
class Score:
    """Matching outcome: true positives, false positives, misses, and the usual ratios."""

    matched: list[tuple[int, int]]
    detections: int
    truths: int

    @property
    def tp(self) -> int:
        return len(self.matched)

    @property
    def recall(self) -> float:
        return self.tp / self.truths if self.truths else 1.0

    @property
    def precision(self) -> float:
        return self.tp / self.detections if self.detections else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "truths": self.truths,
            "detections": self.detections,
            "matched": self.tp,
            "recall": round(self.recall, 3),
            "precision": round(self.precision, 3),
            "f1": round(self.f1, 3),
        }


def match(detected: list[Polygon], truth: list[Polygon], min_iou: float = 0.3) -> Score:
    """One-to-one matching of detected footprints to truth polygons (pixel or any common frame)."""
    pairs = []
    for i, d in enumerate(detected):
        c = d.centroid
        for j, t in enumerate(truth):
            if not d.intersects(t):
                continue
            inside = t.contains(Point(c.x, c.y))
            inter = d.intersection(t).area
            iou = inter / (d.area + t.area - inter) if inter > 0 else 0.0
            if inside or iou >= min_iou:
                pairs.append((float(np.hypot(c.x - t.centroid.x, c.y - t.centroid.y)), i, j))
    pairs.sort()
    used_d: set[int] = set()
    used_t: set[int] = set()
    matched = []
    for _, i, j in pairs:
        if i in used_d or j in used_t:
            continue
        used_d.add(i)
        used_t.add(j)
        matched.append((i, j))
    return Score(matched, len(detected), len(truth))


def match_chainage(truth: Sequence[Any], cars: Sequence[Any], min_iou: float = 0.5) -> list[tuple[Any, Any]]:
    """(true car, detected car) pairs: same `track`, [start_m, end_m] IoU >= `min_iou`; each true car
    used once, each detected car matched to the first free true car in order (the benches' rule)."""
    used: set[int] = set()
    pairs = []
    for c in cars:
        for k, t in enumerate(truth):
            if k in used or t.track != c.track:
                continue
            inter = max(0.0, min(c.end_m, t.end_m) - max(c.start_m, t.start_m))
            union = max(c.end_m, t.end_m) - min(c.start_m, t.start_m)
            if union > 0 and inter / union >= min_iou:
                used.add(k)
                pairs.append((t, c))
                break
    return pairs
