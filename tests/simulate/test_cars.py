"""Random consists: real lengths, coupler gaps, locomotives at consist ends, determinism."""

from __future__ import annotations

import numpy as np

from railwatch import simulate
from railwatch.records import CAR_TYPES


def _cars(seed: int):
    site = simulate.make_site(seed=0, n_tracks=8, length_m=1500)
    return site, simulate.random_cars(site, seed=seed, occupancy=0.6)


def test_lengths_match_muttenz_spread():
    lengths = []
    for seed in range(4):
        _, cars = _cars(seed)
        lengths += [c.length_m for c in cars if not c.is_locomotive]
    med = np.median(lengths)
    p5, p95 = np.percentile(lengths, [5, 95])
    assert 13.5 <= med <= 15.5  # Muttenz: 14.5 m
    assert 9.0 <= p5 <= 11.5 and 19.5 <= p95 <= 23.0  # Muttenz: 9.7-22.1 m


def test_gaps_types_locomotives_and_occupancy():
    site, cars = _cars(1)
    assert {c.type for c in cars} <= set(CAR_TYPES)
    assert len({c.type for c in cars}) >= 5
    by_track: dict[str, list] = {}
    for c in cars:
        by_track.setdefault(c.track, []).append(c)
    gaps, loco_at_end, loco_inside = [], 0, 0
    for track_id, cs in by_track.items():
        cs.sort(key=lambda c: c.start_m)
        length = site.track(track_id).length_m
        assert cs[0].start_m >= 0 and cs[-1].end_m <= length
        cuts = [[cs[0]]]
        for a, b in zip(cs[:-1], cs[1:], strict=True):
            gap = b.start_m - a.end_m
            assert gap > 0.79  # never overlapping
            if gap < 3:
                gaps.append(gap)
                cuts[-1].append(b)
            else:
                cuts.append([b])
        for cut in cuts:
            for i, c in enumerate(cut):
                if c.is_locomotive:
                    at_end = i < 2 or i >= len(cut) - 2
                    loco_at_end += at_end
                    loco_inside += not at_end
        occupied = sum(c.length_m for c in cs)
        assert 0.3 * length <= occupied <= 0.75 * length
    assert min(gaps) >= 0.8 and max(gaps) <= 1.5
    assert loco_at_end > 0 and loco_inside == 0


def test_random_cars_deterministic():
    _, a = _cars(3)
    _, b = _cars(3)
    _, c = _cars(4)
    assert [x.to_dict() for x in a] == [x.to_dict() for x in b]
    assert [x.to_dict() for x in a] != [x.to_dict() for x in c]
