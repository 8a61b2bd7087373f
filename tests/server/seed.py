"""Test data for the server and report tests: a small UTM 52N GeoTIFF at Tumangang with painted cars,
and a store holding its site, scene, observations (with car footprints), events and alerts."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import transform as shp_transform

from railwatch import store
from railwatch.records import Alert, Car, Event, Landmark, Observation, Scene, Site, Track

CRS = "EPSG:32652"
LON, LAT = 130.6081, 42.4214
GSD_M = 0.5
WIDTH, HEIGHT = 400, 240
TYPES = ["tank", "tank", "boxcar", "container", "tank"]
RGB = {"tank": (30, 30, 30), "boxcar": (140, 60, 40), "container": (40, 90, 170)}

_to_utm = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
_to_ll = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


def _ll(geom):  # UTM -> lon/lat
    return shp_transform(_to_ll.transform, geom)


def write_scene(path: Path) -> tuple[Path, float, float]:
    """Write the GeoTIFF; returns its path and the UTM origin (x0, y0) of the top-left corner."""
    cx, cy = _to_utm.transform(LON, LAT)
    x0, y0 = cx - WIDTH * GSD_M / 2, cy + HEIGHT * GSD_M / 2
    img = np.full((3, HEIGHT, WIDTH), 150, np.uint8)
    img[:, 118:122, :] = 90  # the track
    for k, t in enumerate(TYPES):
        c0 = 40 + k * 32  # 15 m cars with a 1 m gap, in pixels
        for b, v in enumerate(RGB[t]):
            img[b, 114:126, c0:c0 + 30] = v
    with rasterio.open(path, "w", driver="GTiff", width=WIDTH, height=HEIGHT, count=3, dtype="uint8",
                       crs=CRS, transform=from_origin(x0, y0, GSD_M, GSD_M)) as ds:
        ds.write(img)
    return path, x0, y0


def seed(db_url: str, folder: Path) -> dict:
    """Fill a fresh store; returns ids and facts the tests check against."""
    path, x0, y0 = write_scene(folder / "tumangang_20240301.tif")
    yrow = y0 - 120 * GSD_M
    line = _ll(LineString([(x0, yrow), (x0 + WIDTH * GSD_M, yrow)]))
    aoi = _ll(box(x0, y0 - HEIGHT * GSD_M, x0 + WIDTH * GSD_M, y0))
    site = Site(
        id="tumangang", name="Tumangang yard", aoi=aoi, countries=["KP"], timezone="Asia/Pyongyang",
        tracks=[Track(id="tmg-1", line=line, site="tumangang", country="KP", name="Yard track 1")],
        landmarks=[Landmark(id="tmg-station", name="Tumangang station", kind="station",
                            point=_ll(Point(x0 + 100, yrow + 10)), site="tumangang", country="KP",
                            track="tmg-1", chainage_m=100.0)],
    )
    db = store.open(db_url)
    db.put_site(site)
    t_img = datetime(2024, 3, 1, 2, 30, tzinfo=UTC)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    scene = Scene(path=str(path), sha256=sha, acquired=t_img, gsd_m=GSD_M, crs=CRS, footprint=aoi,
                  width=WIDTH, height=HEIGHT, band_count=3, dtype="uint8", time_source="metadata",
                  source="test render (UTM 52N)")
    scene_id, _ = db.add_scene(scene, ["tumangang"])
    cars = []
    for k, t in enumerate(TYPES):
        start = (40 + k * 32) * GSD_M
        fp = _ll(Polygon([(x0 + start, yrow + 3), (x0 + start + 15, yrow + 3), (x0 + start + 15, yrow - 3),
                          (x0 + start, yrow - 3)]))
        color = "#{:02x}{:02x}{:02x}".format(*RGB[t])
        cars.append(Car(track="tmg-1", start_m=start, end_m=start + 15, type=t, color=color,
                        confidence=0.8, footprint=fp))
    obs = Observation(site="tumangang", track="tmg-1", acquired=t_img, coverage=0.95, cars=5, cars_low=4,
                      cars_high=6, by_type={"tank": 3, "boxcar": 1, "container": 1}, scene_id=scene_id,
                      gsd_m=GSD_M, car_list=cars)
    (obs_id,) = db.put_observations(scene_id, "tumangang", [obs])
    # a count series without pixels: 12 earlier looks (no scene file), for plots and pagination
    for d in range(12):
        t = t_img - timedelta(days=5 * (d + 1))
        sc = Scene(path=str(folder / f"missing_{d}.tif"), sha256=f"{d:064x}", acquired=t, gsd_m=GSD_M,
                   crs=CRS, footprint=aoi, width=WIDTH, height=HEIGHT, band_count=3, dtype="uint8")
        sid, _ = db.add_scene(sc, ["tumangang"])
        n = 2 + d % 3
        db.put_observations(sid, "tumangang", [Observation(site="tumangang", track="tmg-1", acquired=t,
                                                          coverage=1.0, cars=n, cars_low=n, cars_high=n + 1,
                                                          by_type={"tank": n}, scene_id=sid, gsd_m=GSD_M)])
    db.add_event(Event(date="2024-02-20", title="Border talks", source="news"))
    db.put_alerts("tumangang", [Alert(site="tumangang", date="2024-03-01", kind="surge", count=5, baseline=3,
                                      ratio=1.67, message="5 railcars vs baseline 3")])
    db.close()
    return {"scene_id": scene_id, "obs_id": obs_id, "path": path, "sha256": sha, "site": site,
            "acquired": t_img}
