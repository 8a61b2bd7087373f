"""Railcar type accuracy on simulated yards from seeds never used for tuning (tuning used seeds < 1000).

The same scenes as bench/count_accuracy.py at fine GSDs (0.3 and 0.5 m). Detected cars are matched to
true cars on the same track by chainage IoU >= 0.5; for the matched cars it prints the confusion matrix
(truth x predicted type, 'unknown' is its own answer and never right), accuracy, and a reliability table:
cars binned by their confidence against the share typed right, so a confidence can be read as a chance; and
counts by type (`detect.bytype`): how often each true per-type count of a scene (and of a track) is inside
its 90 % interval, and how wide the intervals are. Prints Markdown. `python bench/type_accuracy.py [N_SEEDS]`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

import _scenes
from railwatch.detect.count import CountResult, count
from railwatch.detect.evaluate import match_chainage

GSDS = (0.3, 0.5)
SEED0 = _scenes.SEED0
DEFAULT_SEEDS = 20
"""Unseen seeds per GSD by default: with 6, one scene 10 % off moved the 0.3 m mean by 1.5 points."""
KINDS = ("boxcar", "tank", "flat", "container", "gondola", "covered", "passenger", "locomotive", "unknown")
CONFIDENCE_BINS = (0.0, 0.4, 0.6, 0.8, 0.9, 0.95, 1.01)


def pairs(truth, cars) -> list[tuple[str, str, float]]:
    """(true type, detected type, confidence) of cars matched by chainage IoU >= 0.5 on the same track."""
    return [(t.type, c.type, float(c.confidence)) for t, c in match_chainage(truth, cars)]


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


def type_intervals(truth, r: CountResult) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """(truth, low, high) of every railcar type in the scene's and in each track's by-type interval (truth
    railcars, locomotives excluded; a type with no interval has [0, 0]); 'unknown' is no true type."""
    rail = [c for c in truth if c.type != "locomotive"]
    typed = r.by_type_interval
    scene = []
    for k in sorted((set(typed) | {c.type for c in rail}) - {"unknown"}):
        tc = typed.get(k)
        scene.append((sum(c.type == k for c in rail), tc.low if tc else 0, tc.high if tc else 0))
    tracks = []
    for t in r.tracks:
        on = [c for c in rail if c.track == t.id]
        for k in sorted((set(t.by_type_low) | {c.type for c in on}) - {"unknown"}):
            tracks.append((sum(c.type == k for c in on), t.by_type_low.get(k, 0), t.by_type_high.get(k, 0)))
    return scene, tracks


def interval_row(gsd: float, scene: list[tuple[int, int, int]], tracks: list[tuple[int, int, int]]) -> str:
    """Markdown row: per-type truth inside [low, high] and mean width, for scenes and for tracks."""
    def part(rows: list[tuple[int, int, int]]) -> str:
        inside = sum(lo <= t <= hi for t, lo, hi in rows)
        width = np.mean([hi - lo for _, lo, hi in rows]) if rows else 0.0
        truth = np.mean([t for t, _, _ in rows]) if rows else 0.0
        return f"{inside}/{len(rows)} ({100 * inside / max(1, len(rows)):.0f} %) | {width:.1f} | {truth:.1f}"
    return f"| {gsd} | {part(scene)} | {part(tracks)} |"


def main(n_seeds: int) -> None:
    print("## Railcar type accuracy (simulated yards, unseen seeds)\n")
    print(f"Seeds {SEED0}-{SEED0 + n_seeds - 1}, the scenes of count_accuracy.py; matched cars only "
          "(locomotives included). 'unknown' counts as wrong in the accuracy.\n")
    summary = ["| GSD m | matched cars | accuracy | unknown | accuracy of typed cars |",
               "|---|---|---|---|---|"]
    details = []
    intervals = ["| GSD m | scene x type: truth in [low, high] | mean width (cars) | mean truth (cars) | "
                 "track x type: truth in [low, high] | mean width | mean truth |", "|---" * 7 + "|"]
    with tempfile.TemporaryDirectory() as tmp:
        for gsd in GSDS:
            rows: list[tuple[str, str, float]] = []
            in_scene: list[tuple[int, int, int]] = []
            in_track: list[tuple[int, int, int]] = []
            for i in range(n_seeds):
                site, path, truth = _scenes.render(Path(tmp), gsd, i)
                r = count(path, tracks=site)
                rows += pairs(truth, r.cars)
                s_rows, t_rows = type_intervals(truth, r)
                in_scene += s_rows
                in_track += t_rows
            typed = [r for r in rows if r[1] != "unknown"]
            n_unknown = len(rows) - len(typed)
            summary.append(f"| {gsd} | {len(rows)} | {np.mean([r[0] == r[1] for r in rows]):.2f} | "
                           f"{n_unknown} ({100 * n_unknown / max(1, len(rows)):.0f} %) | "
                           f"{np.mean([r[0] == r[1] for r in typed]):.2f} |")
            intervals.append(interval_row(gsd, in_scene, in_track))
            details += [f"\n### {gsd} m: truth x typed\n", *confusion(rows),
                        f"\n### {gsd} m: reliability (typed cars)\n", *reliability(rows)]
    print("\n".join(summary))
    print("\n### Counts by type: truth inside the 90 % interval (target >= 90 %)\n")
    print("Per scene and per track, every railcar type present in the truth or in the interval. At >= 1 m "
          "types are not read and there is no by-type interval.\n")
    print("\n".join(intervals + details))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEEDS)
