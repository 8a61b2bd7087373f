"""End to end on the real Muttenz yard: inpainted image, GSD and tracks found from the pixels.

The issue target is recall and precision >= 0.9; the floors here are what the pipeline reaches
today (bench/muttenz.py prints the exact figures) so that a regression fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from muttenz_data import labels_rgb, truth
from PIL import Image

from railwatch.detect.count import count
from railwatch.detect.evaluate import match
from railwatch.detect.gsd import estimate_gsd
from railwatch.detect.inpaint import remove_outlines

RECALL_FLOOR = 0.85
PRECISION_FLOOR = 0.848
TOTAL_TOLERANCE = 0.03
"""The total is within this share of the truth (today -1 %; the issue asks for 10 %)."""


@pytest.mark.slow
def test_muttenz_count_end_to_end(shared_data, tmp_path):
    clean = remove_outlines(labels_rgb(str(shared_data)))
    path = tmp_path / "muttenz_clean.png"
    Image.fromarray(clean).save(path)
    gsd_m, _ = estimate_gsd(clean.astype(np.float32).transpose(2, 0, 1) / 255.0)
    result = count(str(path), gsd=gsd_m)
    cars = [c for c in result.cars if c.footprint is not None and not c.is_locomotive]
    wagons = truth(str(shared_data))
    score = match([c.footprint for c in cars], [w.polygon for w in wagons])
    assert score.recall >= RECALL_FLOOR
    assert score.precision >= PRECISION_FLOOR
    assert result.total_low <= len(wagons) <= result.total_high
    assert abs(result.total - len(wagons)) <= TOTAL_TOLERANCE * len(wagons)


def test_match_one_to_one():
    from shapely.geometry import box

    truth_polys = [box(0, 0, 10, 3), box(20, 0, 30, 3)]
    detected = [box(1, 0, 9, 3), box(2, 0, 8, 3), box(50, 0, 60, 3)]
    s = match(detected, truth_polys)
    assert s.tp == 1 and s.detections == 3 and s.truths == 2
    assert s.recall == 0.5 and s.precision == pytest.approx(1 / 3)
