"""The plain dataclasses that stages pass to each other (DESIGN.md: "stages talk through plain
dataclasses"). No stage reaches into another's internals; the store maps these to SQL.

Geometry is always lon/lat (EPSG:4326, RFC 7946 order) in these records; stages project to a
metric CRS (see `railwatch.geo`) when they need metres. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shapely.geometry import LineString, Point, Polygon

if TYPE_CHECKING:
    from railwatch.detect.estimate import Spread

CAR_TYPES: tuple[str, ...] = (
    "locomotive",
    "boxcar",
    "tank",
    "flat",
    "container",
    "gondola",
    "covered",
    "passenger",
    "unknown",
)
"""Every car type railwatch reports. `covered` means tarp-covered; `locomotive` is not a railcar."""


@dataclass
class Track:
    """One track centreline, located by id; chainage runs in metres from the first vertex."""

    id: str
    line: LineString
    site: str | None = None
    gauge_mm: int | None = None
    country: str | None = None
    kind: str = "rail"
    geometry_quality: str = "surveyed"
    name: str | None = None

    @property
    def length_m(self) -> float:
        from railwatch.geo import line_length_m

        return line_length_m(self.line)


@dataclass
class Landmark:
    """A named point (station, bridge end, border point), optionally on a track at a chainage."""

    id: str
    name: str
    kind: str
    point: Point
    site: str | None = None
    country: str | None = None
    track: str | None = None
    chainage_m: float | None = None


@dataclass
class Site:
    """A rail site a user watches: an area of interest with its tracks and landmarks."""

    id: str
    name: str
    aoi: Polygon
    countries: list[str] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    landmarks: list[Landmark] = field(default_factory=list)
    timezone: str = "UTC"
    description: str = ""

    def track(self, track_id: str) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(track_id)


@dataclass
class Scene:
    """One ingested image: where it is, when it was taken, how fine it is."""

    path: str
    sha256: str
    acquired: datetime | None
    gsd_m: float
    crs: str | None
    footprint: Polygon | None
    width: int
    height: int
    band_count: int
    dtype: str
    time_source: str = "unknown"
    source: str | None = None
    cloud_cover: float | None = None
    id: int | None = None


@dataclass
class Car:
    """One detected (or true) car on a track, located by chainage in metres."""

    track: str
    start_m: float
    end_m: float
    type: str = "unknown"
    color: str = "#808080"
    confidence: float = 0.5
    footprint: Polygon | None = None
    type_p: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    """Probability of each railcar type from the pixels (`detect.types.probabilities`); empty where types
    are not read (coarse GSD, locomotives, truth). Internal: not in the count JSON, not stored."""

    @property
    def length_m(self) -> float:
        return abs(self.end_m - self.start_m)

    @property
    def is_locomotive(self) -> bool:
        return self.type == "locomotive"

    def to_dict(self) -> dict[str, Any]:
        return {
            "track": self.track,
            "start_m": round(float(self.start_m), 2),
            "end_m": round(float(self.end_m), 2),
            "type": self.type,
            "color": self.color,
            "confidence": round(float(self.confidence), 3),
        }


@dataclass
class TrackCount:
    """The count on one track of one image, with its interval and how much of the track was seen."""

    id: str
    length_m: float
    coverage: float
    cars: int
    cars_low: int
    cars_high: int
    by_type: dict[str, int] = field(default_factory=dict)
    locomotives: int = 0
    shift_m: tuple[float, float] = (0.0, 0.0)
    by_type_expected: dict[str, float] = field(default_factory=dict)
    """Expected railcars of each type from the cars' type probabilities (`detect.bytype`); empty when types
    are not read (coarse GSD)."""
    by_type_low: dict[str, int] = field(default_factory=dict)
    """Low end of each type's 90 % interval (same keys as `by_type_expected`)."""
    by_type_high: dict[str, int] = field(default_factory=dict)
    """High end of each type's 90 % interval (same keys as `by_type_expected`)."""
    by_type_doubt: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per type (own variance, sum of the cars' standard deviations): with `by_type_expected`, the sums a
    look's by-type interval is drawn from (`detect.bytype.TypeStats`, added over tracks); not in the JSON."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "length_m": round(float(self.length_m), 1),
            "coverage": round(float(self.coverage), 3),
            "cars": int(self.cars),
            "cars_low": int(self.cars_low),
            "cars_high": int(self.cars_high),
            "by_type": {k: int(v) for k, v in self.by_type.items()},
            "by_type_low": {k: int(v) for k, v in self.by_type_low.items()},
            "by_type_high": {k: int(v) for k, v in self.by_type_high.items()},
        }


@dataclass
class Observation:
    """What one scene showed on one track of one site: the unit the store and analytics share."""

    site: str
    track: str
    acquired: datetime
    coverage: float
    cars: int
    cars_low: int
    cars_high: int
    locomotives: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    scene_id: int | None = None
    gsd_m: float | None = None
    car_list: list[Car] = field(default_factory=list)
    id: int | None = None
    by_type_expected: dict[str, float] | None = None
    """Expected railcars of each type with its 90 % interval in `by_type_low` / `by_type_high` (`detect.
    bytype`); None when types were not read (coarse GSD) or not kept (rows stored before migration 0003)."""
    by_type_low: dict[str, int] | None = None
    by_type_high: dict[str, int] | None = None
    by_type_doubt: dict[str, tuple[float, float]] | None = None
    """Per type (own variance, sum of the cars' standard deviations), as `TrackCount.by_type_doubt`."""
    spread: Spread | None = None
    """How [cars_low, cars_high] splits into parts independent between tracks and parts shared by
    the look's tracks (`detect.estimate.Spread`), so sums over tracks add them as count() does; None
    when unknown (rows stored before it was kept): sums then add this interval linearly."""


@dataclass
class Consist:
    """Adjacent cars on one track seen together in one scene: a train or a cut of cars."""

    track: str
    start_m: float
    end_m: float
    cars: list[Car]
    acquired: datetime | None = None
    scene_id: int | None = None
    site: str | None = None
    id: str | None = None

    @property
    def locomotives(self) -> int:
        return sum(1 for c in self.cars if c.is_locomotive)

    @property
    def railcars(self) -> list[Car]:
        return [c for c in self.cars if not c.is_locomotive]

    @property
    def length_m(self) -> float:
        return abs(self.end_m - self.start_m)


@dataclass
class Movement:
    """A consist followed from one sighting to the next."""

    consist_from: Consist
    consist_to: Consist
    t0: datetime
    t1: datetime
    distance_m: float
    landmarks_passed: list[str] = field(default_factory=list)
    crossed_border: bool = False
    countries: tuple[str | None, str | None] = (None, None)
    confidence: float = 0.0
    changes: list[str] = field(default_factory=list)

    @property
    def speed_kmh(self) -> float:
        hours = (self.t1 - self.t0).total_seconds() / 3600.0
        return self.distance_m / 1000.0 / hours if hours > 0 else float("inf")


@dataclass
class Event:
    """An outside event (a summit, a sanctions decision) to measure lags against."""

    date: str
    title: str
    source: str | None = None
    id: int | None = None


@dataclass
class Alert:
    """A surge or change point worth an analyst's look."""

    site: str
    date: str
    kind: str
    count: float
    baseline: float
    ratio: float
    zscore: float | None = None
    track: str | None = None
    message: str = ""
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
