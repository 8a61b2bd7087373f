"""Counting speed: corridor reads vs a plain read of the same windows vs the full scene.

A simulated 500 m x 4-track yard (0.5 m) is embedded at the centre of large COGs (4,000^2 and
10,000^2 px, 512 px tiles, overviews); the same tracks are counted in both. Reports the cost of the
engine relative to a plain rasterio read of the corridor windows it touches, against reading the
whole scene, km of track per second per core, and peak Python memory (tracemalloc) at both sizes.
Baseline: the full-frame approach (track discovery over the whole frame, then counting).
Prints Markdown. `python bench/count_speed.py`.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.windows import Window

from railwatch import simulate
from railwatch.detect.count import STRIP_HALF_M, _metric_line, _open, count
from railwatch.imagery import corridor

SEED = 10_100


def _embed(small: Path, out: Path, size: int) -> None:
    """A size x size COG holding `small` at its centre, same CRS and pixel size, grass around it."""
    with rasterio.open(small) as src:
        data = src.read()
        h, w = src.height, src.width
        tr = src.transform
        off_r, off_c = (size - h) // 2, (size - w) // 2
        big_tr = tr * rasterio.Affine.translation(-off_c, -off_r)
        profile = dict(
            driver="GTiff",
            width=size,
            height=size,
            count=3,
            dtype="uint8",
            crs=src.crs,
            transform=big_tr,
            tiled=True,
            blockxsize=512,
            blockysize=512,
            compress="DEFLATE",
        )
    tmp = out.with_suffix(".tmp.tif")
    with rasterio.open(tmp, "w", **profile) as dst:
        # Textured ground (a repeated random tile): realistic decode cost, unlike a constant fill.
        rng = np.random.default_rng(0)
        grass = (np.array([95, 100, 70])[:, None, None] + rng.integers(0, 12, (3, 1024, 1024))).astype(
            np.uint8
        )
        for r in range(0, size, 1024):
            for c in range(0, size, 1024):
                hh, ww = min(1024, size - r), min(1024, size - c)
                dst.write(grass[:, :hh, :ww], window=Window(c, r, ww, hh))
        dst.write(data, window=Window(off_c, off_r, w, h))
    rasterio.shutil.copy(
        tmp, out, driver="COG", COMPRESS="DEFLATE", BLOCKSIZE=512, OVERVIEW_RESAMPLING="AVERAGE"
    )
    tmp.unlink()


def _timed(fn, repeat: int = 2, clock=time.perf_counter) -> tuple[float, object]:
    """Best of `repeat` runs of `fn` on `clock` (wall time; `time.process_time`: this process's CPU)."""
    best, val = float("inf"), None
    for _ in range(repeat):
        t0 = clock()
        val = fn()
        best = min(best, clock() - t0)
    return best, val


def main() -> None:
    site = simulate.make_site(seed=SEED, n_tracks=4, length_m=500)
    cars = simulate.random_cars(site, seed=SEED, occupancy=0.55)
    km = sum(t.length_m for t in site.tracks) / 1000.0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "yard.tif"
        simulate.render(
            site,
            cars,
            small,
            gsd_m=0.5,
            acquired=datetime(2024, 5, 1, 3, tzinfo=UTC),
            seed=SEED,
            misregistration_m=2.0,
        )
        truth = len([c for c in simulate.truth.read(small).cars if c.type != "locomotive"])
        for size in (4000, 10000):
            big = Path(tmp) / f"big_{size}.tif"
            t0 = time.perf_counter()
            _embed(small, big, size)
            print(f"built {size}^2 in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            t_count, result = _timed(lambda big=big: count(big, tracks=site))
            cpu_count, _ = _timed(lambda big=big: count(big, tracks=site), clock=time.process_time)
            with ExitStack() as st:
                img = _open(big, None, st)
                for t in site.tracks:
                    line, crs = _metric_line(img, t)
                    corridor.sample(img.raster, line, STRIP_HALF_M, 0.5, line_crs=crs)
                wins = list(img.raster.windows)  # every window the count reads, each once
                n_windows = len(wins)

            def plain(big=big, wins=wins):
                with rasterio.open(big) as ds:  # a fresh handle: no warm block cache
                    return [ds.read(window=w) for w in wins]

            def full(big=big):
                with rasterio.open(big) as ds:
                    return ds.read()

            t_plain, _ = _timed(plain)
            t_full, _ = _timed(full, repeat=1)
            win_px = sum(w.width * w.height for w in wins)
            tracemalloc.start()
            count(big, tracks=site)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows.append((size, t_count, cpu_count, t_plain, t_full, win_px, peak, result.total))
        base_t, base = _timed(lambda: count(small, tracks=None), repeat=1)
        with rasterio.open(small) as ds:
            small_px = ds.width * ds.height
        with_t, with_tracks = _timed(lambda: count(small, tracks=site), repeat=1)
    print("## Railcar counting speed (tracks given)\n")
    print(
        f"4 tracks, {km:.2f} km of track, 0.5 m GSD, truth {truth} railcars. Best of 2 runs, 1 process; the "
        "plain read opens the file afresh and reads each window the count reads once (the count reads "
        f"{n_windows}); count CPU: this process's CPU time (wall time counts waits on a shared machine).\n"
    )
    print(
        "| scene px | count s | count CPU s | plain read of corridor windows s | count / plain read | "
        "full-scene read s | full read / count | corridor px read | km/s/core | peak Python MB | count |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size, tc, cpu, tp, tf, px, peak, total in rows:
        print(
            f"| {size:,}^2 | {tc:.3f} | {cpu:.3f} | {tp:.3f} | {tc / tp:.1f}x | {tf:.2f} | {tf / tc:.1f}x | "
            f"{px / 1e6:.1f} M ({100 * px / size**2:.2f} %) | {km / tc:.2f} | {peak / 1e6:.0f} | {total} |"
        )
    print(
        "\n**Baseline, full frame**: the same engine with track discovery over the whole frame (the yard "
        f"scene alone, {small_px / 1e6:.1f} M px): {base_t:.2f} s ({base_t / small_px * 1e8:.0f} s per "
        f"10,000^2 if linear), {len(base.tracks)} tracks found, {base.total} railcars; with the catalog "
        f"tracks on the same scene: {with_t:.2f} s, {with_tracks.total} railcars (truth {truth})."
    )


if __name__ == "__main__":
    main()
