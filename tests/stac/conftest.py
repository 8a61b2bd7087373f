"""Three small simulated scenes of one yard, and their STAC items: one in range and clear, one out
of the date range, one too cloudy (plus, for the API, one far from the site)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pystac
import pytest
from shapely.geometry import box, mapping

from railwatch import imagery, simulate

WHEN = {
    "clear": (datetime(2025, 3, 2, 2, 0, tzinfo=UTC), 5.0),
    "old": (datetime(2024, 6, 1, 2, 0, tzinfo=UTC), 3.0),
    "cloudy": (datetime(2025, 3, 4, 2, 0, tzinfo=UTC), 80.0),
}


@pytest.fixture(scope="session")
def yard():
    return simulate.make_site(seed=4, n_tracks=2, length_m=300)


@pytest.fixture(scope="session")
def stac_items(yard, tmp_path_factory) -> list[pystac.Item]:
    """Items for the three scenes (image hrefs: one file:// URL, two plain paths) and one far away."""
    folder = tmp_path_factory.mktemp("stac-scenes")
    items = []
    for i, (name, (when, cloud)) in enumerate(WHEN.items()):
        cars = simulate.random_cars(yard, seed=20 + i, occupancy=0.4)
        tif = simulate.render(yard, cars, folder / f"{name}.tif", gsd_m=2.0, acquired=when, seed=i)
        foot = imagery.open(tif).footprint
        item = pystac.Item(id=name, geometry=mapping(foot), bbox=list(foot.bounds), datetime=when,
                           properties={"gsd": 2.0, "eo:cloud_cover": cloud})
        href = tif.resolve().as_uri() if name == "clear" else str(tif.resolve())
        item.add_asset("visual", pystac.Asset(href, media_type=pystac.MediaType.COG, roles=["data"]))
        items.append(item)
    far = box(10.0, 50.0, 10.1, 50.1)
    item = pystac.Item(id="far", geometry=mapping(far), bbox=list(far.bounds), datetime=WHEN["clear"][0],
                       properties={"gsd": 0.5, "eo:cloud_cover": 0.0})
    item.add_asset("visual", pystac.Asset(str(folder / "missing.tif"), media_type=pystac.MediaType.COG))
    items.append(item)
    return items


@pytest.fixture
def catalog(stac_items, tmp_path: Path) -> Path:
    """A static, self-contained catalog.json holding the items."""
    cat = pystac.Catalog(id="test", description="railwatch test imagery")
    for item in stac_items:
        cat.add_item(item.clone())
    cat.normalize_hrefs(str(tmp_path / "catalog"))
    cat.save(catalog_type=pystac.CatalogType.SELF_CONTAINED)
    return tmp_path / "catalog" / "catalog.json"
