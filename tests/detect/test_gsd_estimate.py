"""GSD from track spacing, checked against the wagon lengths of the real Muttenz yard."""

from __future__ import annotations

import numpy as np
import pytest
from muttenz_data import clean_image, truth
from test_discover_tracks import _synthetic

from railwatch.detect.gsd import TRACK_SPACING_M, estimate_gsd


def test_gsd_synthetic_spacing():
    gsd = 0.3
    spacing_px = TRACK_SPACING_M / gsd
    img = _synthetic(15.0, [k * spacing_px for k in range(-6, 7)], gsd_m=gsd)
    est, rel = estimate_gsd(img)
    assert est == pytest.approx(gsd, rel=0.05)
    assert 0 < rel < 0.2


def test_gsd_flat_image_raises():
    with pytest.raises(ValueError):
        estimate_gsd(np.full((3, 300, 300), 0.5, np.float32))


def test_gsd_muttenz_matches_wagon_lengths(shared_data):
    wagons = truth(str(shared_data))
    implied = 14.5 / float(np.median([w.length_px for w in wagons if not w.cut]))
    est, rel = estimate_gsd(clean_image(str(shared_data)))
    assert est == pytest.approx(implied, rel=0.15)
    assert rel < 0.15
