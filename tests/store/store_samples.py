"""Sample records for the store tests: a small site near Tumangang, a scene, observations."""

from __future__ import annotations

from datetime import UTC, datetime

from shapely.geometry import LineString, Point, box

from railwatch.records import Car, Landmark, Observation, Scene, Site, Track


def make_site(site_id: str = "yard") -> Site:
    """Two tracks and a landmark near Tumangang."""
    return Site(
        id=site_id,
        name="Test yard",
        aoi=box(130.60, 42.41, 130.62, 42.43),
        countries=["KP"],
        tracks=[
            Track("t1", LineString([(130.601, 42.421), (130.615, 42.422)]), site=site_id, gauge_mm=1435,
                  country="KP", name="main"),
            Track("t2", LineString([(130.601, 42.420), (130.615, 42.4205)]), site=site_id, kind="siding",
                  geometry_quality="digitised"),
        ],
        landmarks=[Landmark("stn", "Tumangang station", "rail_station", Point(130.6081, 42.4214),
                            site=site_id, country="KP", track="t1", chainage_m=590.0)],
        timezone="Asia/Pyongyang",
        description="fixture",
    )


def make_scene(sha: str = "a" * 64, day: int = 5) -> Scene:
    return Scene(
        path=f"/data/scene_{sha[:4]}.tif",
        sha256=sha,
        acquired=datetime(2023, 10, day, 2, 15, tzinfo=UTC),
        gsd_m=0.5,
        crs="EPSG:32652",
        footprint=box(130.605, 42.415, 130.612, 42.425),
        width=1000,
        height=2000,
        band_count=3,
        dtype="uint8",
        time_source="tiff_tag",
        source="test",
        cloud_cover=3.5,
    )


def make_obs(track: str = "t1", cars: int = 3, day: int = 5, site: str = "yard") -> Observation:
    return Observation(
        site=site,
        track=track,
        acquired=datetime(2023, 10, day, 2, 15, tzinfo=UTC),
        coverage=0.9,
        cars=cars,
        cars_low=cars - 1,
        cars_high=cars + 1,
        locomotives=1,
        by_type={"tank": cars},
        gsd_m=0.5,
        car_list=[Car(track, 10.0 * i, 10.0 * i + 9.5, "tank", "#112233", 0.8) for i in range(cars)]
        + [Car(track, 100.0, 118.0, "locomotive", "#aa0000", 0.9, footprint=box(130.602, 42.421,
                                                                                   130.6022, 42.4212))],
    )
