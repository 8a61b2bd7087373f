import pytest

from railwatch.errors import InputError
from railwatch.movement.color import delta_e, difference, lab


def test_ciede2000_matches_sharma_reference_pairs():
    # Sharma, Wu & Dalal (2005) test data, pairs 1, 7 and 17.
    assert delta_e((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert delta_e((50.0, 0.0, 0.0), (50.0, -1.0, 2.0)) == pytest.approx(2.3669, abs=1e-4)
    assert delta_e((50.0, 2.5, 0.0), (73.0, 25.0, -18.0)) == pytest.approx(27.1492, abs=1e-4)


def test_lab_of_white_and_black():
    assert lab("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert lab("#000") == pytest.approx((0.0, 0.0, 0.0), abs=0.01)


def test_difference_orders_colours_as_seen():
    assert difference("#8fb8de", "#92b5e0") < 3.0
    assert difference("#8fb8de", "#1f3a93") > 20.0


def test_bad_hex_is_a_typed_error():
    with pytest.raises(InputError):
        lab("#12345")
    with pytest.raises(InputError):
        lab("#zzzzzz")
