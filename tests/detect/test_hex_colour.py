"""`types.hex_colour`: '#rrggbb' of a 0-1 colour, clipped and rounded, a single band as grey."""

from __future__ import annotations

import numpy as np

from railwatch.detect.types import hex_colour


def test_hex_colour_clips_rounds_and_greys_a_single_band():
    assert hex_colour(np.array([0.0, 0.5, 1.0])) == "#0080ff"
    assert hex_colour(np.array([-0.2, 1.7, 0.2 / 255 + 3 / 255], np.float32)) == "#00ff03"
    assert hex_colour(np.array([0.25])) == "#404040"
    assert hex_colour(np.array([])) == "#808080"
