"""Structured inputs that mirror the simulator's scenarios (crossing-2022-11-04, return-2022-11-29):
a Tumangang -> Friendship Bridge -> Khasan chain of tracks with a border in the middle of the bridge,
and the consists 38 North described, with slightly noisy colours, lengths and positions."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from shapely.geometry import LineString, Point, box

from railwatch import geo
from railwatch.records import Car, Consist, Landmark, Site, Track

LIGHT_BLUE, DARK_BLUE, RED_BROWN = "#8fb8de", "#1f3a93", "#8b3a2b"
LOCO = "#2e5e3e"


def _track(tid: str, coords: list[tuple[float, float]], site: str, country: str | None) -> Track:
    return Track(id=tid, line=LineString(coords), site=site, country=country, gauge_mm=1520)


def _landmark(
    lid: str, name: str, kind: str, track: Track, chainage_m: float, site: str, country: str | None
) -> Landmark:
    return Landmark(
        lid, name, kind, geo.point_at(track.line, chainage_m), site, country, track.id, chainage_m
    )


def border_sites() -> list[Site]:
    """Tumangang (KP), the Friendship Bridge (KP/RU, border mid-span) and Khasan (RU)."""
    t_main = _track(
        "tumangang/main", [(130.6081, 42.4214), (130.6200, 42.4180), (130.6374, 42.4152)], "tumangang", "KP"
    )
    t_yard = _track(
        "tumangang/yard-1",
        [(130.6140, 42.41971), (130.6150, 42.4201), (130.6190, 42.41915), (130.6200, 42.4180)],
        "tumangang",
        "KP",
    )
    bridge = _track(
        "friendship-bridge/main",
        [(130.6374, 42.4152), (130.6447, 42.4152), (130.6448, 42.4188)],
        "friendship-bridge",
        None,
    )
    k_main = _track(
        "khasan/main",
        [(130.6448, 42.4188), (130.6452, 42.4250), (130.6449, 42.4301), (130.6449, 42.4400)],
        "khasan",
        "RU",
    )
    k_2 = _track(
        "khasan/2",
        [(130.64515, 42.4260), (130.6455, 42.4270), (130.6455, 42.4330), (130.6449, 42.4345)],
        "khasan",
        "RU",
    )
    tumangang = Site(
        "tumangang",
        "Tumangang",
        box(130.600, 42.412, 130.638, 42.425),
        ["KP"],
        [t_main, t_yard],
        [_landmark("tumangang-station", "Tumangang station", "station", t_main, 0.0, "tumangang", "KP")],
        "Asia/Pyongyang",
    )
    bl = geo.chainage_m(bridge.line, Point(130.6447, 42.4152))
    border_m = geo.chainage_m(bridge.line, Point(130.641271, 42.4152))
    fb = Site(
        "friendship-bridge",
        "Friendship Bridge",
        box(130.636, 42.413, 130.646, 42.418),
        ["KP", "RU"],
        [bridge],
        [
            _landmark(
                "fb-kp-end",
                "Korean end of the Friendship Bridge",
                "bridge_end",
                bridge,
                0.0,
                "friendship-bridge",
                "KP",
            ),
            _landmark("fb-border", "border", "border", bridge, border_m, "friendship-bridge", None),
            _landmark(
                "fb-ru-end",
                "Russian end of the Friendship Bridge",
                "bridge_end",
                bridge,
                bl,
                "friendship-bridge",
                "RU",
            ),
        ],
        "Asia/Vladivostok",
    )
    station_m = geo.chainage_m(k_main.line, Point(130.644917, 42.430056))
    khasan = Site(
        "khasan",
        "Khasan",
        box(130.640, 42.415, 130.650, 42.441),
        ["RU"],
        [k_main, k_2],
        [_landmark("khasan-station", "Khasan station", "station", k_main, station_m, "khasan", "RU")],
        "Asia/Vladivostok",
    )
    return [tumangang, fb, khasan]


def cars_at(
    track: str,
    start_m: float,
    spec: list[tuple[str, str, float]],
    rng: np.random.Generator,
    gap_m: float = 1.2,
    color_noise: float = 6.0,
    length_noise: float = 0.4,
) -> list[Car]:
    """Cars one after another from `start_m`: spec is (type, hex colour, length) per car."""
    cars: list[Car] = []
    at = start_m
    for kind, color, length in spec:
        rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
        rgb = np.clip(rgb + rng.normal(0.0, color_noise, 3), 0, 255).round().astype(int)
        length_m = length + rng.normal(0.0, length_noise)
        cars.append(Car(track, at, at + length_m, kind, "#{:02x}{:02x}{:02x}".format(*rgb), 0.9))
        at += length_m + gap_m + abs(rng.normal(0.0, 0.3))
    return cars


def consist(cars: list[Car], when: datetime, site: str, scene_id: int) -> Consist:
    start = min(c.start_m for c in cars)
    end = max(c.end_m for c in cars)
    return Consist(
        cars[0].track, start, end, cars, when, scene_id, site, f"s{scene_id}/{cars[0].track}@{start:.0f}"
    )


THREE = [("boxcar", LIGHT_BLUE, 14.7), ("boxcar", DARK_BLUE, 14.7), ("boxcar", RED_BROWN, 14.7)]
LOCOMOTIVE = ("locomotive", LOCO, 18.2)
T_KP = datetime(2022, 11, 4, 1, 24, tzinfo=UTC)
T_BRIDGE_RU = datetime(2022, 11, 4, 3, 10, tzinfo=UTC)
T_KHASAN = datetime(2022, 11, 4, 4, 29, tzinfo=UTC)


def crossing(seed: int = 4) -> list[Consist]:
    """crossing-2022-11-04: three boxcars on the KP approach, then behind a locomotive about 200 m
    past the Russian bridge end, then at Khasan station next to three smaller covered cars."""
    rng = np.random.default_rng(seed)
    sites = {s.id: s for s in border_sites()}
    kp_len = sites["tumangang"].track("tumangang/main").length_m
    station_m = sites["khasan"].landmarks[0].chainage_m
    kp = consist(cars_at("tumangang/main", kp_len - 120.0, list(reversed(THREE)), rng), T_KP, "tumangang", 1)
    # Leading end about 200 m past the bridge end, locomotive in front (north), cars reversed behind it.
    ru_end_m = sites["friendship-bridge"].landmarks[2].chainage_m
    ru_cars = cars_at("friendship-bridge/main", ru_end_m + 135.0, list(reversed(THREE)) + [LOCOMOTIVE], rng)
    ru = consist(ru_cars, T_BRIDGE_RU, "friendship-bridge", 2)
    kh_cars = cars_at("khasan/main", station_m - 40.0, list(reversed(THREE)) + [LOCOMOTIVE], rng)
    kh = consist(kh_cars, T_KHASAN, "khasan", 3)
    covered = [("covered", "#5b6b4a", 10.5)] * 3
    siding = sites["khasan"].track("khasan/2")
    siding_station_m = geo.chainage_m(siding.line, sites["khasan"].landmarks[0].point)
    cov = consist(cars_at("khasan/2", siding_station_m - 30.0, covered, rng), T_KHASAN, "khasan", 3)
    return [kp, ru, kh, cov]


EIGHT = [
    ("tank", "#1a1a1a", 12.0),
    ("tank", "#1a1a1a", 12.0),
    ("gondola", "#6e4b3a", 13.9),
    ("gondola", "#6e4b3a", 13.9),
    ("boxcar", "#3f6b9e", 14.7),
    ("boxcar", "#3f6b9e", 14.7),
    ("flat", "#7a7a7a", 13.4),
    ("covered", "#4f5d3a", 13.9),
]
T_RETURN_KHASAN = datetime(2022, 11, 29, 3, 5, tzinfo=UTC)
T_RETURN_YARD = datetime(2022, 11, 30, 2, 40, tzinfo=UTC)


def returning(seed: int = 29) -> list[Consist]:
    """return-2022-11-29: an 8-car train with its locomotive at Khasan, next day in the Tumangang yard
    without the locomotive."""
    rng = np.random.default_rng(seed)
    sites = {s.id: s for s in border_sites()}
    station_m = sites["khasan"].landmarks[0].chainage_m
    at_khasan = consist(
        cars_at("khasan/main", station_m - 80.0, [LOCOMOTIVE] + EIGHT, rng), T_RETURN_KHASAN, "khasan", 11
    )
    in_yard = consist(
        cars_at("tumangang/yard-1", 60.0, list(reversed(EIGHT)), rng), T_RETURN_YARD, "tumangang", 12
    )
    return [at_khasan, in_yard]


def fill_store(db, consists: list[Consist]) -> None:  # type: ignore[no-untyped-def]
    """Put the border sites, one scene per sighting time and the consists' cars as observations."""
    from railwatch.records import Observation, Scene

    for s in border_sites():
        db.put_site(s)
    by_scene: dict[int, list[Consist]] = {}
    for c in consists:
        by_scene.setdefault(int(c.scene_id), []).append(c)
    for sid, group in sorted(by_scene.items()):
        when = group[0].acquired
        scene = Scene(
            f"scene-{sid}.tif", f"{sid:064x}", when, 0.5, "EPSG:32652", None, 4000, 4000, 3, "uint8"
        )
        scene_id, _ = db.add_scene(scene, sorted({c.site for c in group}))
        per: dict[tuple[str, str], list[Car]] = {}
        for c in group:
            per.setdefault((c.site, c.track), []).extend(c.cars)
        for site in sorted({c.site for c in group}):
            obs = []
            for (s_id, track), cars in per.items():
                if s_id != site:
                    continue
                rail = [x for x in cars if x.type != "locomotive"]
                obs.append(
                    Observation(
                        site,
                        track,
                        when,
                        1.0,
                        len(rail),
                        len(rail),
                        len(rail),
                        locomotives=len(cars) - len(rail),
                        scene_id=scene_id,
                        gsd_m=0.5,
                        car_list=cars,
                    )
                )
            db.put_observations(scene_id, site, obs)
