"""Follow trains from the store: sites -> rail network, stored observations with their cars ->
consists -> movements. The one place the movement stage reads the store, so both CLI commands and the
server get the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from railwatch.errors import InputError
from railwatch.movement.consists import GAP_M, from_observations
from railwatch.movement.match import MAX_SPEED_KMH, WINDOW_H, chains, match
from railwatch.movement.network import Network, at_site, from_sites
from railwatch.records import Consist, Movement, Site

if TYPE_CHECKING:  # pragma: no cover
    from railwatch.store import Store


@dataclass
class Followed:
    """What following found: the movements (of the asked sites), every sighting, the network."""

    movements: list[Movement]
    consists: list[Consist]
    network: Network
    sites: dict[str, Site]


def parse_time(text: str | None, option: str, end_of_day: bool = False) -> datetime | None:
    """'2022-11-04' or '2022-11-04T03:10[Z|+hh:mm]' -> aware UTC datetime; a bare date given as an end
    means the end of that day. Raises InputError naming the option."""
    if text is None or text == "":
        return None
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            t = datetime.combine(d, time.max if end_of_day else time.min)
        else:
            t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{option}: not an ISO date or time: {text!r}") from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def follow(
    db: Store,
    site: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    window_h: float = WINDOW_H,
    max_speed_kmh: float = MAX_SPEED_KMH,
    gap_m: float = GAP_M,
) -> Followed:
    """Match the consists of every stored site in [start, end] and keep the movement chains that touch
    `site` (all when None). Consists travel between sites, so every site's sightings take part."""
    if start and end and end < start:
        raise InputError(f"--to ({end:%Y-%m-%d %H:%M}) is before --from ({start:%Y-%m-%d %H:%M})")
    if site is not None:
        db.get_site(site)
    sites = {s.id: s for s in db.sites()}
    if not sites:
        raise InputError("no sites in the store: add the watched sites first", path=db.url)
    network = from_sites(sites.values())
    observations = db.observations(start=start, end=end, with_cars=True)
    consists = from_observations(observations, gap_m=gap_m)
    moves = match(consists, network, window_h=window_h, max_speed_kmh=max_speed_kmh)
    if site is not None:
        moves = [
            m
            for ch in chains(moves)
            if any(
                at_site(c.site, c.track, site, network) for mv in ch for c in (mv.consist_from, mv.consist_to)
            )
            for m in ch
        ]
    return Followed(moves, consists, network, sites)


def movement_dict(m: Movement) -> dict[str, object]:
    """A movement as plain JSON-able values."""

    def side(c: Consist) -> dict[str, object]:
        return {
            "id": c.id,
            "site": c.site,
            "scene": c.scene_id,
            "track": c.track,
            "start_m": round(c.start_m, 1),
            "end_m": round(c.end_m, 1),
            "acquired": c.acquired.isoformat() if c.acquired else None,
            "cars": len(c.railcars),
            "locomotives": c.locomotives,
            "colors": [car.color for car in sorted(c.railcars, key=lambda car: car.start_m)],
        }

    hours = (m.t1 - m.t0) / timedelta(hours=1)
    return {
        "from": side(m.consist_from),
        "to": side(m.consist_to),
        "t0": m.t0.isoformat(),
        "t1": m.t1.isoformat(),
        "hours": round(hours, 2),
        "distance_m": round(m.distance_m, 1),
        "speed_kmh": round(m.speed_kmh, 2) if hours > 0 else None,
        "landmarks_passed": list(m.landmarks_passed),
        "crossed_border": m.crossed_border,
        "countries": list(m.countries),
        "confidence": round(m.confidence, 3),
        "changes": list(m.changes),
    }
