"""The simulated bench yards of count_accuracy.py and type_accuracy.py: one recipe, so both benches
measure the same scenes (unseen seeds from 10,000; 4 tracks x 500 m, ~55 % occupied, misregistration
3 m, 10 % cloud on every other seed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from railwatch import simulate

SEED0 = 10_000


def render(tmp: Path, gsd: float, i: int) -> tuple[object, Path, list]:
    """(site, scene path, truth cars hidden < 50 % by cloud) of the i-th bench yard at `gsd`."""
    seed = SEED0 + i
    site = simulate.make_site(seed=seed, n_tracks=4, length_m=500)
    cars = simulate.random_cars(site, seed=seed, occupancy=0.55)
    path = Path(tmp) / f"s_{gsd}_{seed}.tif"
    simulate.render(site, cars, path, gsd_m=gsd, acquired=datetime(2024, 5, 1, 3, tzinfo=UTC),
                    seed=seed, clouds=0.1 if i % 2 else 0.0, misregistration_m=3.0)
    truth = [c for c in simulate.truth.read(path).cars if getattr(c, "occluded", 0.0) < 0.5]
    return site, path, truth
