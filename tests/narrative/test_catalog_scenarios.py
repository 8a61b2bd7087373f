"""The simulator's crossing-2022-11-04 and return-2022-11-29 plans (same tracks, positions, colours and
combined 'border' site, from `railwatch.simulate.scenarios`) as structured cars, through matching and the
brief: what the lead's end-to-end run from pixels should reproduce."""

from __future__ import annotations

import numpy as np
import pytest

from railwatch.movement.consists import group
from railwatch.movement.match import chains, match
from railwatch.movement.network import from_sites
from railwatch.narrative import Setting, brief

scen = pytest.importorskip("railwatch.simulate.scenarios")


def _noisy(cars, rng):
    out = []
    for c in cars:
        rgb = np.array([int(c.color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
        rgb = np.clip(rgb + rng.normal(0, 5, 3), 0, 255).round().astype(int)
        d0, d1 = rng.normal(0, 0.5, 2)
        out.append(
            type(c)(c.track, c.start_m + d0, c.end_m + d1, c.type, "#{:02x}{:02x}{:02x}".format(*rgb), 0.8)
        )
    return out


def _plan(name: str):
    """Capture the simulator's plan without rendering: (utc, cars, site) per scene."""
    captured = []

    def fake_run(out, name, site, plan, seed, gsd, progress):
        for i, (utc, _tz, cars, _note) in enumerate(plan):
            s = site[i] if isinstance(site, list) else site
            captured.append((utc, cars, s))
        return []

    orig = scen._run
    scen._run = fake_run
    try:
        {"crossing-2022-11-04": scen._crossing, "return-2022-11-29": scen._return}[name](None, 7, None, None)
    finally:
        scen._run = orig
    return captured


def _consists(plan, rng):
    out = []
    for k, (utc, cars, site) in enumerate(plan):
        out += group(_noisy(cars, rng), acquired=utc, scene_id=k + 1, site=site.id)
    return out


def _setting(plan):
    from railwatch import sites

    all_sites = {s.id: s for s in (sites.load(n) for n in ("tumangang", "friendship-bridge", "khasan"))}
    for _, _, s in plan:
        all_sites.setdefault(s.id, s)
    return Setting(from_sites(all_sites.values()), all_sites)


def test_simulated_crossing_followed_and_written_up():
    plan = _plan("crossing-2022-11-04")
    setting = _setting(plan)
    consists = _consists(plan, np.random.default_rng(11))
    moves = match(consists, setting.network)
    trips = [
        ch
        for ch in chains(moves)
        if len(ch[0].consist_from.railcars) == 3 and ch[0].consist_from.railcars[0].type == "boxcar"
    ]
    (trip,) = trips
    assert len(trip) == 2
    assert trip[0].crossed_border and trip[0].countries == ("KP", "RU")
    assert trip[0].changes == ["locomotive attached"]
    text = brief(moves, consists, setting)
    for phrase in (
        "three-car set of enclosed railcars",
        "(light blue, dark blue, red-brown)",
        "behind a locomotive",
        "about 200 m past the end of the railway bridge",
        "10:24 Pyongyang time (UTC+9)",
        "13:10 Vladivostok time (UTC+10)",
        "14:29 Vladivostok time (UTC+10)",
        "about 2 km from the border",
        "three smaller covered cars on an adjacent track",
        "from North Korea into Russia",
    ):
        assert phrase in text, phrase


def test_simulated_return_matched_without_locomotive():
    plan = _plan("return-2022-11-29")
    setting = _setting(plan)
    consists = _consists(plan, np.random.default_rng(12))
    (m,) = match(consists, setting.network)
    assert m.changes == ["locomotive detached"]
    assert m.countries == ("RU", "KP") and m.crossed_border
    text = brief([m], consists, setting)
    assert "eight-car train" in text and "in the Tumangang yard" in text and "without its locomotive" in text


def test_combined_scene_site_still_filters_by_the_track_sites():
    plan = _plan("crossing-2022-11-04")
    assert {s.id for _, _, s in plan} == {"border"}
    setting = _setting(plan)
    consists = _consists(plan, np.random.default_rng(13))
    moves = match(consists, setting.network)
    at_khasan = brief(moves, consists, setting, site_ids=["khasan"])
    assert "three-car set of enclosed railcars" in at_khasan
    assert "It stood in the same place in both images (between 13:10 and 14:29)." in at_khasan
    assert "# Rail movements: Khasan station" in at_khasan
    elsewhere = brief(moves, consists, setting, site_ids=["tumangang"])
    assert "enclosed railcars" not in elsewhere
