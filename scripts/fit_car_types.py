"""Fit the railcar type signatures (`railwatch.detect.typesig`) on simulated tuning yards.

Renders tuning seeds (< 1000 only: bench seeds 10000+ stay unseen) with the same make_site / random_cars /
render calls as bench/count_accuracy.py, runs `count` with a hook that keeps each fine car's pixels, matches
cars to truth (same track, chainage IoU >= 0.5), and writes, per railcar type, the robust typical value and
spread of every cue of `types.cues` and their correlations. Scenes and car crops are cached in CACHE.

`python scripts/fit_car_types.py CACHE FIRST_SEED LAST_SEED [GSD ...]` (default GSDs 0.3 0.5).
"""

from __future__ import annotations

import pickle
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from railwatch import simulate
from railwatch.detect import types
from railwatch.detect.count import count
from railwatch.detect.evaluate import match_chainage
from railwatch.imagery.corridor import Strip

MARGIN_ROWS = 6
FLOOR = {
    "log_length": 0.08,
    "dome": 0.03,
    "rim": 0.05,
    "texture": 0.006,
    "ripple": 0.004,
    "blocks": 0.01,
    "chroma_r": 0.03,
    "chroma_b": 0.03,
    "ends": 0.12,
    "contrast": 0.15,
    "frame": 0.05,
}
"""Least spread of each cue: the simulator paints each type from a few colours and draws every car of
a type alike, real wagons vary more (a red tank, a grey tarpaulin); colour must stay a weak cue."""
SHRINK = 0.3
"""Share of each correlation pulled to zero (few cars per type for 45 correlations)."""


def _scene(cache: Path, seed: int, gsd: float):
    site = simulate.make_site(seed=seed, n_tracks=4, length_m=500)
    cars = simulate.random_cars(site, seed=seed, occupancy=0.55)
    path = cache / "scenes" / f"s_{gsd}_{seed}.tif"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        simulate.render(site, cars, path, gsd_m=gsd, acquired=datetime(2024, 5, 1, 3, tzinfo=UTC),
                        seed=seed, clouds=0.1 if seed % 2 else 0.0, misregistration_m=3.0)
    return site, path


def collect(cache: Path, seed: int, gsd: float) -> list[dict]:
    """Matched cars of one tuning scene: truth type, count's type, crop of its strip rows (cached)."""
    out_path = cache / f"cars_{gsd}_{seed}.pkl"
    if out_path.exists():
        return pickle.loads(out_path.read_bytes())
    site, path = _scene(cache, seed, gsd)
    truth = [c for c in simulate.truth.read(path).cars if getattr(c, "occluded", 0.0) < 0.5]
    recs: list[dict] = []
    original = types.features

    def hook(strip: Strip, i0: int, i1: int, ballast: np.ndarray | None = None) -> types.Features:
        a, b = max(0, i0 - MARGIN_ROWS), min(strip.n_along, i1 + MARGIN_ROWS)
        recs.append(dict(start_m=strip.start_m + i0 * strip.step_m, end_m=strip.start_m + i1 * strip.step_m,
                         px=strip.pixels[:, a:b].astype(np.float32), valid=strip.valid[a:b].copy(),
                         off=(i0 - a, b - i1), across=strip.across_m.copy(), step=strip.step_m,
                         ballast=None if ballast is None else np.asarray(ballast).copy()))
        return original(strip, i0, i1, ballast)

    types.features = hook
    try:
        r = count(path, tracks=site)
    finally:
        types.features = original
    kinds = {id(c): t.type for t, c in match_chainage(truth, r.cars)}
    out = []
    for c in r.cars:
        same = (q for q in recs if abs(q["start_m"] - c.start_m) < 1e-6 and abs(q["end_m"] - c.end_m) < 1e-6)
        rec = next(same, None)
        kind = kinds.get(id(c))
        out.append(dict(seed=seed, gsd=gsd, track=c.track, pred=c.type, conf=c.confidence, truth=kind,
                        rec=rec))
    out_path.write_bytes(pickle.dumps(out))
    return out


def crop_features(rec: dict) -> types.Features:
    """`types.features` of a cached car crop."""
    n = rec["px"].shape[1]
    z = np.zeros(n)
    strip = Strip(pixels=rec["px"], valid=rec["valid"], step_m=rec["step"], across_m=rec["across"],
                  x0=z, y0=z, tx=z, ty=z)
    return types.features(strip, rec["off"][0], n - rec["off"][1], rec["ballast"])


def fit(x: np.ndarray, kinds: np.ndarray) -> dict[str, dict]:
    """Per railcar type: median and floored robust spread of each cue, and shrunk cue correlations."""
    floor = np.array([FLOOR[c] for c in types.CUES])
    out = {}
    for kind in types.RAILCAR_TYPES:
        s = x[kinds == kind]  # NaN: a cue the car could not give (no ballast, a lopsided profile)
        lo, hi = np.nanpercentile(s, [1, 99], axis=0)
        w = np.clip(s, lo, hi)  # winsorised: one broken crop must not set a spread
        med = np.nanmedian(s, axis=0)
        spread = np.maximum(np.nanstd(w, axis=0), floor)
        corr = np.corrcoef(w[np.all(np.isfinite(w), axis=1)].T)
        corr = (1 - SHRINK) * corr + SHRINK * np.eye(len(med))
        out[kind] = dict(n=len(s), typical=np.round(med, 4).tolist(), spread=np.round(spread, 4).tolist(),
                         corr=np.round(corr, 2).tolist())
    return out


def _rows(sig: dict[str, dict], key: str) -> list[str]:
    """Source lines of one table: per type, its cue values on a line of their own."""
    out = []
    for k, v in sig.items():
        out += [f'        "{k}": (', "            " + ", ".join(str(x) for x in v[key]) + ",", "        ),"]
    return out


def write(sigs: dict[float, dict[str, dict]], seeds: str, path: Path) -> None:
    """Write the signatures (one table per tuning GSD) as the module `railwatch.detect.typesig`."""
    gsds = "/".join(f"{g:g}" for g in sigs)
    lines = [
        f'"""Railcar type signatures, written by scripts/fit_car_types.py (tuning seeds {seeds} at {gsds} m',
        "GSD; do not edit by hand): per tuning GSD and type, the typical value and spread of each cue of",
        "`types.CUES` and the correlation of the cues within the type (a dark load raises rim and contrast",
        'together). Blur changes the cues with the pixel size, so each GSD has its own table."""',
        "",
        f"GSD_M: tuple[float, ...] = {tuple(sigs)}",
        '"""Pixel sizes (m) the tables were fitted at; a car is scored with the nearest one."""',
        "TYPICAL: dict[float, dict[str, tuple[float, ...]]] = {",
    ]
    for g, sig in sigs.items():
        lines += [f"    {g}: {{", *_rows(sig, "typical"), "    },"]
    lines += ["}", '"""Median cue values of matched cars of each type."""',
              "SPREAD: dict[float, dict[str, tuple[float, ...]]] = {"]
    for g, sig in sigs.items():
        lines += [f"    {g}: {{", *_rows(sig, "spread"), "    },"]
    lines += ["}", '"""Spread of each cue: standard deviation of the 1-99 % winsorised values, floored by',
              'scripts/fit_car_types.FLOOR."""',
              "CORRELATION: dict[float, dict[str, tuple[tuple[float, ...], ...]]] = {"]
    for g, sig in sigs.items():
        lines.append(f"    {g}: {{")
        for k, v in sig.items():
            lines.append(f'        "{k}": (')
            lines += [f"            {tuple(row)}," for row in v["corr"]]
            lines.append("        ),")
        lines.append("    },")
    lines += ["}", '"""Correlation of the standardised cues within each type (shrunk towards none)."""', ""]
    path.write_text("\n".join(lines))


def main(cache: Path, first: int, last: int, gsds: list[float]) -> None:
    assert last < 1000, "tuning seeds only"
    sigs = {}
    for gsd in gsds:
        xs, kinds = [], []
        for seed in range(first, last + 1):
            for c in collect(cache, seed, gsd):
                if c["rec"] is not None and c["truth"] in types.RAILCAR_TYPES:
                    xs.append(types.cues(crop_features(c["rec"])))
                    kinds.append(c["truth"])
        sigs[gsd] = fit(np.array(xs), np.array(kinds))
        print(gsd, {k: v["n"] for k, v in sigs[gsd].items()})
    out = Path(__file__).resolve().parents[1] / "src/railwatch/detect/typesig.py"
    write(sigs, f"{first}-{last}", out)
    print("wrote", out)


if __name__ == "__main__":
    gsds = [float(g) for g in sys.argv[4:]] or [0.3, 0.5]
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), gsds)
