"""The report's pictures as PNG bytes: the site map and annotated evidence chips (matplotlib, Agg)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Polygon as MplPolygon  # noqa: E402
from shapely.geometry import MultiPolygon  # noqa: E402

from railwatch import geo  # noqa: E402
from railwatch.records import Observation, Scene, Site  # noqa: E402
from railwatch.report import chips  # noqa: E402


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buf.getvalue()


def _nice(length: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if step >= length:
            return float(step)
    return 10000.0


def _scale_bar(ax, metres_per_unit: float, width_units: float) -> None:  # type: ignore[no-untyped-def]
    """A scale bar about a fifth of the axis wide, lower left, labelled in m or km."""
    bar_m = _nice(width_units * metres_per_unit / 5)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.06 * (y1 - y0) if y1 > y0 else y0 - 0.06 * (y0 - y1)
    length = bar_m / metres_per_unit
    ax.plot([bx, bx + length], [by, by], color="white", lw=5, solid_capstyle="butt")
    ax.plot([bx, bx + length], [by, by], color="black", lw=3, solid_capstyle="butt")
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m"
    ax.annotate(label, (bx + length / 2, by), textcoords="offset points", xytext=(0, 5), ha="center",
                fontsize=8, color="black", backgroundcolor=(1, 1, 1, 0.7))


def _north_arrow(ax) -> None:  # type: ignore[no-untyped-def]
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.82), xycoords="axes fraction", ha="center",
                va="center", fontsize=10, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
                bbox={"boxstyle": "round,pad=0.15", "fc": (1, 1, 1, 0.7), "ec": "none"})


def site_map(site: Site) -> bytes:
    """The site's tracks and landmarks in UTM metres, with a scale bar and a north arrow."""
    crs = geo.utm_crs(*site.aoi.centroid.coords[0])
    fig, ax = plt.subplots(figsize=(7, 5))
    aoi = geo.reproject(site.aoi, "EPSG:4326", crs)
    ax.fill(*aoi.exterior.xy, color="#f0f0f0", ec="#bdbdbd", lw=0.8, label="area of interest")
    for t in site.tracks:
        x, y = geo.reproject(t.line, "EPSG:4326", crs).xy
        ax.plot(x, y, color="#252525", lw=1.6)
        ax.annotate(t.id, (x[len(x) // 2], y[len(y) // 2]), fontsize=7, color="#525252",
                    textcoords="offset points", xytext=(3, 3))
    for lm in site.landmarks:
        p = geo.reproject(lm.point, "EPSG:4326", crs)
        ax.plot(p.x, p.y, "o", color="#d7301f", ms=5)
        ax.annotate(lm.name, (p.x, p.y), fontsize=7, textcoords="offset points", xytext=(4, -9))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{site.name}: tracks and landmarks (UTM {crs.to_epsg()})", loc="left", fontsize=10)
    ax.legend(handles=[Line2D([], [], color="#252525", label="track"),
                       Line2D([], [], marker="o", ls="", color="#d7301f", label="landmark")],
              fontsize=7, loc="upper left", frameon=False)
    x0, x1 = ax.get_xlim()
    _scale_bar(ax, 1.0, x1 - x0)
    _north_arrow(ax)
    return _png(fig)


def chip(obs: Observation, scene: Scene, site: Site) -> bytes:
    """The scene around one observation's cars, outlined by type, with counts, scale, north, time."""
    polys = [c.footprint for c in obs.car_list if c.footprint is not None]
    focus = MultiPolygon(polys) if polys else site.track(obs.track).line
    ch = chips.read(scene.path, focus, margin_m=30.0)
    fig, ax = plt.subplots(figsize=(7, 7 * ch.rgb.shape[0] / max(ch.rgb.shape[1], 1) + 0.8))
    ax.imshow(ch.rgb, interpolation="nearest")
    seen: dict[str, int] = {}
    for c in obs.car_list:
        if c.footprint is None:
            continue
        colour = chips.TYPE_COLORS.get(c.type, "#999999")
        ring = chips_coords(ch, c.footprint)
        ax.add_patch(MplPolygon(ring, closed=True, fill=False, ec=colour, lw=1.6))
        seen[c.type] = seen.get(c.type, 0) + 1
    ax.legend(handles=[Line2D([], [], color=chips.TYPE_COLORS.get(t, "#999999"), lw=2, label=f"{t} ({n})")
                       for t, n in sorted(seen.items())], fontsize=7, loc="lower right", framealpha=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(0, ch.rgb.shape[1])
    ax.set_ylim(ch.rgb.shape[0], 0)
    _scale_bar(ax, ch.gsd_m, ch.rgb.shape[1])
    _north_arrow(ax)
    when = obs.acquired
    ax.set_title(f"{obs.site} / {obs.track}: {obs.cars} railcars [{obs.cars_low}–{obs.cars_high}], "
                 f"{obs.locomotives} locomotives, coverage {obs.coverage:.0%}\n"
                 f"{_times(when, site.timezone)} · {scene.source or 'source unknown'}",
                 loc="left", fontsize=8)
    return _png(fig)


def chips_coords(ch: chips.Chip, footprint) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    """A footprint's exterior ring in chip pixel (col, row) coordinates."""
    return list(ch.pixels(footprint).exterior.coords)


def _times(when: datetime, zone: str) -> str:
    local = when.astimezone(ZoneInfo(zone))
    return f"{when:%Y-%m-%d %H:%M} UTC ({local:%H:%M} {zone} local)"
