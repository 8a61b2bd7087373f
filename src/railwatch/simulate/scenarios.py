"""Named scenarios: series of simulated scenes with truth that retell real, published episodes at the
North Korea-Russia border, so that the whole chain (count -> activity -> movement -> report) can be run
and checked end to end.

- `tumangang-2023`: weekly-ish looks at the Tumangang yard, June-October 2023; a baseline of 0-20
  railcars, then a rise from 2023-09-18 to 73 railcars on 2023-10-05 (mostly tarp-covered), after the
  Kim-Putin summit of 2023-09-13 (CSIS Beyond Parallel / 38 North reporting).
- `crossing-2022-11-04`: three enclosed cars cross the Friendship Bridge into Russia and stand at Khasan
  (38 North, Planet imagery, 10:24 Pyongyang, 13:10 and 14:29 Vladivostok time).
- `return-2022-11-29`: an eight-car train with a locomotive at Khasan, then the same cars in the
  Tumangang yard the next day without the locomotive.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from shapely.geometry import box

from railwatch.errors import InputError
from railwatch.geo import chainage_m, line_length_m, point_at
from railwatch.records import Car, Site
from railwatch.simulate import cars as carlib
from railwatch.simulate.render import render, track_coverage
from railwatch.simulate.site import combine, make_site

SCENARIOS: tuple[str, ...] = ("tumangang-2023", "crossing-2022-11-04", "return-2022-11-29")
SUMMIT = (date(2023, 9, 13), "Kim–Putin summit at Vostochny Cosmodrome")
RISE_START = date(2023, 9, 18)
PEAK = (date(2023, 10, 5), 73)
PYONGYANG = ZoneInfo("Asia/Pyongyang")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")

Progress = Callable[[str], None] | None


def load_site(name: str) -> Site:
    """A catalog site by id (falls back to a generic simulated yard if the catalog is not installed)."""
    try:
        from railwatch import sites
    except ImportError:  # pragma: no cover - the catalog ships with railwatch
        return make_site(seed=0)
    return sites.load(name)


def local_to_utc(year: int, month: int, day: int, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """A wall-clock time in a zone -> the same instant in UTC (10:24 Pyongyang -> 01:24 UTC)."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def scenario(
    name: str, out_dir: str | Path, seed: int = 0, gsd_m: float | None = None, progress: Progress = None
) -> list[Path]:
    """Write a named scenario's scenes (COG + truth), `scenario.json` and CSVs into out_dir; returns the
    scene paths in time order."""
    runners = {
        "tumangang-2023": _tumangang_2023,
        "crossing-2022-11-04": _crossing,
        "return-2022-11-29": _return,
    }
    if name not in runners:
        raise InputError(f"unknown scenario {name!r}; scenarios: {', '.join(SCENARIOS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return runners[name](out, seed, gsd_m, progress)


def _say(progress: Progress, text: str) -> None:
    if progress is not None:
        progress(text)


def _write_manifest(out: Path, name: str, seed: int, scenes: list[dict]) -> None:
    doc = {"scenario": name, "seed": seed, "scenes": scenes}
    (out / "scenario.json").write_text(json.dumps(doc, indent=2))


def _scene_entry(path: Path, site: Site, utc: datetime, tz: ZoneInfo, note: str) -> dict:
    return {
        "path": path.name,
        "truth": path.with_suffix(".truth.geojson").name,
        "site": site.id,
        "local_time": utc.astimezone(tz).isoformat(),
        "timezone": str(tz),
        "utc": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "note": note,
    }


# --- tumangang-2023 -----------------------------------------------------------------------------------------


def look_dates(seed: int) -> list[tuple[date, float]]:
    """Look dates 2023-06-01..10-31 every 4-10 days with cloud fractions; fully cloudy looks are dropped.
    Always includes 2023-09-18 and 2023-10-05 (clear)."""
    rng = np.random.default_rng([seed, 2023])
    d = date(2023, 6, 1)
    fixed = {RISE_START, PEAK[0]}
    looks: list[tuple[date, float]] = []
    last = d
    while d <= date(2023, 10, 31):
        if all(abs((d - f).days) > 2 for f in fixed):
            r = rng.random()
            if r < 0.18 and (d - last).days <= 8:
                pass  # overcast: no usable look (never twice in a row)
            elif r < 0.45:
                looks.append((d, float(rng.uniform(0.1, 0.3))))
            else:
                looks.append((d, 0.0))
            if looks and looks[-1][0] == d:
                last = d
        d += timedelta(days=int(rng.integers(4, 11)))
    looks.extend((f, 0.0) for f in fixed)
    return sorted(looks)


def true_count(day: date, rng: np.random.Generator) -> int:
    """Railcars in the yard on a day: baseline 0-20, rising from 09-18 to 73 on 10-05, then 60-90."""
    if day < RISE_START:
        return int(rng.integers(0, 21))
    if day <= PEAK[0]:
        frac = (day - RISE_START).days / (PEAK[0] - RISE_START).days
        base = 15 + (PEAK[1] - 15) * frac
        return PEAK[1] if day == PEAK[0] else int(round(base + rng.integers(-3, 4)))
    return int(np.clip(PEAK[1] + rng.integers(-12, 16), 60, 90))


def _yard_tracks(site: Site) -> list:
    yard = [t for t in site.tracks if t.kind in ("yard", "siding", "station") or "yard" in t.id]
    return yard or site.tracks


def place(site: Site, n: int, rng: np.random.Generator, covered_share: float) -> list[Car]:
    """Exactly `n` standing railcars (no locomotives) in cuts of 4-25 cars on the site's yard tracks."""
    tracks = _yard_tracks(site)
    free = {t.id: [(20.0, line_length_m(t.line) - 20.0)] for t in tracks}
    placed: list[Car] = []
    tries = 0
    while len(placed) < n and tries < 500:
        tries += 1
        want = int(min(n - len(placed), rng.integers(4, 26)))
        t = tracks[int(rng.integers(len(tracks)))]
        spans = [s for s in free[t.id] if s[1] - s[0] > want * 17.5 + 30]
        if not spans:
            continue
        a, b = spans[int(rng.integers(len(spans)))]
        start = float(rng.uniform(a, b - want * 17.5))
        kinds = ["covered"] * int(round(want * covered_share))
        kinds += [
            str(rng.choice(("gondola", "tank", "flat", "boxcar", "container")))
            for _ in range(want - len(kinds))
        ]
        rng.shuffle(kinds)
        cut = []
        pos = start
        for kind in kinds:
            length = carlib.length_m(kind, rng)
            cut.append(
                Car(
                    track=t.id,
                    start_m=round(pos, 3),
                    end_m=round(pos + length, 3),
                    type=kind,
                    color=carlib.paint(kind, rng),
                    confidence=1.0,
                )
            )
            pos += length + rng.uniform(*carlib.GAP_M)
        end = cut[-1].end_m
        free[t.id].remove((a, b))
        free[t.id] += [(a, start - 15.0), (end + 15.0, b)]
        placed.extend(cut)
    if len(placed) != n:
        raise InputError(f"cannot fit {n} railcars on the yard tracks of {site.id}")
    return placed


def _tumangang_2023(out: Path, seed: int, gsd_m: float | None, progress: Progress) -> list[Path]:
    site = load_site("tumangang")
    gsd = gsd_m or 0.5
    rng = np.random.default_rng([seed, 73])
    scenes, entries, series = [], [], []
    looks = look_dates(seed)
    for i, (day, clouds) in enumerate(looks):
        n = true_count(day, rng)
        covered = 0.8 if day >= RISE_START else 0.1
        cars = place(site, n, rng, covered)
        hour = int(rng.integers(10, 13))
        when = datetime(day.year, day.month, day.day, hour, int(rng.integers(0, 60)), tzinfo=PYONGYANG)
        utc = when.astimezone(UTC)
        path = out / f"tumangang-{day.isoformat()}.tif"
        _say(progress, f"[{i + 1}/{len(looks)}] {path.name}: {n} railcars, clouds {clouds:.2f}")
        shift = float(rng.uniform(0, 3))
        scene_seed = (
            _partly_cloudy_seed(site, utc, seed * 1000 + i, clouds, shift) if clouds else seed * 1000 + i
        )
        render(
            site,
            cars,
            path,
            gsd_m=gsd,
            acquired=utc,
            seed=scene_seed,
            clouds=clouds,
            misregistration_m=shift,
            off_nadir_deg=float(rng.uniform(0, 20)),
        )
        meta = json.loads(path.with_suffix(".truth.geojson").read_text())["railwatch"]
        cov = _coverage(site, meta)
        scenes.append(path)
        entries.append(_scene_entry(path, site, utc, PYONGYANG, f"{n} railcars"))
        series.append((day.isoformat(), site.id, n, round(cov, 3)))
    with (out / "series_truth.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "site", "count", "coverage"])
        w.writerows(series)
    with (out / "events.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "title"])
        w.writerow([SUMMIT[0].isoformat(), SUMMIT[1]])
    _write_manifest(out, "tumangang-2023", seed, entries)
    return scenes


def _coverage(site: Site, meta: dict) -> float:
    """Length-weighted coverage of the yard tracks from a truth `railwatch` member."""
    return _weighted(site, {k: v["coverage"] for k, v in meta["tracks"].items()})


def _weighted(site: Site, coverage: dict[str, float]) -> float:
    tracks = _yard_tracks(site)
    total = sum(t.length_m for t in tracks)
    return sum(coverage[t.id] * t.length_m for t in tracks) / total


def _partly_cloudy_seed(site: Site, utc: datetime, seed: int, clouds: float, shift_m: float) -> int:
    """A scene seed whose clouds leave 60-95 % of the yard visible (a partial look, not a lost one)."""
    for k in range(40):
        s = seed + 7919 * k
        cov = _weighted(
            site, track_coverage(site, acquired=utc, seed=s, clouds=clouds, misregistration_m=shift_m)
        )
        if 0.6 <= cov <= 0.95:
            return s
    return seed


# --- crossing-2022-11-04 and return-2022-11-29 ---------------------------------------------------------


def border_area() -> Site:
    """Friendship Bridge + Khasan + the east end of Tumangang, as one site for scenes that span the border."""
    bridge, khasan, tum = load_site("friendship-bridge"), load_site("khasan"), load_site("tumangang")
    minx, miny, maxx, maxy = bridge.aoi.union(khasan.aoi).bounds
    aoi = box(minx - 0.004, miny, maxx, maxy)
    return combine(
        [bridge, khasan, tum], site_id="border", name="Tumangang east end, Friendship Bridge, Khasan", aoi=aoi
    )


def _landmark(site: Site, suffix: str) -> float:
    for lm in site.landmarks:
        if lm.id.endswith(suffix) and lm.chainage_m is not None:
            return float(lm.chainage_m)
    raise InputError(f"site {site.id} has no landmark {suffix!r}")


def _train(
    track: str, front_m: float, specs: list[tuple[str, str, float]], rng: np.random.Generator, loco: bool
) -> list[Car]:
    """A train heading towards increasing chainage, its front at `front_m`: optional locomotive, then cars."""
    out: list[Car] = []
    pos = front_m
    if loco:
        out.append(
            Car(
                track=track,
                start_m=round(pos - 18.15, 3),
                end_m=round(pos, 3),
                type="locomotive",
                color="#2f5e3a",
                confidence=1.0,
            )
        )
        pos -= 18.15 + 1.1
    for kind, color, length in specs:
        out.append(
            Car(
                track=track,
                start_m=round(pos - length, 3),
                end_m=round(pos, 3),
                type=kind,
                color=color,
                confidence=1.0,
            )
        )
        pos -= length + float(rng.uniform(*carlib.GAP_M))
    return out


THREE_CARS = [("boxcar", "#8fb8d8", 16.4), ("boxcar", "#1f3a6b", 16.4), ("boxcar", "#7a3b2a", 16.4)]


def _crossing(out: Path, seed: int, gsd_m: float | None, progress: Progress) -> list[Path]:
    site = border_area()
    bridge = load_site("friendship-bridge")
    khasan = load_site("khasan")
    main = "friendship-bridge/main"
    kp_end, ru_end = _landmark(bridge, "bridge-end-kp"), _landmark(bridge, "bridge-end-ru")
    border = _landmark(bridge, "border-point")
    bridge_len = line_length_m(bridge.track(main).line)
    rng = np.random.default_rng([seed, 1104])
    # about 2 km from the border along the line: the rest of the bridge line, then into Khasan track 1
    stand_front = 2000.0 - (bridge_len - border) + 60.0
    beside = point_at(khasan.track("khasan/1").line, stand_front - 30.0)
    small = []
    pos = chainage_m(khasan.track("khasan/2").line, beside) - 20.0
    for _ in range(3):  # three smaller covered cars on an adjacent Khasan track
        length = float(rng.uniform(10.0, 11.5))
        small.append(
            Car(
                track="khasan/2",
                start_m=round(pos, 3),
                end_m=round(pos + length, 3),
                type="covered",
                color="#5a6140",
                confidence=1.0,
            )
        )
        pos += length + float(rng.uniform(*carlib.GAP_M))
    plan = [
        (
            local_to_utc(2022, 11, 4, 10, 24, PYONGYANG),
            PYONGYANG,
            _train(main, kp_end - 120.0, THREE_CARS, rng, loco=False),
            "three enclosed cars on the North Korean side of the bridge",
        ),
        (
            local_to_utc(2022, 11, 4, 13, 10, VLADIVOSTOK),
            VLADIVOSTOK,
            _train(main, ru_end + 200.0, THREE_CARS, rng, loco=True) + small,
            "locomotive attached, about 200 m past the Russian end of the bridge",
        ),
        (
            local_to_utc(2022, 11, 4, 14, 29, VLADIVOSTOK),
            VLADIVOSTOK,
            _train("khasan/1", stand_front, THREE_CARS, rng, loco=True) + small,
            "locomotive and three cars standing at Khasan, about 2 km from the border",
        ),
    ]
    return _run(out, "crossing-2022-11-04", site, plan, seed, gsd_m or 0.5, progress)


def _return(out: Path, seed: int, gsd_m: float | None, progress: Progress) -> list[Path]:
    khasan, tum = load_site("khasan"), load_site("tumangang")
    rng = np.random.default_rng([seed, 1129])
    specs = []
    for kind in ("boxcar", "tank", "gondola", "covered", "boxcar", "flat", "tank", "container"):
        specs.append((kind, carlib.paint(kind, rng), carlib.length_m(kind, rng)))
    station = next(lm for lm in khasan.landmarks if lm.id.endswith("station"))
    front = chainage_m(khasan.track("khasan/3").line, station.point) + 120.0
    at_khasan = _train("khasan/3", front, specs, rng, loco=True)
    yard = sorted(_yard_tracks(tum), key=lambda t: t.id)[2]
    in_yard = _train(yard.id, line_length_m(yard.line) - 150.0, specs, rng, loco=False)
    plan = [
        (
            local_to_utc(2022, 11, 29, 12, 40, VLADIVOSTOK),
            VLADIVOSTOK,
            at_khasan,
            "eight cars behind a locomotive at Khasan",
        ),
        (
            local_to_utc(2022, 11, 30, 11, 15, PYONGYANG),
            PYONGYANG,
            in_yard,
            "the same eight cars in the Tumangang yard, no locomotive",
        ),
    ]
    sites = [khasan, tum]
    return _run(out, "return-2022-11-29", sites, plan, seed, gsd_m or 0.5, progress)


def _run(out: Path, name: str, site, plan, seed: int, gsd: float, progress: Progress) -> list[Path]:
    scenes, entries = [], []
    for i, (utc, tz, cars, note) in enumerate(plan):
        s = site[i] if isinstance(site, list) else site
        path = out / f"{name}-{i + 1}-{utc.strftime('%Y%m%dT%H%MZ')}.tif"
        _say(progress, f"[{i + 1}/{len(plan)}] {path.name}: {note}")
        render(
            s,
            cars,
            path,
            gsd_m=gsd,
            acquired=utc,
            seed=seed * 100 + i,
            misregistration_m=1.0 + i * 0.5,
            off_nadir_deg=5.0 * i,
        )
        scenes.append(path)
        entries.append(_scene_entry(path, s, utc, tz, note))
    _write_manifest(out, name, seed, entries)
    return scenes
