"""Sun position (NOAA formulae) and the sun stated in image metadata; count() finds it from the tags or
the acquisition time and place."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from railwatch.detect.count import _open
from railwatch.imagery import sun


def test_noon_sun_at_the_equinox_and_solstice():
    # Greenwich, 2023-03-20 12:07 UTC (solar noon near the equinox): due south, 90 - 51.48 degrees up
    az, el = sun.position(0.0, 51.48, datetime(2023, 3, 20, 12, 7, tzinfo=UTC))
    assert az == pytest.approx(180.0, abs=1.5) and el == pytest.approx(38.5, abs=0.7)
    # Tumangang at 02:24 UTC (11:24 local) on 2023-10-05: south-south-east, about 41 degrees up
    az, el = sun.position(130.6081, 42.4214, datetime(2023, 10, 5, 2, 24, tzinfo=UTC))
    assert 150 < az < 175 and 38 < el < 44
    # midnight sun is below the horizon
    assert sun.position(130.6, 42.4, datetime(2023, 10, 5, 15, 0, tzinfo=UTC))[1] < 0


def test_shadows_fall_away_from_the_sun():
    east, north = sun.shadow_direction(180.0)  # sun in the south: shadows point north
    assert east == pytest.approx(0.0, abs=1e-12) and north == pytest.approx(1.0)
    east, north = sun.shadow_direction(90.0)  # morning sun in the east: shadows point west
    assert east == pytest.approx(-1.0) and north == pytest.approx(0.0, abs=1e-12)


def test_sun_from_tags():
    assert sun.from_tags({"MEANSUNAZ": "161.2", "MEANSUNEL": "40.5"}) == (161.2, 40.5)
    assert sun.from_tags({"view:sun_azimuth": 370, "view:sun_elevation": 20}) == (10.0, 20.0)
    assert sun.from_tags({"MEANSUNAZ": "x", "MEANSUNEL": "40"}) is None
    assert sun.from_tags({"MEANSUNAZ": "100", "MEANSUNEL": "-3"}) is None
    assert sun.from_tags({}) is None


def test_count_knows_the_sun(tmp_path):
    from contextlib import ExitStack

    from railwatch import simulate

    site = simulate.make_site(3, n_tracks=1, length_m=120)
    when = datetime(2023, 10, 5, 2, 24, tzinfo=UTC)
    path = tmp_path / "scene.tif"
    simulate.render(site, [], path, gsd_m=1.0, acquired=when, seed=3)
    truth = simulate.truth.read(path).meta
    with ExitStack() as stack:
        img = _open(str(path), None, stack)
        az, el = img.sun
        assert az == pytest.approx(truth["sun_azimuth_deg"], abs=0.5)
        assert el == pytest.approx(truth["sun_elevation_deg"], abs=0.5)
        night = _open(str(path), None, stack, datetime(2023, 10, 5, 15, 0, tzinfo=UTC))
        assert night.sun is None
