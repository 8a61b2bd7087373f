"""Daily count series per site (and per track), from stored observations or an analyst's CSV.

Rules (documented in the CLI help and the report):

* **One value per day.** Several looks on one day are merged: per track the look with the best
  coverage wins (ties: the later look); a CSV day with several rows keeps the row with the best
  coverage (ties: the mean of their counts).
* **Partial coverage.** A look that saw a fraction `coverage` of the tracks estimates the full count
  as `seen / coverage` when `coverage >= coverage_floor` (default 0.5), and its interval is widened
  by two Poisson sigmas of the unseen part. A look under the floor is kept for display
  (`used=False`) but never analysed: a 30 % look is not a drop.
* **Site totals from the store.** Per day, each of the site's tracks contributes its best look
  (a track not seen that day has coverage 0); the day's site coverage is the mean track coverage
  and the site total is the sum of seen cars scaled by that coverage. Its interval adds the tracks'
  intervals as `railwatch.count` adds a scene's (`detect.estimate.total_interval`: parts independent
  between tracks in quadrature, shared parts linearly), so a day of one full look reads the scene's
  own [total_low, total_high]; tracks stored without their spread add linearly.
* **Irregular dates.** Looks stay on their own dates; nothing is resampled or interpolated.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from railwatch.detect.estimate import total_interval
from railwatch.errors import SeriesError
from railwatch.records import Observation

COVERAGE_FLOOR = 0.5
"""Looks that saw less than this fraction of the tracks are shown but not analysed."""


@dataclass
class Look:
    """One day's count at a site or on one track, estimated for full coverage."""

    date: date
    count: float
    low: float
    high: float
    coverage: float = 1.0
    seen: float = 0.0
    looks: int = 1
    used: bool = True

    @property
    def partial(self) -> bool:
        return self.coverage < 0.999

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "count": round(self.count, 2),
            "low": round(self.low, 2),
            "high": round(self.high, 2),
            "coverage": round(self.coverage, 3),
            "seen": round(self.seen, 2),
            "looks": self.looks,
            "used": self.used,
        }


@dataclass
class Series:
    """The daily looks at one site (track None = site total), sorted by date."""

    site: str
    looks: list[Look] = field(default_factory=list)
    track: str | None = None
    source: str = ""

    @property
    def used(self) -> list[Look]:
        """The looks the analysis works on (coverage at or above the floor)."""
        return [lk for lk in self.looks if lk.used]

    @property
    def label(self) -> str:
        return self.site if self.track is None else f"{self.site}/{self.track}"


def scale(seen: float, low: float, high: float, coverage: float,
          coverage_floor: float = COVERAGE_FLOOR) -> tuple[float, float, float, bool]:
    """Estimate the full count from a partial look: (count, low, high, used).

    count = seen / coverage; the interval is the seen interval scaled the same way and widened by
    two Poisson sigmas of the estimated unseen cars (plus one car, so an empty partial look still
    admits a car hidden under the cloud).
    """
    if coverage >= 0.999:
        return float(seen), float(low), float(high), True
    if coverage <= 0:
        return float(seen), float(low), math.nan, False
    k = 1.0 / coverage
    unseen = seen * (k - 1.0)
    widen = 2.0 * math.sqrt(unseen)
    count = seen * k
    lo = max(float(low), low * k - widen)
    hi = high * k + widen + (k - 1.0)
    return count, lo, hi, coverage >= coverage_floor


def _utc_date(value: datetime) -> date:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).date()


def parse_date(text: str) -> date:
    """An ISO date or date-time (taken in UTC) as a date; ValueError when it is neither."""
    text = text.strip()
    if not text:
        raise ValueError("empty date")
    if len(text) == 10:
        return date.fromisoformat(text)
    return _utc_date(datetime.fromisoformat(text.replace("Z", "+00:00")))


def from_observations(observations: Iterable[Observation], coverage_floor: float = COVERAGE_FLOOR,
                      tracks: bool = False) -> list[Series]:
    """Site-total series (and per-track series when `tracks`) from stored observations."""
    by_site: dict[str, list[Observation]] = defaultdict(list)
    for obs in observations:
        by_site[obs.site].append(obs)
    out: list[Series] = []
    for site in sorted(by_site):
        obs_list = by_site[site]
        track_ids = sorted({o.track for o in obs_list})
        best: dict[tuple[date, str], Observation] = {}
        scenes_by_day: dict[date, set] = defaultdict(set)
        for o in obs_list:
            scenes_by_day[_utc_date(o.acquired)].add(o.scene_id if o.scene_id is not None else o.acquired)
            key = (_utc_date(o.acquired), o.track)
            cur = best.get(key)
            if cur is None or (o.coverage, o.acquired) > (cur.coverage, cur.acquired):
                best[key] = o
        n_looks = {d: len(v) for d, v in scenes_by_day.items()}
        days = sorted({d for d, _ in best})
        total = Series(site=site, source="store")
        for d in days:
            day = [o for o in (best.get((d, t)) for t in track_ids) if o is not None]
            cov = sum(o.coverage for o in day) / len(track_ids)
            seen = sum(o.cars for o in day)
            lo, hi = total_interval([(o.cars, o.cars_low, o.cars_high, o.spread) for o in day])
            count, low, high, used = scale(seen, lo, hi, cov, coverage_floor)
            total.looks.append(Look(d, count, low, high, cov, float(seen), n_looks[d], used))
        out.append(total)
        if tracks:
            for t in track_ids:
                s = Series(site=site, track=t, source="store")
                for d in days:
                    o = best.get((d, t))
                    if o is None:
                        continue
                    count, low, high, used = scale(o.cars, o.cars_low, o.cars_high, o.coverage,
                                                   coverage_floor)
                    s.looks.append(Look(d, count, low, high, o.coverage, float(o.cars), n_looks[d], used))
                out.append(s)
    return out


_REQUIRED = ("date", "site", "count")


def read_csv(path: str | Path, coverage_floor: float = COVERAGE_FLOOR) -> list[Series]:
    """Read SERIES.csv (`date,site,count[,coverage]`) into one series per site, sorted by date.

    Rows may come in any order (they are sorted); several rows for one site and day are merged
    (best coverage wins; equal coverage: the mean count). Raises SeriesError naming the file and
    line for a missing column, a bad date, a non-numeric / negative count or a coverage outside
    (0, 1], and for a file with no rows.
    """
    path = Path(path)
    rows = _read_rows(path)
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise SeriesError(f"missing column(s) {', '.join(missing)} (need date,site,count[,coverage])",
                          path=str(path))
    col = {name: header.index(name) for name in header}
    per_day: dict[tuple[str, date], list[tuple[float, float]]] = defaultdict(list)
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise SeriesError(f"line {lineno}: expected {len(header)} fields, got {len(row)}", path=str(path))
        site = row[col["site"]].strip()
        if not site:
            raise SeriesError(f"line {lineno}: empty site", path=str(path))
        try:
            d = parse_date(row[col["date"]])
        except ValueError:
            raise SeriesError(f"line {lineno}: cannot read date {row[col['date']]!r} (want YYYY-MM-DD)",
                              path=str(path)) from None
        count = _number(row[col["count"]], "count", lineno, path)
        if count < 0:
            raise SeriesError(f"line {lineno}: negative count {count:g}", path=str(path))
        coverage = 1.0
        if "coverage" in col and row[col["coverage"]].strip():
            coverage = _number(row[col["coverage"]], "coverage", lineno, path)
            if not 0.0 < coverage <= 1.0:
                raise SeriesError(f"line {lineno}: coverage {coverage:g} outside (0, 1]", path=str(path))
        per_day[(site, d)].append((coverage, count))
    if not per_day:
        raise SeriesError("no data rows", path=str(path))
    by_site: dict[str, Series] = {}
    for (site, d), looks in sorted(per_day.items()):
        cov = max(c for c, _ in looks)
        counts = [n for c, n in looks if c == cov]
        seen = sum(counts) / len(counts)
        # An analyst's count is exact for what was seen: +-sqrt(n) is the yard's day-to-day noise.
        count, low, high, used = scale(seen, seen, seen, cov, coverage_floor)
        s = by_site.setdefault(site, Series(site=site, source=str(path)))
        s.looks.append(Look(d, count, low, high, cov, seen, len(looks), used))
    return [by_site[k] for k in sorted(by_site)]


def _read_rows(path: Path) -> list[list[str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [r for r in csv.reader(fh)]
    except FileNotFoundError:
        raise SeriesError("no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SeriesError(f"cannot read CSV: {exc}", path=str(path)) from None
    rows = [r for r in rows if r and any(c.strip() for c in r)]
    if not rows:
        raise SeriesError("empty file (no header, no rows)", path=str(path))
    return rows


def _number(text: str, name: str, lineno: int, path: Path) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise SeriesError(f"line {lineno}: {name} {text.strip()!r} is not a number", path=str(path)) from None
    if not math.isfinite(value):
        raise SeriesError(f"line {lineno}: {name} {text.strip()!r} is not a finite number", path=str(path))
    return value
