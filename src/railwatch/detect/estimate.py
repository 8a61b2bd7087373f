"""The per-track result of the car stage: cars and a low-high count interval."""

from __future__ import annotations

from dataclasses import dataclass

from railwatch.detect.occupancy import Occupancy
from railwatch.records import Car


@dataclass
class Estimate:
    """Cars on one track, with a count interval (locomotives included in the cars)."""

    cars: list[Car]
    low: int
    high: int
    occupancy: Occupancy
