"""Ingest: open an image as a Scene, find the sites it overlaps (built-in catalog and the store's
own sites), and store it with its site links in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from railwatch import imagery
from railwatch.errors import NoOverlapError, SiteNotFound
from railwatch.records import Scene, Site
from railwatch.store.database import Store


@dataclass
class Ingested:
    """What ingesting one file did."""

    path: str
    id: int
    created: bool
    sites: list[str]
    scene: Scene

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "id": self.id,
            "created": self.created,
            "sites": self.sites,
            "acquired": self.scene.acquired.isoformat() if self.scene.acquired else None,
            "gsd_m": round(self.scene.gsd_m, 4),
            "time_source": self.scene.time_source,
        }


def ensure_catalog(db: Store) -> list[str]:
    """Put the built-in catalog's sites that the store lacks into it (so their ids resolve);
    sites already stored are left as they are. Returns the ids added."""
    from railwatch import sites

    have = {s.id for s in db.sites()}
    added = []
    with db.transaction():
        for site in sites.catalog():
            if site.id not in have:
                db.put_site(site)
                added.append(site.id)
    return added


def resolve_site(db: Store, name: str) -> Site:
    """A site by id from the store, else from the catalog or a site file (then stored)."""
    from railwatch import sites

    try:
        return db.get_site(name)
    except SiteNotFound:
        pass
    site = sites.load(name)
    db.put_site(site)
    return site


def ingest(db: Store, path: str | Path, site: Site | None = None, gsd_m: float | None = None,
           time: datetime | None = None) -> Ingested:
    """Store one image as a scene linked to `site` (which it must overlap) or to every stored site
    its footprint overlaps; an image already stored (same sha256) is not stored again."""
    name = str(path)
    scene = imagery.open(path, gsd_m=gsd_m, time=time)
    if scene.footprint is None:
        raise NoOverlapError("image has no georeference, so it cannot be placed at a site", path=name)
    if site is not None:
        if not site.aoi.intersects(scene.footprint):
            raise NoOverlapError(f"image does not overlap site '{site.id}'", path=name)
        site_ids = [site.id]
    else:
        site_ids = [s.id for s in db.sites() if s.aoi.intersects(scene.footprint)]
        if not site_ids:
            w, s, e, n = scene.footprint.bounds
            raise NoOverlapError(
                f"image overlaps no known site (footprint {w:.4f},{s:.4f} to {e:.4f},{n:.4f}); "
                "add the site or pass --site", path=name)
    with db.transaction():
        scene_id, created = db.add_scene(scene, site_ids)
        linked = db.scene_sites(scene_id)
    return Ingested(path=name, id=scene_id, created=created, sites=linked, scene=scene)
