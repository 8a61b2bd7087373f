"""Search a STAC API or a static STAC catalog for items over a site's AOI in a time range, and turn
each into a Hit: the image href plus the acquisition time, GSD and cloud cover the item states."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from shapely.geometry import box, shape

from railwatch.errors import InputError
from railwatch.records import Site

# Asset keys tried in order when no asset has the "data" role.
ASSET_KEYS = ("visual", "image", "data", "analytic", "cog")
IMAGE_TYPES = ("image/tiff", "image/vnd.stac.geotiff", "image/png", "image/jpeg")


class StacError(InputError):
    """A STAC catalog or API cannot be read, or an item lacks what ingest needs."""


@dataclass
class Hit:
    """One STAC item that matched: where its image is and what the item says about it."""

    id: str
    href: str
    acquired: datetime
    gsd_m: float | None
    cloud_pct: float | None
    collection: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "href": self.href, "acquired": self.acquired.isoformat(),
                "gsd_m": self.gsd_m, "cloud_pct": self.cloud_pct, "collection": self.collection}


def search(source: str, site: Site, start: datetime, end: datetime,
           max_cloud_pct: float | None = None, limit: int = 500) -> list[Hit]:
    """Items over `site`'s AOI acquired in [start, end] with cloud cover at most `max_cloud_pct`,
    from a STAC API (http/https URL) or a static catalog (catalog.json path or file:// URL)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("search times must be timezone-aware (UTC)")
    if end < start:
        raise InputError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    if source.startswith(("http://", "https://")):
        items = _api_items(source, site, start, end, limit)
    else:
        items = _catalog_items(source)
    hits = []
    for item in items:
        hit = _match(item, site, start, end, max_cloud_pct, source)
        if hit is not None:
            hits.append(hit)
    return sorted(hits, key=lambda h: (h.acquired, h.id))


def _api_items(url: str, site: Site, start: datetime, end: datetime, limit: int) -> Iterable:
    """Items from a STAC API's /search (bbox of the AOI, datetime interval)."""
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    try:
        client = Client.open(url)
        found = client.search(bbox=list(site.aoi.bounds), datetime=[start, end], max_items=limit,
                              limit=min(limit, 100))
        return list(found.items())
    except (APIError, OSError, ValueError, NotImplementedError) as exc:
        raise StacError(f"cannot search the STAC API: {_first_line(exc)}", path=url) from None
    except Exception as exc:  # requests' errors (connection refused, bad JSON) have no common base here
        if type(exc).__module__.startswith(("requests", "urllib3", "json", "pystac")):
            raise StacError(f"cannot search the STAC API: {_first_line(exc)}", path=url) from None
        raise


def _catalog_items(source: str) -> Iterable:
    """Every item of a static catalog (or a single item / collection file), walked recursively."""
    import pystac

    path = _local_path(source)
    if not Path(path).exists():
        raise StacError("no such STAC catalog", path=source)
    try:
        obj = pystac.read_file(path)
        if isinstance(obj, pystac.Item):
            return [obj]
        if isinstance(obj, pystac.Catalog):
            return list(obj.get_items(recursive=True))
    except (pystac.STACError, OSError, ValueError, KeyError, TypeError) as exc:
        raise StacError(f"not a readable STAC catalog ({_first_line(exc)})", path=source) from None
    raise StacError(f"not a STAC catalog or item ({type(obj).__name__})", path=source)


def _match(item, site: Site, start: datetime, end: datetime, max_cloud_pct: float | None,
           source: str) -> Hit | None:
    """A Hit when the item overlaps the AOI, falls in the range and is clear enough; else None."""
    geom = shape(item.geometry) if item.geometry else (box(*item.bbox) if item.bbox else None)
    if geom is None or not geom.intersects(site.aoi):
        return None
    when = item.datetime or item.common_metadata.start_datetime
    if when is None:
        raise StacError(f"item {item.id!r} has no datetime", path=source)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if not (start <= when <= end):
        return None
    cloud = item.properties.get("eo:cloud_cover")
    if max_cloud_pct is not None and cloud is not None and float(cloud) > max_cloud_pct:
        return None
    gsd = item.properties.get("gsd")
    return Hit(id=item.id, href=_href(item, source), acquired=when.astimezone(UTC),
               gsd_m=float(gsd) if gsd is not None else None,
               cloud_pct=float(cloud) if cloud is not None else None,
               collection=item.collection_id)


def _href(item, source: str) -> str:
    """The image asset's href: a local path for file:// and relative hrefs, anything else as given
    (GDAL VSI paths like /vsis3/... pass through unchanged)."""
    assets = item.assets
    chosen = next((a for a in assets.values() if "data" in (a.roles or [])), None)
    if chosen is None:
        chosen = next((assets[k] for k in ASSET_KEYS if k in assets), None)
    if chosen is None:
        chosen = next((a for a in assets.values() if (a.media_type or "").split(";")[0] in IMAGE_TYPES
                       or "geotiff" in (a.media_type or "")), None)
    if chosen is None:
        raise StacError(f"item {item.id!r} has no image asset (looked for role 'data' or keys "
                        f"{', '.join(ASSET_KEYS)})", path=source)
    href = chosen.get_absolute_href() or chosen.href
    if href.startswith("/vsi"):
        return href
    return _local_path(href)


def _local_path(href: str) -> str:
    if href.startswith("file://"):
        return unquote(urlparse(href).path)
    return href


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
