"""The coarse-GSD count on real imagery: the Muttenz yard (outlines inpainted) block-averaged to ~1 m and
~2 m, with the tracks found at full resolution, so that the length-based count is checked on real
wagons, real ballast and real shadows and not on the simulator's alone."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from muttenz_data import labels_rgb, truth
from PIL import Image
from shapely.ops import transform

from railwatch.detect.count import count
from railwatch.detect.discover import discover_tracks
from railwatch.detect.gsd import estimate_gsd
from railwatch.detect.inpaint import remove_outlines
from railwatch.records import Track

TOLERANCE = 0.2
"""Most relative count error allowed (measured: -2 % at 1 m, -10 % at 2 m)."""


@pytest.mark.slow
def test_muttenz_block_averaged_counts_near_truth(shared_data, tmp_path):
    clean = remove_outlines(labels_rgb(str(shared_data)))
    img = clean.astype(np.float32).transpose(2, 0, 1) / 255.0
    gsd_m, _ = estimate_gsd(img)
    lines = discover_tracks(img, gsd_m)
    n_true = len(truth(str(shared_data)))
    for factor in (4, 8):
        small = cv2.resize(
            clean, (clean.shape[1] // factor, clean.shape[0] // factor), interpolation=cv2.INTER_AREA
        )
        path = tmp_path / f"muttenz_x{factor}.png"
        Image.fromarray(small).save(path)

        def shrink(c, r, f=factor):
            return (np.asarray(c) + 0.5) / f - 0.5, (np.asarray(r) + 0.5) / f - 0.5

        tracks = [Track(id=f"d{k}", line=transform(shrink, ln)) for k, ln in enumerate(lines)]
        r = count(str(path), tracks=tracks, gsd=gsd_m * factor)
        assert abs(r.total - n_true) <= TOLERANCE * n_true, (factor, r.total, n_true)
        assert r.total_low <= n_true <= r.total_high, (factor, r.total_low, r.total_high)
