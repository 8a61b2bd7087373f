"""The chart is a real PNG of plausible size."""

from __future__ import annotations

import pytest
from PIL import Image

from railwatch.activity import analyze, synthetic
from railwatch.activity.plot import plot
from railwatch.errors import InputError
from railwatch.records import Event


def test_plot_png(tmp_path):
    result = analyze([synthetic.tumangang_2023(0), synthetic.stationary(3)], [Event("2023-09-13", "Summit")])
    out = plot(result, tmp_path / "a.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as im:
        w, h = im.size
    assert w >= 1200 and h >= 900  # two panels
    assert out.stat().st_size > 30_000
    assert not list(tmp_path.glob("*.part"))


def test_plot_into_missing_folder(tmp_path):
    result = analyze(synthetic.stationary(3), [])
    with pytest.raises(InputError, match="folder does not exist"):
        plot(result, tmp_path / "no" / "a.png")
