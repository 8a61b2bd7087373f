"""The REST API over a seeded store: values, auth, pagination, limits, 404s and traversal."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

TOKEN = "s3cret"  # the token tests/server/conftest.py starts the app with

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_openapi_lists_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/sites", "/api/observations", "/api/cars", "/api/events", "/api/count",
              "/api/scenes/{scene_id}/tiles/{z}/{x}/{y}.png", "/api/cars/{car_id}/chip.png"):
        assert p in paths


def test_sites_and_site_geojson(client):
    body = client.get("/api/sites").json()
    assert body["total"] == 1 and body["items"][0]["id"] == "tumangang"
    assert body["items"][0]["tracks"] == 1
    fc = client.get("/api/sites/tumangang").json()
    kinds = sorted(f["properties"]["kind"] for f in fc["features"])
    assert kinds == ["landmark", "track"]
    track = next(f for f in fc["features"] if f["properties"]["kind"] == "track")
    assert track["geometry"]["type"] == "LineString"
    assert abs(track["properties"]["length_m"] - 200.0) < 1.0
    assert client.get("/api/sites/nowhere").status_code == 404
    assert client.get("/api/no-such-thing").json() == {"error": "Not Found"}
    assert "nowhere" in client.get("/api/sites/nowhere").json()["error"]


def test_scenes_paginate_and_hide_paths(client, seeded):
    r = client.get("/api/scenes", params={"site": "tumangang", "limit": 5, "offset": 10})
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "13"
    body = r.json()
    assert body["total"] == 13 and len(body["items"]) == 3
    one = client.get(f"/api/scenes/{seeded['scene_id']}").json()
    assert one["name"] == "tumangang_20240301.tif" and "path" not in one
    assert one["sha256"] == seeded["sha256"] and one["sites"] == ["tumangang"]
    assert client.get("/api/scenes/999").status_code == 404
    assert client.get("/api/scenes", params={"limit": 1001}).status_code == 422
    assert client.get("/api/scenes", params={"offset": -1}).status_code == 422


def test_observations_filters(client):
    body = client.get("/api/observations", params={"site": "tumangang", "limit": 1000}).json()
    assert body["total"] == 13
    last = body["items"][-1]
    assert (last["cars"], last["cars_low"], last["cars_high"]) == (5, 4, 6)
    assert last["by_type"] == {"tank": 3, "boxcar": 1, "container": 1}
    page = client.get("/api/observations", params={"limit": 5, "offset": 10})
    assert page.headers["X-Total-Count"] == "13" and [o["cars"] for o in page.json()["items"]] == [3, 2, 5]
    assert page.json()["items"] == body["items"][10:]
    recent = client.get("/api/observations", params={"from": "2024-02-25", "to": "2024-03-01"}).json()
    assert [o["cars"] for o in recent["items"]] == [2, 5]  # 2024-02-25T02:30 (2 cars) and the scene
    bad = client.get("/api/observations", params={"from": "yesterday"})
    assert bad.status_code == 400 and "from" in bad.json()["error"]


def test_cars_geojson(client, seeded):
    fc = client.get("/api/cars", params={"site": "tumangang"}).json()
    assert len(fc["features"]) == 5
    first = fc["features"][0]["properties"]
    assert first["id"] == f"{seeded['obs_id']}-0" and first["type"] == "tank"
    assert first["chainage_m"] == 27.5 and first["scene_id"] == seeded["scene_id"]
    assert client.get("/api/cars", params={"scene": 2}).json()["features"] == []
    assert client.get("/api/cars", params={"scene": 999}).status_code == 404


def test_chip_shows_the_car(client, seeded):
    r = client.get(f"/api/cars/{seeded['obs_id']}-2/chip.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    px = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"))
    assert px.shape[0] > 50 and px.shape[1] > 50
    boxcar = np.all(px == (140, 60, 40), axis=-1).sum()  # the painted boxcar's pixels are in the chip
    outline = np.all(px == (0x37, 0x7E, 0xB8), axis=-1).sum()  # and its boxcar-blue outline
    assert boxcar > 200 and outline > 50
    assert client.get(f"/api/cars/{seeded['obs_id']}-9/chip.png").status_code == 404
    assert client.get("/api/cars/..%2F..%2Fetc%2Fpasswd/chip.png").status_code == 404


def test_tiles(client, seeded):
    import morecantile  # rio-tiler's tile matrix sets
    from seed import LAT, LON

    z = 18
    t = morecantile.tms.get("WebMercatorQuad").tile(LON, LAT, z)
    r = client.get(f"/api/scenes/{seeded['scene_id']}/tiles/{z}/{t.x}/{t.y}.png")
    assert r.status_code == 200
    px = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGBA"))
    assert px.shape == (256, 256, 4) and (px[..., 3] > 0).sum() > 1000
    far = client.get(f"/api/scenes/{seeded['scene_id']}/tiles/{z}/0/0.png")
    assert far.status_code == 404
    assert client.get("/api/scenes/2/tiles/18/1/1.png").status_code == 404  # file not on server


def test_traversal_is_not_possible(client):
    for url in ("/api/scenes/..%2F..%2Fetc%2Fpasswd", "/static/..%2F..%2F..%2Fpyproject.toml",
                "/api/scenes/1/tiles/1/1/..%2F..%2Fx.png"):
        r = client.get(url)
        assert r.status_code in (404, 422), url
        assert b"[project]" not in r.content


def test_alerts_movements_events(client):
    a = client.get("/api/alerts", params={"site": "tumangang"}).json()
    assert a["total"] == 1 and a["items"][0]["kind"] == "surge"
    assert client.get("/api/movements").json() == {"total": 0, "items": []}
    ev = client.get("/api/events").json()
    assert ev["items"][0]["title"] == "Border talks"


def test_event_writes_need_the_token(client):
    new = {"date": "2024-03-05", "title": "Sanctions decision"}
    assert client.post("/api/events", json=new).status_code == 401
    assert client.post("/api/events", json=new, headers={"Authorization": "Bearer nope"}).status_code == 403
    r = client.post("/api/events", json=new, headers=AUTH)
    assert r.status_code == 201 and r.json()["id"] > 0
    titles = [e["title"] for e in client.get("/api/events").json()["items"]]
    assert titles == ["Border talks", "Sanctions decision"]
    bad = client.post("/api/events", json={"date": "soon", "title": "x"}, headers=AUTH)
    assert bad.status_code == 400


def test_writes_disabled_without_token_and_read_token(seeded):
    from fastapi.testclient import TestClient

    from railwatch.server import create_app

    with TestClient(create_app(seeded["db_url"])) as c:
        assert c.post("/api/events", json={"date": "2024-03-05", "title": "x"}).status_code == 403
    with TestClient(create_app(seeded["db_url"], read_token="r")) as c:
        assert c.get("/api/sites").status_code == 401
        assert c.get("/api/sites", headers={"Authorization": "Bearer r"}).status_code == 200
        chip = f"/api/cars/{seeded['obs_id']}-0/chip.png"
        assert c.get(chip).status_code == 401
        assert c.get(chip, params={"access_token": "x"}).status_code == 403
        assert c.get(chip, params={"access_token": "r"}).status_code == 200


def test_upload_limit(client):
    big = b"\0" * (1024 * 1024 + 10)
    r = client.post("/api/count", files={"image": ("a.tif", big)}, headers=AUTH)
    assert r.status_code == 413


def test_count_upload(client, seeded):
    import json

    from shapely.geometry import mapping

    track = seeded["site"].tracks[0]
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "tmg-1"}, "geometry": mapping(track.line)}]}
    small = seeded["path"].read_bytes()
    assert client.post("/api/count", files={"image": ("s.tif", small)}).status_code == 401
    r = client.post("/api/count", headers=AUTH, files={
        "image": ("s.tif", small), "tracks": ("t.geojson", json.dumps(geo).encode())})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["image"] == "s.tif" and doc["tracks"][0]["id"] == "tmg-1"
    assert doc["total_low"] <= doc["total"] <= doc["total_high"]
    import railwatch  # the API is a thin layer: same answer as the library on the same file

    tracks_file = seeded["path"].with_name("t.geojson")
    tracks_file.write_text(json.dumps(geo))
    lib = railwatch.count(str(seeded["path"]), tracks=str(tracks_file)).to_dict()
    assert (doc["total"], doc["tracks"], doc["cars"]) == (lib["total"], lib["tracks"], lib["cars"])
    r = client.post("/api/count", headers=AUTH, files={"image": ("x.tif", b"not an image")})
    assert r.status_code == 400


def test_cars_are_paginated(client):
    every = client.get("/api/cars", params={"site": "tumangang"}).json()
    page = client.get("/api/cars", params={"site": "tumangang", "limit": 2, "offset": 3})
    assert page.headers["X-Total-Count"] == "5"
    body = page.json()
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 3)
    assert [f["id"] for f in body["features"]] == [f["id"] for f in every["features"][3:5]]
    assert client.get("/api/cars", params={"limit": 0}).status_code == 422


def test_latest_cars_are_the_newest_look_with_cars(client, seeded):
    from dataclasses import replace

    from railwatch import store

    db = store.open(seeded["db_url"])
    newest = db.observations(site="tumangang", with_cars=True)[-1]
    older = sorted(db.scenes(site="tumangang"), key=lambda s: s.acquired)[0]
    copy = replace(newest, id=None, scene_id=older.id, acquired=older.acquired, car_list=newest.car_list[:1])
    db.put_observations(older.id, "tumangang", [copy])
    db.close()
    every = client.get("/api/cars", params={"site": "tumangang"}).json()
    latest = client.get("/api/cars", params={"site": "tumangang", "latest": "true"}).json()
    assert every["total"] == 6 and latest["total"] == 5
    assert {f["properties"]["scene_id"] for f in latest["features"]} == {seeded["scene_id"]}


def test_car_pages_keep_ids_across_looks_and_cars_without_footprints(client, seeded):
    from dataclasses import replace

    from railwatch import store

    db = store.open(seeded["db_url"])
    newest = db.observations(site="tumangang", with_cars=True)[-1]
    older = sorted(db.scenes(site="tumangang"), key=lambda s: s.acquired)[0]
    cars = [replace(c, footprint=None) if k == 1 else c for k, c in enumerate(newest.car_list[:3])]
    db.put_observations(older.id, "tumangang", [replace(newest, id=None, scene_id=older.id,
                                                        acquired=older.acquired, car_list=cars)])
    old_id = db.observations(site="tumangang", scene=older.id)[0].id
    db.close()
    every = client.get("/api/cars", params={"site": "tumangang"}).json()
    assert every["total"] == 7  # the older look's two cars with a footprint first, then the newest five
    ids = [f["id"] for f in every["features"]]
    assert ids[:3] == [f"{old_id}-0", f"{old_id}-2", f"{seeded['obs_id']}-0"]
    pages = [client.get("/api/cars", params={"site": "tumangang", "limit": 3, "offset": o}).json()
             for o in (0, 3, 6)]
    assert [f["id"] for p in pages for f in p["features"]] == ids
    assert [len(p["features"]) for p in pages] == [3, 3, 1] and {p["total"] for p in pages} == {7}
    assert pages[0]["features"][1] == every["features"][1]
    latest = client.get("/api/cars", params={"site": "tumangang", "latest": "true", "offset": 4}).json()
    assert latest["total"] == 5 and [f["id"] for f in latest["features"]] == ids[6:]
