"""Lays out the schematic geometry of the built-in catalog from the reference points (stations,
bridge centres, border points in shared/data/reference/sites.csv) and writes `catalog/*.geojson`.

Regenerate with `python -m railwatch.sites.schematic [OUT_DIR]`; a test checks the committed files
match. Tracks are straight runs between hand-placed vertices, so `geometry_quality` is "schematic".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pyproj import Geod
from shapely.geometry import LineString, Point

from railwatch.geo import chainage_m
from railwatch.records import Landmark, Site, Track
from railwatch.sites import build
from railwatch.sites.geojson import to_geojson

_GEOD = Geod(ellps="WGS84")
LonLat = tuple[float, float]

# Reference points (lat, lon in sites.csv; stored here lon, lat).
TUMANGANG_STATION: LonLat = (130.6081, 42.4214)
FRIENDSHIP_CENTRE: LonLat = (130.641056, 42.415167)
FRIENDSHIP_BORDER: LonLat = (130.641271, 42.415217)
KHASAN_STATION: LonLat = (130.644917, 42.430056)
SINUIJU_CENTRE: LonLat = (124.390579, 40.116438)
SINUIJU_BORDER: LonLat = (124.392329, 40.115133)
NAMYANG_CENTRE: LonLat = (129.849236, 42.949050)
MANPO_CENTRE: LonLat = (126.27222, 41.15583)
MANPO_BORDER: LonLat = (126.273205, 41.154877)

FRIENDSHIP_LENGTH_M = 640.0
"""Between the 623 m of Wikipedia and the ~800 m of 38 North."""

YARD_SIDINGS = 8
YARD_SPACING_M = 5.0
"""Tumangang yard: 8 sidings 5 m apart (track centres) beside the main line."""
YARD_WEST_S, YARD_EAST_S = -370.0, 570.0
"""Where the yard ladders leave the main line, metres along it from Tumangang station."""
LADDER_RATIO = 4.0
"""Metres along per metre across on a yard ladder (a steep 1:4 schematic ladder)."""


def move(origin: LonLat, bearing_deg: float, dist_m: float) -> LonLat:
    """The point `dist_m` from `origin` along a geodesic at `bearing_deg` (clockwise from north)."""
    lon, lat, _ = _GEOD.fwd(origin[0], origin[1], bearing_deg, dist_m)
    return (round(lon, 7), round(lat, 7))


def offset(origin: LonLat, east_m: float, north_m: float) -> LonLat:
    """The point east_m / north_m away from `origin`."""
    import math

    return move(origin, math.degrees(math.atan2(east_m, north_m)), math.hypot(east_m, north_m))


def bearing(a: LonLat, b: LonLat) -> float:
    """Forward azimuth in degrees from a to b."""
    az, _, _ = _GEOD.inv(a[0], a[1], b[0], b[1])
    return float(az)


def dist(a: LonLat, b: LonLat) -> float:
    """Geodesic distance in metres."""
    _, _, d = _GEOD.inv(a[0], a[1], b[0], b[1])
    return float(d)


def along(origin: LonLat, axis_deg: float, s_m: float, left_m: float = 0.0) -> LonLat:
    """A point `s_m` along an axis from origin and `left_m` to its left (negative: right)."""
    p = move(origin, axis_deg, s_m) if s_m >= 0 else move(origin, axis_deg + 180.0, -s_m)
    return move(p, axis_deg - 90.0, left_m) if left_m else p


def _track(
    site: str, name: str, pts: list[LonLat], gauge: int, country: str | None, kind: str = "rail"
) -> Track:
    return Track(
        id=f"{site}/{name}",
        line=LineString(pts),
        site=site,
        gauge_mm=gauge,
        country=country,
        kind=kind,
        geometry_quality="schematic",
        name=name,
    )


def _mark(
    site: str, lid: str, name: str, kind: str, pt: LonLat, country: str | None, track: Track
) -> Landmark:
    return Landmark(
        id=lid,
        name=name,
        kind=kind,
        point=Point(pt),
        site=site,
        country=country,
        track=track.id,
        chainage_m=round(chainage_m(track.line, Point(pt)), 2),
    )


def _parallel(
    site: str,
    name: str,
    origin: LonLat,
    axis: float,
    s0: float,
    s1: float,
    left_m: float,
    gauge: int,
    country: str,
    kind: str,
) -> tuple[Track, list[float]]:
    """A siding parallel to a main line: turnout, parallel run s0..s1, turnout; and its turnout chainages."""
    lead = 4.0 * abs(left_m)
    pts = [
        along(origin, axis, s0 - lead),
        along(origin, axis, s0, left_m),
        along(origin, axis, s1, left_m),
        along(origin, axis, s1 + lead),
    ]
    return _track(site, name, pts, gauge, country, kind), [s0 - lead, s1 + lead]


def _timezone(site: Site) -> str:
    """Timezone of the country holding most of the site's track length (a crossing track is split
    at its border point)."""
    by_country: dict[str, float] = {}
    for t in site.tracks:
        cuts = sorted(
            lm.chainage_m or 0.0 for lm in site.landmarks if lm.track == t.id and lm.kind == "border"
        )
        edges = [0.0, *cuts, t.length_m]
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            country = build.country_at(site, t.id, (lo + hi) / 2.0)
            if country:
                by_country[country] = by_country.get(country, 0.0) + hi - lo
    return build.TIMEZONES[max(by_country, key=by_country.__getitem__)]


def _site(sid: str, name: str, tracks: list[Track], marks: list[Landmark], description: str) -> Site:
    site = Site(
        id=sid,
        name=name,
        aoi=build.aoi(tracks, marks),
        tracks=tracks,
        landmarks=marks,
        countries=build.countries_of(tracks, marks),
        description=description,
    )
    site.timezone = _timezone(site)
    return site


def tumen_line() -> list[Site]:
    """Tumangang, the Friendship Bridge and Khasan, with main tracks joined end to end."""
    axis_b = bearing(FRIENDSHIP_CENTRE, FRIENDSHIP_BORDER)  # bridge axis, KP -> RU
    half = FRIENDSHIP_LENGTH_M / 2.0
    end_kp, end_ru = move(FRIENDSHIP_CENTRE, axis_b + 180.0, half), move(FRIENDSHIP_CENTRE, axis_b, half)
    approach_kp = move(end_kp, axis_b + 180.0, 150.0)
    approach_ru = move(end_ru, axis_b, 150.0)
    curve_ru = offset(FRIENDSHIP_CENTRE, 470.0, 420.0)

    # Tumangang: main line straight through the station towards the bridge approach; 8 yard sidings.
    axis_t = bearing(TUMANGANG_STATION, approach_kp)
    join_kp_s = dist(TUMANGANG_STATION, approach_kp) - 350.0
    join_kp = along(TUMANGANG_STATION, axis_t, join_kp_s)
    # A ladder at each end leaves the main line at 1:4 and each siding leaves the ladder at its own
    # turnout, so no two tracks run within a car width of each other for more than a few metres.
    west_s, east_s = YARD_WEST_S, YARD_EAST_S
    yard: list[Track] = []
    for i in range(1, YARD_SIDINGS + 1):
        left = YARD_SPACING_M * i
        a, b = west_s + LADDER_RATIO * left, east_s - LADDER_RATIO * left
        pts = [along(TUMANGANG_STATION, axis_t, a, left), along(TUMANGANG_STATION, axis_t, b, left)]
        yard.append(_track("tumangang", f"yard-{i}", pts, 1435, "KP", "yard"))
    far = YARD_SPACING_M * YARD_SIDINGS
    ladders = [
        _track(
            "tumangang",
            name,
            [along(TUMANGANG_STATION, axis_t, s0), along(TUMANGANG_STATION, axis_t, s1, far)],
            1435,
            "KP",
            "ladder",
        )
        for name, s0, s1 in (
            ("ladder-west", west_s, west_s + LADDER_RATIO * far),
            ("ladder-east", east_s, east_s - LADDER_RATIO * far),
        )
    ]
    turnouts = [west_s, east_s]
    main_s = sorted({-900.0, *turnouts, join_kp_s})
    t_main = _track("tumangang", "main", [along(TUMANGANG_STATION, axis_t, s) for s in main_s], 0, "KP")
    tumangang = _site(
        "tumangang",
        "Tumangang station and yard",
        [t_main, *ladders, *yard],
        [_mark("tumangang", "station", "Tumangang station", "station", TUMANGANG_STATION, "KP", t_main)],
        "Rail facility and yard at Tumangang, the last North Korean station before the Friendship Bridge. "
        "Schematic layout: dual-gauge main line, a ladder at each end and 8 yard sidings (620-900 m).",
    )

    # Khasan: through track 1 from the bridge approach through the station; tracks 2-6 alongside.
    join_ru_rough = offset(FRIENDSHIP_CENTRE, 420.0, 900.0)
    axis_k = bearing(join_ru_rough, KHASAN_STATION)
    join_ru_s = -dist(join_ru_rough, KHASAN_STATION)
    join_ru = along(KHASAN_STATION, axis_k, join_ru_s)
    k_tracks: list[Track] = []
    k_turnouts: list[float] = []
    for i in range(2, 7):
        t, cuts = _parallel(
            "khasan", str(i), KHASAN_STATION, axis_k, -350.0, 350.0, 5.0 * (i - 1), 1520, "RU", "station"
        )
        k_tracks.append(t)
        k_turnouts += cuts
    k_s = sorted({join_ru_s, *k_turnouts, 700.0})
    k_main = _track("khasan", "1", [along(KHASAN_STATION, axis_k, s) for s in k_s], 0, "RU")
    khasan = _site(
        "khasan",
        "Khasan station",
        [k_main, *k_tracks],
        [_mark("khasan", "station", "Khasan station", "station", KHASAN_STATION, "RU", k_main)],
        "Khasan, the Russian border station 1.7 km north of the Friendship Bridge; 6 tracks (schematic), "
        "track 1 is the dual-gauge through track.",
    )

    # The bridge: from the end of Tumangang's main line across the Tumen to the start of Khasan track 1.
    b_pts = [join_kp, approach_kp, end_kp, FRIENDSHIP_BORDER, end_ru, approach_ru, curve_ru, join_ru]
    b_main = _track("friendship-bridge", "main", b_pts, 0, None)
    b_marks = [
        _mark(
            "friendship-bridge",
            "bridge-end-kp",
            "Friendship Bridge, North Korean end",
            "bridge-end",
            end_kp,
            "KP",
            b_main,
        ),
        _mark(
            "friendship-bridge",
            "border-point",
            "KP-RU border on the bridge",
            "border",
            FRIENDSHIP_BORDER,
            None,
            b_main,
        ),
        _mark(
            "friendship-bridge",
            "bridge-end-ru",
            "Friendship Bridge, Russian end",
            "bridge-end",
            end_ru,
            "RU",
            b_main,
        ),
    ]
    bridge = _site(
        "friendship-bridge",
        "Korea-Russia Friendship Bridge",
        [b_main],
        b_marks,
        "The Tumen rail bridge (opened 1959, dual gauge 1520/1435 mm) with both approaches; the only rail "
        "link between North Korea and Russia. Schematic geometry through the bridge centre and border point.",
    )
    return [tumangang, bridge, khasan]


def crossing(
    sid: str,
    name: str,
    centre: LonLat,
    axis_to_kp: float,
    length_m: float,
    border: LonLat | None,
    approach_kp_m: float,
    approach_cn_m: float,
    description: str,
) -> Site:
    """A North Korea-China rail bridge: one main track KP -> CN with bridge ends and the border point."""
    half = length_m / 2.0
    end_kp, end_cn = move(centre, axis_to_kp, half), move(centre, axis_to_kp + 180.0, half)
    border_pt = border or centre
    pts = [
        move(end_kp, axis_to_kp, approach_kp_m),
        end_kp,
        border_pt,
        end_cn,
        move(end_cn, axis_to_kp + 180.0, approach_cn_m),
    ]
    main = _track(sid, "main", pts, 1435, None)
    marks = [
        _mark(sid, "bridge-end-kp", f"{name}, North Korean end", "bridge-end", end_kp, "KP", main),
        _mark(sid, "border-point", "KP-CN border on the bridge", "border", border_pt, None, main),
        _mark(sid, "bridge-end-cn", f"{name}, Chinese end", "bridge-end", end_cn, "CN", main),
    ]
    return _site(sid, name, [main], marks, description)


def china_crossings() -> list[Site]:
    """Sinuiju-Dandong, Namyang-Tumen and Manpo-Ji'an rail bridges."""
    return [
        crossing(
            "sinuiju-dandong",
            "Sino-Korean Friendship Bridge (Sinuiju-Dandong)",
            SINUIJU_CENTRE,
            bearing(SINUIJU_CENTRE, SINUIJU_BORDER),
            940.8,
            SINUIJU_BORDER,
            400.0,
            500.0,
            "Single-track rail and road bridge over the Yalu, 940.8 m; the main North Korea-China rail link.",
        ),
        crossing(
            "namyang-tumen",
            "Namyang-Tumen rail bridge",
            NAMYANG_CENTRE,
            180.0,
            432.0,
            None,
            300.0,
            400.0,
            "Rail bridge over the Tumen, 432 m, built 1932. Axis and border point (mid-river) are assumed.",
        ),
        crossing(
            "manpo-jian",
            "Ji'an-Manpo rail bridge",
            MANPO_CENTRE,
            bearing(MANPO_CENTRE, MANPO_BORDER),
            589.0,
            MANPO_BORDER,
            300.0,
            400.0,
            "Rail bridge over the Yalu between Manpo (KP) and Ji'an (CN), 589 m.",
        ),
    ]


def sites() -> list[Site]:
    """Every built-in site, laid out afresh."""
    return [*tumen_line(), *china_crossings()]


def write(out_dir: Path) -> list[Path]:
    """Write one GeoJSON file per site into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for site in sites():
        p = out_dir / f"{site.id}.geojson"
        p.write_text(json.dumps(to_geojson(site), indent=1) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("catalog")
    for written in write(target):
        print(written)
