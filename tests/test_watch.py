"""railwatch watch --once: a new scene with many cars after a quiet baseline raises a surge alert that
is stored and POSTed to a local webhook; a second poll posts nothing; bad input is one line."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from railwatch import simulate, store
from railwatch.records import Observation, Scene

SURGE_DAY = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def yard():
    return simulate.make_site(seed=6, n_tracks=3, length_m=400)


@pytest.fixture(scope="module")
def busy_scene(yard, tmp_path_factory) -> Path:
    """A 2 m scene with the yard nearly full of cars."""
    cars = simulate.random_cars(yard, seed=7, occupancy=0.9)
    folder = tmp_path_factory.mktemp("watch-scenes")
    return simulate.render(yard, cars, folder / "busy.tif", gsd_m=2.0, acquired=SURGE_DAY, seed=7)


@pytest.fixture
def receiver():
    """A webhook on 127.0.0.1 recording each POST body; yields (url, bodies)."""
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            n = int(self.headers.get("Content-Length", 0))
            bodies.append(json.loads(self.rfile.read(n)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    server.shutdown()
    server.server_close()


def _baseline(db_url: str, yard) -> None:
    """Eight quiet looks (about 3 cars a track) in the 60 days before the surge, stored directly."""
    db = store.open(db_url)
    db.put_site(yard)
    for i, total in enumerate([9, 10, 8, 11, 9, 10, 12, 9]):
        when = SURGE_DAY - timedelta(days=56 - 7 * i)
        scene = Scene(path=f"/archive/quiet{i}.tif", sha256=f"{i:064d}", acquired=when, gsd_m=2.0,
                      crs=None, footprint=yard.aoi, width=100, height=100, band_count=3, dtype="uint8")
        scene_id, _ = db.add_scene(scene, [yard.id])
        per = [total // 3 + (1 if k < total % 3 else 0) for k in range(3)]
        obs = [Observation(site=yard.id, track=t.id, acquired=when, coverage=1.0, cars=n, cars_low=n,
                           cars_high=n, scene_id=scene_id) for t, n in zip(yard.tracks, per, strict=True)]
        db.put_observations(scene_id, yard.id, obs)
    db.close()


def test_watch_once_posts_new_surge(cli, db_url, yard, busy_scene, receiver, tmp_path):
    url, bodies = receiver
    _baseline(db_url, yard)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    r = cli("watch", inbox, "--once", "--webhook", url, "--db", db_url)
    assert r.code == 0, r.err
    assert bodies == []  # nothing new, nothing posted

    shutil.copy(busy_scene, inbox / "busy.tif")
    r = cli("watch", inbox, "--once", "--webhook", url, "--db", db_url, "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert len(out["scenes"]) == 1 and "simyard" in out["sites"]
    assert len(bodies) == 1
    posted = bodies[0]["alerts"]
    surges = [a for a in posted if a["kind"] == "surge"]
    assert surges and surges[0]["site"] == "simyard" and surges[0]["date"] == "2025-05-20"
    assert surges[0]["count"] >= 2 * surges[0]["baseline"]
    db = store.open(db_url)
    stored = db.alerts(site="simyard")
    assert {(a.date, a.kind) for a in stored} >= {(a["date"], a["kind"]) for a in posted}
    n_obs = db.count("observation")

    # Polling again: the scene is known, no new alert, nothing posted, nothing duplicated.
    r = cli("watch", inbox, "--once", "--webhook", url, "--db", db_url)
    assert r.code == 0, r.err
    assert len(bodies) == 1
    assert db.count("observation") == n_obs


def _one_line(r, *needles):
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("railwatch: error:"), r.err
    for n in needles:
        assert n in lines[0]


def test_bad_input_is_one_line(cli, db_url, tmp_path, yard):
    _one_line(cli("watch", tmp_path / "nowhere", "--once", "--db", db_url), "nowhere", "not a folder")
    _one_line(cli("watch", "http://127.0.0.1:9/stac", "--once", "--db", db_url), "--site")
    _one_line(cli("watch", tmp_path, "--once", "--site", "atlantis", "--db", db_url), "atlantis")
    _one_line(cli("watch", tmp_path, "--once", "--webhook", "ftp://x", "--db", db_url), "webhook")
    _one_line(cli("watch", tmp_path, "--interval", "0", "--db", db_url), "--interval")


def test_unreachable_webhook_fails_then_retries(cli, db_url, yard, busy_scene, tmp_path, receiver):
    _baseline(db_url, yard)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(busy_scene, inbox / "busy.tif")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = cli("watch", inbox, "--once", "--webhook", f"http://127.0.0.1:{port}/", "--db", db_url)
    assert r.code == 2 and "Traceback" not in r.err
    last = r.err.strip().splitlines()[-1]
    assert last.startswith(f"railwatch: error: http://127.0.0.1:{port}/: cannot post"), r.err
    # the alerts were not stored, so the next run that reaches the webhook still sends them
    assert store.open(db_url).alerts(site="simyard") == []
    url, bodies = receiver
    r = cli("watch", inbox, "--once", "--webhook", url, "--db", db_url)
    assert r.code == 0, r.err
    assert len(bodies) == 1 and any(a["kind"] == "surge" for a in bodies[0]["alerts"])
    assert store.open(db_url).alerts(site="simyard")


def test_corrupt_file_in_folder_is_reported(cli, db_url, yard, tmp_path):
    _baseline(db_url, yard)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.tif").write_bytes(b"II*\x00garbage")
    r = cli("watch", inbox, "--once", "--db", db_url)
    assert r.code == 2 and "broken.tif" in r.err
    assert len(store.open(db_url).scenes()) == 8
