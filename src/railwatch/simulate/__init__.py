"""Simulated, georeferenced rail scenes with exact ground truth: for tests, benchmarks, the demo, and
for checking a method before buying imagery.

    from railwatch import simulate
    site = simulate.make_site(seed=1)
    cars = simulate.random_cars(site, seed=1, occupancy=0.5)
    tif = simulate.render(site, cars, "scene.tif", gsd_m=0.5, acquired=datetime(...), seed=1)
    truth = simulate.truth.read(tif)

Modules: `render` (block-wise COG renderer + truth), `paint` (per-object painters), `noise` (seeded world-
coordinate noise), `sun` (solar position), `cars` (lengths, paints, random consists), `site` (make_site,
combine), `truth` (the truth GeoJSON contract), `scenarios` (named episodes).
"""

from __future__ import annotations

from railwatch.simulate import truth
from railwatch.simulate.cars import random_cars
from railwatch.simulate.render import render, track_coverage
from railwatch.simulate.scenarios import SCENARIOS, scenario
from railwatch.simulate.site import combine, make_site

__all__ = [
    "render",
    "random_cars",
    "make_site",
    "combine",
    "truth",
    "scenario",
    "SCENARIOS",
    "track_coverage",
]
