"""railwatch search against a STAC API: a tiny FastAPI app (landing page, /conformance, /search GET and
POST with bbox/datetime/limit) served by uvicorn on 127.0.0.1 in a thread, searched by pystac-client."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime

import pytest
import uvicorn
from fastapi import FastAPI, Request
from shapely.geometry import box, shape

from railwatch import stac, store

CONFORMS = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/item-search",
]


def _interval(text: str | None) -> tuple[datetime | None, datetime | None]:
    if not text:
        return None, None
    parts = text.split("/") if "/" in text else [text, text]
    a, b = (None if p in ("", "..") else datetime.fromisoformat(p.replace("Z", "+00:00")) for p in parts)
    return a, b


def make_api(items: list[dict], calls: list[dict]) -> FastAPI:
    """A minimal STAC API over a list of item dicts; every /search request is appended to `calls`."""
    api = FastAPI()

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @api.get("/")
    def landing(request: Request) -> dict:
        b = base(request)
        return {"type": "Catalog", "id": "test-api", "stac_version": "1.0.0", "description": "test",
                "conformsTo": CONFORMS,
                "links": [{"rel": "self", "href": f"{b}/", "type": "application/json"},
                          {"rel": "root", "href": f"{b}/", "type": "application/json"},
                          {"rel": "conformance", "href": f"{b}/conformance"},
                          {"rel": "search", "href": f"{b}/search", "type": "application/geo+json",
                           "method": "GET"},
                          {"rel": "search", "href": f"{b}/search", "type": "application/geo+json",
                           "method": "POST"}]}

    @api.get("/conformance")
    def conformance() -> dict:
        return {"conformsTo": CONFORMS}

    def run(bbox: list[float] | None, dt: str | None, limit: int) -> dict:
        t0, t1 = _interval(dt)
        found = []
        for it in items:
            when = datetime.fromisoformat(it["properties"]["datetime"].replace("Z", "+00:00"))
            if bbox and not shape(it["geometry"]).intersects(box(*bbox)):
                continue
            if (t0 and when < t0) or (t1 and when > t1):
                continue
            found.append(it)
        return {"type": "FeatureCollection", "features": found[:limit], "links": []}

    @api.get("/search")
    def search_get(bbox: str | None = None, datetime: str | None = None, limit: int = 10) -> dict:
        calls.append({"method": "GET", "bbox": bbox, "datetime": datetime, "limit": limit})
        return run([float(v) for v in bbox.split(",")] if bbox else None, datetime, limit)

    @api.post("/search")
    async def search_post(request: Request) -> dict:
        body = await request.json()
        calls.append({"method": "POST", **body})
        return run(body.get("bbox"), body.get("datetime"), int(body.get("limit", 10)))

    return api


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stac_api(stac_items):
    """(URL, calls) of the API serving the test items on a free local port."""
    calls: list[dict] = []
    items = [it.to_dict(transform_hrefs=False) for it in stac_items]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(make_api(items, calls), host="127.0.0.1", port=port,
                                           log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "test STAC API did not start"
    yield f"http://127.0.0.1:{port}", calls
    server.should_exit = True
    thread.join(5)


def test_api_search_filters_and_sends_bbox_datetime(stac_api, yard):
    url, calls = stac_api
    start, end = datetime.fromisoformat("2025-03-01T00:00:00+00:00"), datetime.fromisoformat(
        "2025-03-31T23:59:59+00:00")
    hits = stac.search(url, yard, start, end, max_cloud_pct=20)
    assert [h.id for h in hits] == ["clear"]
    assert calls, "pystac-client never reached /search"
    sent = calls[-1]
    bbox = sent["bbox"] if isinstance(sent["bbox"], list) else [float(v) for v in sent["bbox"].split(",")]
    assert box(*bbox).contains(yard.aoi.buffer(-1e-9))
    assert "2025-03-01" in sent["datetime"]
    # without the cloud limit the cloudy scene comes back too; the far and the old one never do
    assert [h.id for h in stac.search(url, yard, start, end)] == ["clear", "cloudy"]


def test_cli_search_api_ingests(cli, stac_api, yard, db_url):
    url, _ = stac_api
    db = store.open(db_url)
    db.put_site(yard)
    r = cli("search", "--site", "simyard", "--from", "2025-03-01", "--to", "2025-03-31", "--stac", url,
            "--db", db_url, "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert sorted(s["item"] for s in out["scenes"]) == ["clear", "cloudy"]
    got = sorted((s.acquired.isoformat(), s.gsd_m) for s in db.scenes(site="simyard"))
    assert got == [("2025-03-02T02:00:00+00:00", 2.0), ("2025-03-04T02:00:00+00:00", 2.0)]


def test_unreachable_api_is_one_line(cli, yard, db_url):
    store.open(db_url).put_site(yard)
    url = f"http://127.0.0.1:{_free_port()}"
    r = cli("search", "--site", "simyard", "--from", "2025-03-01", "--to", "2025-03-31", "--stac", url,
            "--db", db_url)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"railwatch: error: {url}: cannot search"), r.err
