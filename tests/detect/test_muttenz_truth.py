"""Ground truth from burned-in yellow outlines: mask, inpaint, wagon polygons."""

from __future__ import annotations

import numpy as np
from muttenz_data import labels_rgb, truth

from railwatch.detect.inpaint import remove_outlines, truth_wagons, yellow_mask


def test_truth_wagons_count_187(shared_data):
    wagons = truth(str(shared_data))
    assert abs(len(wagons) - 187) <= 3
    cut = sum(w.cut for w in wagons)
    assert 17 <= cut <= 23
    lengths = np.median([w.length_px for w in wagons if not w.cut])
    assert 45 < lengths < 70  # 14.5 m at 0.25-0.35 m/px is 41-58 px, outlines add a margin


def test_remove_outlines_leaves_no_yellow(shared_data):
    rgb = labels_rgb(str(shared_data))
    before = yellow_mask(rgb, dilate_px=0).sum()
    clean = remove_outlines(rgb)
    assert clean.shape == rgb.shape and clean.dtype == np.uint8
    assert before > 50_000
    assert yellow_mask(clean, dilate_px=0).sum() < 0.01 * before
    # pixels away from outlines are untouched
    far = ~yellow_mask(rgb, dilate_px=4)
    assert np.array_equal(clean[far], rgb[far])


def test_synthetic_outlines():
    img = np.full((60, 100, 3), 120, np.uint8)
    img[10:20, 10:40] = (255, 255, 0)
    img[12:18, 12:38] = (90, 90, 90)  # one closed outline
    img[40:50, 0:20] = (255, 255, 0)
    img[42:48, 0:18] = (90, 90, 90)  # one cut by the left border
    wagons = truth_wagons(img)
    assert len(wagons) == 2
    assert sorted(w.cut for w in wagons) == [False, True]
    closed = next(w for w in wagons if not w.cut)
    cx, cy = closed.centre
    assert abs(cx - 24.5) < 1.0 and abs(cy - 14.5) < 1.0
    assert 26 <= closed.length_px <= 31
