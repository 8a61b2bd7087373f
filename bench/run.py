"""Run every benchmark in bench/ side by side in one process tree and write bench/RESULTS.md.

Each bench script prints Markdown on stdout; this collects them in a fixed order with the command
and machine facts, so the numbers in RESULTS.md always say how they were made. Ratios measured in
one run are the figures to trust: this machine is noisy.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_SCENES = ("activity_from_pixels.py", "interval_calibration.py")
"""Benches that count the same rendered tumangang-2023 looks (seed 7, 0.5 m): rendered once, ~4 min."""
ORDER = [
    "count_accuracy.py",
    "count_speed.py",
    "muttenz.py",
    "simulate_speed.py",
    "activity_accuracy.py",
    "movement_accuracy.py",
    "api_latency.py",
    "scaling.py",
]


def main(argv: list[str]) -> int:
    only = set(argv)
    scripts = [HERE / n for n in ORDER if (HERE / n).exists() and (not only or n in only)]
    scripts += sorted(p for p in HERE.glob("*.py") if p.name not in ORDER and p.name != "run.py"
                      and not p.name.startswith("_") and (not only or p.name in only))
    parts = [
        "# Benchmark results\n",
        f"Produced by `make bench` (`python bench/run.py`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.\n",
        "Every figure below was measured in this one run; compare ratios, not absolute times.\n",
    ]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        scenes = _render_shared(Path(tmp), [s.name for s in scripts], parts)
        for script in scripts:
            failed += _run(script, scenes if script.name in SHARED_SCENES else None, parts)
    (HERE / "RESULTS.md").write_text("\n".join(parts))
    print(f"bench: wrote {HERE / 'RESULTS.md'} ({len(scripts)} scripts, {failed} failed)", file=sys.stderr)
    return 1 if failed else 0


def _render_shared(tmp: Path, names: list[str], parts: list[str]) -> Path | None:
    """Render the tumangang-2023 looks once when two or more benches count them; None otherwise."""
    if sum(n in SHARED_SCENES for n in names) < 2:
        return None
    from railwatch import simulate

    print("bench: rendering tumangang-2023 (seed 7, 0.5 m) once for "
          f"{', '.join(SHARED_SCENES)} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    simulate.scenario("tumangang-2023", tmp / "scenes", seed=7, gsd_m=0.5)
    parts.append(f"\nThe tumangang-2023 looks (seed 7, 0.5 m) counted by {' and '.join(SHARED_SCENES)} "
                 f"were rendered once for both in {time.perf_counter() - t0:.0f} s.\n")
    return tmp / "scenes"


def _run(script: Path, scenes: Path | None, parts: list[str]) -> int:
    """Run one bench script, append its Markdown (or its failure) to `parts`; 1 if it failed."""
    print(f"bench: {script.name} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    extra = ["--scenes", str(scenes)] if scenes is not None else []
    proc = subprocess.run([sys.executable, str(script), *extra], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    shown = " ".join([f"bench/{script.name}", *(["--scenes DIR"] if extra else [])])
    parts.append(f"\n## {script.stem}\n\n`python {shown}` ({dt:.0f} s)\n")
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        parts.append(f"\nFAILED (exit {proc.returncode}):\n\n```\n{tail}\n```\n")
        return 1
    parts.append("\n" + proc.stdout.strip() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
