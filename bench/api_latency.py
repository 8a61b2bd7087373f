"""API latency: p50/p95 of the list endpoints over a store holding 10,000 observations.

Seeds a temporary SQLite store through the store API in one transaction (10 tracks x 1,000 scenes,
one car footprint per observation on the latest 50 scenes), then times each endpoint with FastAPI's
TestClient (in-process: app + store + JSON, no socket). Prints Markdown. Target: p95 < 50 ms.
`python bench/api_latency.py [N_SCENES]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from rich.console import Console
from rich.progress import track as progress
from shapely.geometry import LineString, box

from railwatch import store
from railwatch.records import Alert, Car, Event, Observation, Scene, Site, Track
from railwatch.server import create_app

TRACKS = 10
REPEATS = 40
err = Console(stderr=True)


def seed(db_url: str, n_scenes: int) -> None:
    """One site with TRACKS tracks; n_scenes scenes with one observation per track."""
    x0, y0 = 130.60, 42.42
    tracks = [Track(id=f"t{k}", line=LineString([(x0, y0 + k * 1e-4), (x0 + 0.01, y0 + k * 1e-4)]), site="s")
              for k in range(TRACKS)]
    site = Site(id="s", name="Bench yard", aoi=box(x0 - 0.01, y0 - 0.01, x0 + 0.02, y0 + 0.01), tracks=tracks)
    db = store.open(db_url)
    db.put_site(site)
    t0 = datetime(2020, 1, 1, 3, 0, tzinfo=UTC)
    with db.transaction():
        for i in progress(range(n_scenes), description="seeding", console=err):
            t = t0 + timedelta(days=i)
            sid, _ = db.add_scene(Scene(path=f"/nonexistent/bench_{i}.tif", sha256=f"{i:064x}", acquired=t,
                                        gsd_m=0.5, crs="EPSG:32652", footprint=site.aoi, width=1, height=1,
                                        band_count=3, dtype="uint8"), ["s"])
            obs = []
            for k, tr in enumerate(tracks):
                n = 10 + (i * 7 + k) % 13
                cars = []
                if i >= n_scenes - 50:
                    y = y0 + k * 1e-4
                    cars = [Car(track=tr.id, start_m=0, end_m=15, type="tank",
                                footprint=box(x0, y - 1e-5, x0 + 2e-4, y + 1e-5))]
                obs.append(Observation(site="s", track=tr.id, acquired=t, coverage=1.0, cars=n,
                                       cars_low=n - 1, cars_high=n + 1, by_type={"tank": n}, scene_id=sid,
                                       gsd_m=0.5, car_list=cars))
            db.put_observations(sid, "s", obs)
        for d in range(20):
            db.add_event(Event(date=f"{2020 + d // 10}-0{1 + d % 9}-15", title=f"event {d}"))
        db.put_alerts("s", [Alert(site="s", date=f"2021-0{1 + d % 9}-1{d % 10}", kind="surge", count=30,
                                  baseline=15, ratio=2.0) for d in range(30)])
    db.close()


def timings(client: TestClient, url: str) -> list[float]:
    """Milliseconds per request, after one warm-up request."""
    assert client.get(url).status_code == 200, url
    out = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, url
    return out


def main(n_scenes: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t = time.perf_counter()
        seed(url, n_scenes)
        seed_s = time.perf_counter() - t
        client = TestClient(create_app(url))
        n_obs = client.get("/api/observations?limit=1").json()["total"]
        urls = ["/api/sites", "/api/sites/s", "/api/scenes?limit=100",
                "/api/scenes?site=s&limit=1000&offset=500",
                "/api/observations?limit=100", "/api/observations?site=s&track=t3&limit=1000",
                "/api/observations?site=s&from=2022-01-01&to=2022-03-31&limit=1000",
                "/api/observations?limit=1000&offset=9000", f"/api/cars?scene={n_scenes}",
                "/api/cars?limit=100", "/api/cars?site=s&limit=100&offset=400", "/api/cars?latest=true",
                "/api/alerts", "/api/events", "/api/movements"]
        print(f"# API latency ({n_obs:,} observations, {n_scenes:,} scenes, SQLite, TestClient, "
              f"{REPEATS} requests each)\n")
        print(f"Seeding through the store API: {seed_s:.1f} s.\n")
        print("| endpoint | p50 ms | p95 ms | max ms | p95 < 50 ms |")
        print("| --- | ---: | ---: | ---: | --- |")
        for u in urls:
            ms = np.array(timings(client, u))
            p95 = float(np.percentile(ms, 95))
            ok = "yes" if p95 < 50 else "NO"
            print(f"| `{u}` | {np.median(ms):.1f} | {p95:.1f} | {ms.max():.1f} | {ok} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
