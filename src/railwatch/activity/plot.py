"""A publishable chart of an activity analysis: counts with intervals, partial looks marked,
the trailing baseline band, change points with before/after levels, surges and events."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from railwatch.activity.analyze import ActivityResult, SiteActivity
from railwatch.errors import InputError


def _draw(ax, act: SiteActivity) -> None:
    import matplotlib.dates as mdates

    looks = act.series.looks
    full = [lk for lk in looks if lk.used and not lk.partial]
    part = [lk for lk in looks if lk.used and lk.partial]
    under = [lk for lk in looks if not lk.used]
    used = act.series.used
    band = [(lk.date, b) for lk, b in zip(used, act.trailing, strict=True) if b is not None]
    if band:
        d = [x for x, _ in band]
        med = [b.median for _, b in band]
        lo = [b.median - 2 * b.spread for _, b in band]
        hi = [b.median + 2 * b.spread for _, b in band]
        ax.fill_between(d, lo, hi, step="post", color="#9ecae1", alpha=0.35, lw=0,
                        label="baseline ±2σ (trailing)")
        ax.step(d, med, where="post", color="#3182bd", lw=1.0, alpha=0.8, label="baseline median")
    ax.plot([lk.date for lk in used], [lk.count for lk in used], color="#636363", lw=0.8, alpha=0.6, zorder=2)
    for group, style in ((full, dict(fmt="o", color="#252525", label="full look")),
                         (part, dict(fmt="o", color="#e6550d", mfc="white", label="partial look (scaled)"))):
        if group:
            ax.errorbar([lk.date for lk in group], [lk.count for lk in group],
                        yerr=[[lk.count - lk.low for lk in group], [lk.high - lk.count for lk in group]],
                        ms=4, capsize=2, lw=0.8, zorder=3, **style)
    if under:
        ax.plot([lk.date for lk in under], [lk.seen for lk in under], "x", color="#969696", ms=5,
                label="look under coverage floor (seen only)", zorder=3)
    if act.surges:
        ax.plot([s.date for s in act.surges], [s.count for s in act.surges], "^", color="#de2d26", ms=9,
                mfc="none", mew=1.5, label="surge alert", zorder=4)
    span_end = looks[-1].date if looks else date.today()
    for i, c in enumerate(act.changes):
        ax.axvline(c.date, color="#31a354", lw=1.5, ls="-", zorder=1,
                   label="change point" if i == 0 else None)
        nxt = act.changes[i + 1].date if i + 1 < len(act.changes) else span_end
        prev = act.changes[i - 1].date if i > 0 else looks[0].date
        ax.hlines(c.before, prev, c.date, colors="#31a354", linestyles="--", lw=1.2, zorder=1)
        ax.hlines(c.after, c.ramp_end or c.date, nxt, colors="#31a354", linestyles="--", lw=1.2, zorder=1)
        if c.ramp_end:
            ax.plot([c.date, c.ramp_end], [c.before, c.after], color="#31a354", lw=1.2, ls="--")
        ax.annotate(f"{c.direction} {c.date:%d %b}\n{c.before:.0f} → {c.after:.0f}", (c.date, c.after),
                    xytext=(6, 4), textcoords="offset points", fontsize=8, color="#006d2c")
    ymax = max([lk.high for lk in looks if lk.used] + [lk.count for lk in looks] + [1.0])
    for lag in act.lags:
        ax.axvline(lag.event_date, color="#756bb1", lw=1.0, ls=":", zorder=1)
        text = lag.event if lag.lag_days is None else f"{lag.event}\n(+{lag.lag_days} d)"
        ax.text(lag.event_date, ymax * 1.02, text, rotation=90, va="top", ha="right", fontsize=7,
                color="#54278f")
    ax.set_ylim(bottom=0, top=ymax * 1.12)
    if looks:
        ax.set_xlim(looks[0].date - timedelta(days=3), looks[-1].date + timedelta(days=3))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_ylabel("railcars (estimated full count)")
    ax.set_title(f"{act.series.label}: railcars per look", loc="left", fontsize=11)
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=7, loc="upper left", frameon=False)


def plot(result: ActivityResult | SiteActivity, path: str | Path, dpi: int = 150) -> Path:
    """Draw one panel per series into a PNG at `path` (written whole or not at all)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    acts = [result] if isinstance(result, SiteActivity) else result.sites
    if not acts:
        raise InputError("nothing to plot", path=str(path))
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError("folder does not exist", path=str(path))
    fig, axes = plt.subplots(len(acts), 1, figsize=(10, 3.8 * len(acts)), squeeze=False)
    try:
        for ax, act in zip(axes[:, 0], acts, strict=True):
            _draw(ax, act)
        fig.text(0.99, 0.005, "railwatch · counts scaled for coverage; intervals = count range",
                 ha="right", va="bottom", fontsize=6, color="#969696")
        fig.tight_layout()
        tmp = path.with_name(path.name + ".part")
        fig.savefig(tmp, dpi=dpi, format="png")
        tmp.replace(path)
    finally:
        plt.close(fig)
    return path
