"""Ingest STAC hits into the store: each image linked to the site searched for, with the item's
acquisition time and GSD (the item is the better source for both than the file's tags)."""

from __future__ import annotations

from collections.abc import Callable

from railwatch.errors import RailwatchError
from railwatch.records import Site
from railwatch.stac.search import Hit
from railwatch.store.database import Store
from railwatch.store.ingest import Ingested
from railwatch.store.ingest import ingest as ingest_file


def ingest(db: Store, hits: list[Hit], site: Site,
           progress: Callable[[Hit, Ingested | None, str | None], None] | None = None,
           ) -> tuple[list[Ingested], list[tuple[Hit, str]]]:
    """Store each hit's image as a scene of `site`; returns (ingested, [(hit, error line)]).
    One bad image does not stop the rest; each image is stored in its own transaction."""
    done: list[Ingested] = []
    failed: list[tuple[Hit, str]] = []
    for hit in hits:
        try:
            res = ingest_file(db, hit.href, site=site, gsd_m=hit.gsd_m, time=hit.acquired)
        except RailwatchError as exc:
            failed.append((hit, str(exc)))
            if progress is not None:
                progress(hit, None, str(exc))
            continue
        done.append(res)
        if progress is not None:
            progress(hit, res, None)
    return done, failed
