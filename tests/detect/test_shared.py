"""Yard throats: a stretch where two centrelines run closer than a car width belongs to one track."""

from __future__ import annotations

from shapely.geometry import LineString

from railwatch.detect import shared


def test_throat_stretch_belongs_to_the_longer_track():
    main = LineString([(0, 0), (1000, 0)])
    # A siding that leaves the main line: 0-100 m within 1 m of it, then 5 m away.
    siding = LineString([(100, 0.5), (200, 1.0), (230, 5.0), (600, 5.0)])
    masks = shared.shared_mask([main, siding], [main.length, siding.length], ["a/main", "a/siding"])
    assert not masks[0].any(), "the longer track owns every stretch"
    m = masks[1]
    assert m[:100].all(), "the siding's first 100 m run on the main line"
    assert not m[140:].any(), "5 m apart, the tracks no longer share cars"
    assert shared.owned_elsewhere(m, 10, 25)
    assert not shared.owned_elsewhere(m, 300, 315)


def test_parallel_tracks_five_metres_apart_share_nothing():
    a = LineString([(0, 0), (500, 0)])
    b = LineString([(0, 5), (500, 5)])
    masks = shared.shared_mask([a, b, None], [500.0, 500.0, 0.0], ["a", "b", "c"])
    assert not masks[0].any() and not masks[1].any()
    assert masks[2] is None


def test_equal_length_overlap_goes_to_lower_id():
    a = LineString([(0, 0), (100, 0)])
    b = LineString([(0, 1), (100, 1)])
    masks = shared.shared_mask([b, a], [100.0, 100.0], ["z", "a"])
    assert masks[0].all() and not masks[1].any()
