"""Wagon stubs cut by the image border (`sunlit._cut_stub`, `sunlit._border_stubs`, `sunlit._spans`)."""

from __future__ import annotations

import numpy as np

from railwatch.detect import sunlit
from railwatch.imagery.corridor import Strip

STEP_M = 0.25


def _strip(n: int, valid: np.ndarray) -> Strip:
    """A straight strip of `n` rows along x, 21 columns across, with the given valid mask."""
    across = np.linspace(-2.5, 2.5, 21)
    return Strip(
        pixels=np.full((3, n, across.size), 0.5, np.float32),
        valid=valid,
        step_m=STEP_M,
        across_m=across,
        x0=np.arange(n) * STEP_M,
        y0=np.zeros(n),
        tx=np.ones(n),
        ty=np.zeros(n),
    )


def _wagon_then_stub() -> np.ndarray:
    """Shadow fraction of a 14 m wagon, a 1 m coupler gap, then 1.5 m of a stub's band up to the end."""
    frac = np.zeros(80)
    frac[10:66] = 0.9
    frac[66:70] = 0.1
    frac[70:76] = 0.9
    return frac


def test_a_stub_at_the_border_is_split_off_its_run():
    frac = _wagon_then_stub()
    frac[66:70] = 0.4  # the gap's band is partly shaded: one occupied run, with a dip
    seen = np.zeros(80, bool)
    seen[:76] = True  # the band leaves the image after row 76
    assert sunlit._cut_stub(frac, 10, 76, STEP_M, at_start=False) == ((10, 66), (67, 76))
    spans = sunlit._spans(frac, frac > 0.3, seen, STEP_M, border=(False, True))
    assert spans == [(10, 66), (67, 76)]  # the stub is kept, not joined back (a cut wagon is short)
    assert sunlit._spans(frac, frac > 0.3, seen, STEP_M) == [(10, 76)]  # without the border: one wagon


def test_a_run_that_ends_mid_image_keeps_its_short_end():
    """A line that just ends (no border) is not searched for a stub: the 1.5 m piece joins its wagon
    (a break in one wagon's shadow) as before."""
    frac = _wagon_then_stub()
    frac[66:70] = 0.7  # a shallow dip, not a gap
    seen = np.zeros(80, bool)
    seen[:76] = True
    assert sunlit._cut_stub(frac, 10, 76, STEP_M, at_start=False) is None
    assert sunlit._spans(frac, frac > 0.3, seen, STEP_M, border=(False, False)) == [(10, 76)]


def test_a_stub_at_the_start_border():
    frac = _wagon_then_stub()[::-1].copy()
    assert sunlit._cut_stub(frac, 4, 70, STEP_M, at_start=True) == ((11, 70), (4, 10))


def test_border_stub_from_hidden_rails_only_at_the_image_border():
    n = 120
    valid = np.ones((n, 21), bool)
    hidden = np.zeros(n, bool)
    hidden[100:] = True  # a body hides the rails over the last 5 m
    hidden[108] = False  # a bright edge in it
    inside = _strip(n, valid)
    assert sunlit._border_stubs(inside, hidden, [(20, 96)]) == []  # the line ends inside the image
    valid[-6:, 15:] = False  # the corridor leaves the image within 1.5 m of the end
    cut = _strip(n, valid)
    assert sunlit._border_stubs(cut, hidden, [(20, 96)]) == [(100, 120)]
    assert sunlit._border_stubs(cut, hidden, [(20, 110)]) == [(110, 120)]
    short = np.zeros(n, bool)
    short[-4:] = True  # 1 m: shorter than MIN_CUT_M
    assert sunlit._border_stubs(cut, short, [(20, 96)]) == []
