"""Trains followed across scenes and borders: consists from cars, their signatures, the rail network
graph, and cross-scene matching into Movements."""

from __future__ import annotations

from railwatch.movement.consists import from_observations, group
from railwatch.movement.match import chains, match
from railwatch.movement.network import Network, Route, from_sites
from railwatch.movement.signature import compare, signature, similarity

__all__ = [
    "Network",
    "Route",
    "chains",
    "compare",
    "from_observations",
    "from_sites",
    "group",
    "match",
    "signature",
    "similarity",
]
