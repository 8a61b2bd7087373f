"""Watch mode: poll a folder or a STAC source for new imagery, ingest and analyse it, re-run activity
for the sites it touched, and POST alerts not seen before to a webhook.

Each poll is: new files -> store.ingest -> pipeline.analyse (new scenes only) -> activity.analyze per
affected site -> put_alerts -> webhook with the alerts that were not stored before this poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from railwatch.errors import InputError, RailwatchError
from railwatch.records import Alert, Site
from railwatch.store.database import Store

IMAGE_SUFFIXES = {".tif", ".tiff"}


class WebhookError(RailwatchError):
    """The alert webhook could not be reached or refused the alerts."""


@dataclass
class Poll:
    """What one poll did: scenes stored, files that failed, sites re-analysed, alerts new this poll."""

    scenes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    replace: dict[str, list[Alert]] = field(default_factory=dict)  # site -> its full alert list to store

    def to_dict(self) -> dict[str, object]:
        return {"scenes": self.scenes, "errors": self.errors, "sites": self.sites,
                "alerts": [a.to_dict() for a in self.alerts]}


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://", "file://")) or source.endswith(".json")


def check_source(source: str, site: Site | None) -> None:
    """Raise InputError for a source that cannot be watched (missing folder, STAC without a site)."""
    if _is_url(source):
        if site is None:
            raise InputError("watching a STAC source needs --site (the area to search)", path=source)
        return
    if not Path(source).is_dir():
        raise InputError("not a folder (watch a folder of GeoTIFFs or a STAC URL/catalog.json)", path=source)


def new_files(source: str, known: set[str]) -> list[str]:
    """GeoTIFFs in the folder (recursively) not yet in `known` (resolved paths), sorted by name."""
    found = sorted(p for p in Path(source).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
                   and p.is_file() and not p.name.startswith("."))
    return [str(p.resolve()) for p in found if str(p.resolve()) not in known]


def poll(db: Store, source: str, site: Site | None = None, known: set[str] | None = None,
         say: Callable[[str], None] | None = None, recheck: Iterable[str] = ()) -> Poll:
    """One pass over the source; `known` holds paths already handled (updated in place). Sites in
    `recheck` have their alerts re-derived even without new scenes."""
    from railwatch import pipeline, stac
    from railwatch.store.ingest import ingest

    say = say or (lambda _msg: None)
    known = known if known is not None else {s.path for s in db.scenes()}
    result = Poll()
    if _is_url(source):
        hits = stac.search(source, site, datetime(1970, 1, 1, tzinfo=UTC), datetime.now(UTC))
        todo = [(h.href, h.gsd_m, h.acquired) for h in hits if h.href not in known]
    else:
        todo = [(p, None, None) for p in new_files(source, known)]
    for path, gsd_m, when in todo:
        known.add(path)
        try:
            res = ingest(db, path, site=site, gsd_m=gsd_m, time=when)
        except RailwatchError as exc:
            result.errors.append(str(exc))
            say(f"skipped {exc}")
            continue
        if res.created:
            result.scenes.append(res.id)
            say(f"{path}: new scene {res.id} ({', '.join(res.sites)})")
    touched: set[str] = set(recheck)
    if result.scenes:
        results = pipeline.analyse(db, site=site.id if site else None, scene_ids=result.scenes)
    else:
        results = []
    for res in results:
        if res.error:
            result.errors.append(res.error)
            say(f"scene {res.scene_id}: {res.error}")
        else:
            touched.add(res.site_id)
    for site_id in sorted(touched):
        result.sites.append(site_id)
        everything, new = site_alerts(db, site_id)
        result.replace[site_id] = everything
        result.alerts.extend(new)
    return result


def _key(a: Alert) -> tuple:
    return (a.site, a.track, a.date, a.kind)


def site_alerts(db: Store, site_id: str) -> tuple[list[Alert], list[Alert]]:
    """Re-run activity on the site's stored observations: (all its alerts, those not stored yet)."""
    from railwatch.activity import analyze, from_observations

    before = {_key(a) for a in db.alerts(site=site_id)}
    found = from_observations(db.observations(site=site_id))
    alerts = analyze(found, list(db.events())).alerts()
    return alerts, [a for a in alerts if _key(a) not in before]


def store_alerts(db: Store, done: Poll) -> None:
    """Replace the alerts of the sites a poll re-analysed, in one transaction."""
    with db.transaction():
        for site_id, alerts in done.replace.items():
            db.put_alerts(site_id, alerts)


def post(webhook: str, alerts: list[Alert], timeout_s: float = 10.0) -> None:
    """POST {"alerts": [...]} as JSON to the webhook; raise WebhookError unless it answers 2xx."""
    import httpx

    body = {"source": "railwatch", "sent": datetime.now(UTC).isoformat(),
            "alerts": [a.to_dict() for a in alerts]}
    try:
        r = httpx.post(webhook, json=body, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise WebhookError(f"cannot post alerts: {exc}", path=webhook) from None
    if not r.is_success:
        raise WebhookError(f"webhook answered HTTP {r.status_code}", path=webhook)


def watch(db: Store, source: str, site: Site | None = None, interval_s: float = 300.0, once: bool = False,
          webhook: str | None = None, say: Callable[[str], None] | None = None,
          on_poll: Callable[[Poll], None] | None = None) -> list[Poll]:
    """Poll every `interval_s` seconds (just once with `once`), posting new alerts to `webhook`."""
    check_source(source, site)
    if webhook is not None and not webhook.startswith(("http://", "https://")):
        raise InputError("webhook must be an http(s) URL", path=webhook)
    known = {s.path for s in db.scenes()}
    # First poll catches up: alerts a failed post left unstored are derived and sent again.
    recheck = [s.id for s in db.sites() if (site is None or s.id == site.id) and db.observations(site=s.id)]
    polls = []
    while True:
        done = poll(db, source, site=site, known=known, say=say, recheck=recheck)
        recheck = []
        if webhook and done.alerts:
            post(webhook, done.alerts)  # before storing: a failed post is retried on the next poll
        store_alerts(db, done)
        polls.append(done)
        if on_poll is not None:
            on_poll(done)
        if once:
            return polls
        time.sleep(interval_s)
