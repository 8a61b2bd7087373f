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
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
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
    for script in scripts:
        print(f"bench: {script.name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        dt = time.perf_counter() - t0
        parts.append(f"\n## {script.stem}\n\n`python bench/{script.name}` ({dt:.0f} s)\n")
        if proc.returncode != 0:
            failed += 1
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            parts.append(f"\nFAILED (exit {proc.returncode}):\n\n```\n{tail}\n```\n")
        else:
            parts.append("\n" + proc.stdout.strip() + "\n")
    (HERE / "RESULTS.md").write_text("\n".join(parts))
    print(f"bench: wrote {HERE / 'RESULTS.md'} ({len(scripts)} scripts, {failed} failed)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
