"""Scale-out: scenes per hour through `pipeline.analyse` with the local executor and a Dask
LocalCluster of 1 and 2 worker processes; per-task cost, scheduler overhead, and a stated
extrapolation to 10 workers. Prints Markdown.

    python bench/scaling.py [--scenes N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from railwatch import pipeline, simulate, store
from railwatch.store.ingest import ingest

DAY0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def _noop(x: int) -> int:
    return x


def _warm() -> None:
    """Import the counting code in a worker so the first task does not pay for it."""
    import railwatch.detect.count  # noqa: F401


def make_scenes(folder: Path, n: int) -> tuple[object, list[Path]]:
    """`n` 1 m scenes of a 4-track, 600 m simulated yard, with different cars each."""
    site = simulate.make_site(seed=5, n_tracks=4, length_m=600)
    paths = []
    for i in range(n):
        cars = simulate.random_cars(site, seed=100 + i, occupancy=0.3 + 0.05 * (i % 8))
        paths.append(simulate.render(site, cars, folder / f"s{i:03d}.tif", gsd_m=1.0,
                                     acquired=DAY0 + timedelta(days=i), seed=i))
    return site, paths


def load(url: str, site, paths: list[Path]):
    db = store.open(url)
    db.put_site(site)
    for p in paths:
        ingest(db, p, site=site)
    return db


def timed_run(db, **kw) -> float:
    t0 = time.perf_counter()
    res = pipeline.analyse(db, **kw)
    wall = time.perf_counter() - t0
    bad = [r.error for r in res if r.error]
    if bad:
        raise SystemExit(f"bench: a task failed: {bad[0]}")
    return wall


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenes", type=int, default=12)
    args = ap.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    n = args.scenes
    with tempfile.TemporaryDirectory(prefix="rw-scaling-") as tmp:
        folder = Path(tmp)
        site, paths = make_scenes(folder, n)
        db = load(f"sqlite:///{folder / 'rw.db'}", site, paths)

        # Per-task cost: the pure worker function, in this process, no store writes.
        tasks = pipeline.plan(db)
        task_s = []
        for t in tasks:
            t0 = time.perf_counter()
            pipeline.analyse_task(t)
            task_s.append(time.perf_counter() - t0)
        cost = statistics.median(task_s)
        local_wall = timed_run(db, executor="local")

        rows = [("local (this process)", 1, 0.0, local_wall)]
        overhead_noop = {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            start_s = time.perf_counter() - t0
            try:
                with Client(cluster) as client:
                    client.run(_warm)
                    t0 = time.perf_counter()
                    client.gather(client.map(_noop, range(500), pure=False))
                    overhead_noop[workers] = (time.perf_counter() - t0) / 500
                wall = timed_run(db, executor="dask", scheduler=cluster.scheduler_address)
            finally:
                cluster.close()
            rows.append((f"dask LocalCluster, {workers} worker process(es)", workers, start_s, wall))

    per_hour = {name: 3600 * n / wall for name, _, _, wall in rows}
    w1_wall, w2_wall = rows[1][3], rows[2][3]
    # Serial part per scene that extra workers do not shrink: everything in the 1-worker wall time
    # beyond n * cost (scheduler round-trips, result pickling, the single writer), at least the
    # measured no-op round-trip.
    serial = max(overhead_noop[1], (w1_wall - n * cost) / n)
    ideal_10 = 3600 / (cost / 10 + serial)

    print("## Scale-out (pipeline.analyse, local vs Dask)\n")
    print(f"{n} simulated scenes, 1 m GSD, 4 tracks x 600 m; SQLite store; "
          "one writer (the calling process) stores each result as it completes.\n")
    print("| executor | workers | cluster start (s) | wall (s) | scenes/hour |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, workers, start_s, wall in rows:
        print(f"| {name} | {workers} | {start_s:.1f} | {wall:.2f} | {per_hour[name]:.0f} |")
    print()
    print(f"- per-task cost (count one scene x site, in-process, median of {len(task_s)}): "
          f"{cost * 1000:.0f} ms (min {min(task_s) * 1000:.0f}, max {max(task_s) * 1000:.0f})")
    print(f"- scheduler overhead per no-op task (500 tasks): 1 worker {overhead_noop[1] * 1000:.1f} ms, "
          f"2 workers {overhead_noop[2] * 1000:.1f} ms")
    print(f"- serial time per scene (1-worker wall - n x cost, over n; at least the no-op round-trip): "
          f"{serial * 1000:.0f} ms")
    print(f"- speed-up 1 -> 2 workers: {rows[1][3] / w2_wall:.2f}x")
    print(f"- **extrapolated at 10 workers: {ideal_10:.0f} scenes/hour.** Method: T/scene = cost / workers "
          "+ serial, with cost and serial measured above; assumes 10 free cores (or 10 machines) with the "
          "imagery on local or equally fast storage. This machine has only 2 cores shared with other "
          "work, so the 2-worker figure is itself bounded by CPU contention; treat the 10-worker number "
          "as an upper bound, limited further by the single writer and by imagery I/O.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
