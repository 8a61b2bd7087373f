"""STAC: find imagery of a site in a STAC API (pystac-client) or a static catalog (pystac) and ingest it.

    from railwatch import stac
    hits = stac.search("catalog.json", site, start, end, max_cloud_pct=20)
    done = stac.ingest(db, hits, site)
"""

from __future__ import annotations

from railwatch.stac.ingest import ingest
from railwatch.stac.search import Hit, search

__all__ = ["Hit", "search", "ingest"]
