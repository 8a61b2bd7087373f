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


def _ladder_turnout() -> tuple[LineString, LineString]:
    """A siding 5 m from a ladder leaving it at x=100 on a 1:4 diverging straight."""
    ladder = LineString([(80, -5), (100, 0), (140, 10)])
    siding = LineString([(100, 0), (600, 0)])
    return ladder, siding


def test_fouled_mask_covers_the_turnout_only():
    ladder, siding = _ladder_turnout()
    masks = shared.fouled_mask([ladder, siding, None])
    m = masks[1]
    # the ladder's centreline is 3.0 m from the siding's 12.4 m along it (1:4 diverging)
    assert m[:12].all() and not m[14:].any()
    assert masks[2] is None
    assert masks[0][20:32].all(), "the ladder is fouled by the siding around the frog"


def test_lone_car_on_a_turnout_is_an_artefact_but_a_coupled_train_is_kept():
    _, siding = _ladder_turnout()
    m = shared.fouled_mask([_ladder_turnout()[0], siding])[1]
    assert shared.turnout_artefacts(m, [(0.0, 10.0), (200.0, 214.0)]) == [0]
    # a train through the turnout: the car on it couples (1.5 m gap) to a car beyond the stretch
    train = [(0.0, 11.5), (13.0, 27.5), (29.0, 43.0)]
    assert shared.turnout_artefacts(m, train) == []
    # a second lone piece coupled only to the artefact is dropped with it; a 5 m gap is no coupling
    assert shared.turnout_artefacts(m, [(0.0, 5.0), (6.0, 11.0), (16.0, 30.0)]) == [0, 1]
    assert shared.turnout_artefacts(None, [(0.0, 10.0)]) == []


def test_a_long_close_parallel_line_is_no_turnout():
    """A doubled line 1 m away for 300 m (discovery, a throat overlap) is left to ownership."""
    a = LineString([(0, 0), (500, 0)])
    b = LineString([(100, 1), (400, 1)])
    assert not shared.fouled_mask([a, b])[0].any()
