"""Wagons from their shadows: a synthetic strip with known wagons, and the real Muttenz yard."""

from __future__ import annotations

import numpy as np
from muttenz_data import clean_image, truth
from shapely.geometry import LineString

from railwatch.detect import shadows
from railwatch.detect.discover import discover_tracks
from railwatch.detect.evaluate import match


def test_shadow_wagons_synthetic():
    gsd = 0.25
    img = np.full((120, 600), 0.6, np.float32)
    starts_px = [50, 112, 174, 400]  # three coupled 15 m wagons (60 px + 2 px gap), one alone
    for s in starts_px:
        img[54:66, s : s + 60] = 0.75  # roof, 3 m wide around row 60
        img[47:54, s : s + 60] = 0.05  # shadow on the north side
    line = LineString([(0, 60), (599, 60)])
    found = shadows.detect(np.stack([img] * 3), [line], gsd)
    assert len(found) == 4
    centres = sorted(w.footprint.centroid.x for w in found)
    assert np.allclose(centres, [s + 30 for s in starts_px], atol=4)
    # the empty line beside it finds nothing
    assert shadows.detect(np.stack([img] * 3), [LineString([(0, 100), (599, 100)])], gsd) == []


def test_shadow_wagons_muttenz(shared_data):
    img = clean_image(str(shared_data))
    lines = discover_tracks(img, 0.258)
    wagons = shadows.detect(img, lines, 0.258)
    score = match([w.footprint for w in wagons], [w.polygon for w in truth(str(shared_data))])
    assert score.recall >= 0.65
    assert score.precision >= 0.72
