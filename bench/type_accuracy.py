"""Railcar type accuracy on simulated yards from seeds never used for tuning (tuning used seeds < 1000).

The same scenes as bench/count_accuracy.py at fine GSDs (0.3 and 0.5 m). Detected cars are matched to
true cars on the same track by chainage IoU >= 0.5; for the matched cars it prints the confusion matrix
(truth x predicted type, 'unknown' is its own answer and never right), accuracy, and a reliability table:
cars binned by their confidence against the share typed right, so a confidence can be read as a chance.
Prints Markdown. `python bench/type_accuracy.py [N_SEEDS]`.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from railwatch import simulate
from railwatch.detect.count import count

GSDS = (0.3, 0.5)
SEED0 = 10_000
KINDS = ("boxcar", "tank", "flat", "container", "gondola", "covered", "passenger", "locomotive", "unknown")
CONFIDENCE_BINS = (0.0, 0.4, 0.6, 0.8, 0.9, 0.95, 1.01)


def pairs(truth, cars) -> list[tuple[str, str, float]]:
    """(true type, detected type, confidence) of cars matched by chainage IoU >= 0.5 on the same track."""
    used: set[int] = set()
    out = []
    for c in cars:
        for k, t in enumerate(truth):
            if k in used or t.track != c.track:
                continue
            inter = max(0.0, min(c.end_m, t.end_m) - max(c.start_m, t.start_m))
            union = max(c.end_m, t.end_m) - min(c.start_m, t.start_m)
            if union > 0 and inter / union >= 0.5:
                used.add(k)
                out.append((t.type, c.type, float(c.confidence)))
                break
    return out


def confusion(rows: list[tuple[str, str, float]]) -> list[str]:
    """Markdown confusion matrix, recall per true type and precision per answer."""
    kinds = [k for k in KINDS if any(k in r[:2] for r in rows)]
    lines = ["| truth \\ typed | " + " | ".join(kinds) + " | cars | recall |",
             "|---" * (len(kinds) + 3) + "|"]
    for t in kinds:
        row = [sum(1 for r in rows if r[0] == t and r[1] == p) for p in kinds]
        if sum(row):
            recall = row[kinds.index(t)] / sum(row)
            lines.append(f"| {t} | " + " | ".join(map(str, row)) + f" | {sum(row)} | {recall:.2f} |")
    prec = []
    for p in kinds:
        typed = [r for r in rows if r[1] == p]
        prec.append(f"{sum(r[0] == p for r in typed) / len(typed):.2f}" if typed and p != "unknown" else "-")
    lines.append("| precision | " + " | ".join(prec) + " | | |")
    return lines


def reliability(rows: list[tuple[str, str, float]]) -> list[str]:
    """Markdown table: confidence bin, cars typed (not unknown), mean confidence, share typed right."""
    lines = ["| confidence | cars | mean confidence | typed right |", "|---|---|---|---|"]
    typed = [r for r in rows if r[1] != "unknown"]
    for lo, hi in zip(CONFIDENCE_BINS[:-1], CONFIDENCE_BINS[1:], strict=True):
        b = [r for r in typed if lo <= r[2] < hi]
        if b:
            lines.append(f"| {lo:.2f}-{min(hi, 1.0):.2f} | {len(b)} | {np.mean([r[2] for r in b]):.2f} | "
                         f"{np.mean([r[0] == r[1] for r in b]):.2f} |")
    return lines


def main(n_seeds: int) -> None:
    print("## Railcar type accuracy (simulated yards, unseen seeds)\n")
    print(f"Seeds {SEED0}-{SEED0 + n_seeds - 1}, the scenes of count_accuracy.py; matched cars only "
          "(locomotives included). 'unknown' counts as wrong in the accuracy.\n")
    summary = ["| GSD m | matched cars | accuracy | unknown | accuracy of typed cars |",
               "|---|---|---|---|---|"]
    details = []
    with tempfile.TemporaryDirectory() as tmp:
        for gsd in GSDS:
            rows: list[tuple[str, str, float]] = []
            for i in range(n_seeds):
                seed = SEED0 + i
                site = simulate.make_site(seed=seed, n_tracks=4, length_m=500)
                cars = simulate.random_cars(site, seed=seed, occupancy=0.55)
                path = Path(tmp) / f"s_{gsd}_{seed}.tif"
                simulate.render(site, cars, path, gsd_m=gsd, acquired=datetime(2024, 5, 1, 3, tzinfo=UTC),
                                seed=seed, clouds=0.1 if i % 2 else 0.0, misregistration_m=3.0)
                truth = [c for c in simulate.truth.read(path).cars if getattr(c, "occluded", 0.0) < 0.5]
                rows += pairs(truth, count(path, tracks=site).cars)
            typed = [r for r in rows if r[1] != "unknown"]
            n_unknown = len(rows) - len(typed)
            summary.append(f"| {gsd} | {len(rows)} | {np.mean([r[0] == r[1] for r in rows]):.2f} | "
                           f"{n_unknown} ({100 * n_unknown / max(1, len(rows)):.0f} %) | "
                           f"{np.mean([r[0] == r[1] for r in typed]):.2f} |")
            details += [f"\n### {gsd} m: truth x typed\n", *confusion(rows),
                        f"\n### {gsd} m: reliability (typed cars)\n", *reliability(rows)]
    print("\n".join(summary + details))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
