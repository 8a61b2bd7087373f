"""The dashboard in real headless Chromium: map with cars, click -> evidence, a screenshot with car pixels."""

from __future__ import annotations

import io
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="/usr/bin/chromium not installed")]


@pytest.fixture
def server(seeded):
    import uvicorn

    from railwatch.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(seeded["db_url"]), host="127.0.0.1", port=port,
                                        log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(5)


def test_dashboard_shows_cars_and_evidence(server, seeded, tmp_path):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(server + "/")
            page.wait_for_selector("body[data-ready='1']", timeout=15_000)
            cars = page.locator("path.rw-car")
            assert cars.count() == 5
            assert "5 cars · 13 observations · 1 alerts" in page.inner_text("#status")
            assert page.locator("#chart svg circle.obs").count() == 13
            assert page.locator("#chart svg circle.alert").count() == 1
            cars.nth(2).click(force=True)
            page.wait_for_function("document.getElementById('chip').complete && "
                                   "document.getElementById('chip').naturalWidth > 0", timeout=10_000)
            facts = page.inner_text("#evidence-facts")
            assert "boxcar" in facts and f"#{seeded['scene_id']}" in facts and "tmg-1" in facts
            assert "59.5 m" in facts and "0.80" in facts and "2024-03-01 02:30" in facts
            page.wait_for_load_state("networkidle")
            shot = page.screenshot(path=str(tmp_path / "dashboard.png"))
        finally:
            browser.close()
    assert all(u.startswith(server) or u.startswith("data:") for u in requests)  # no CDN, no network
    img = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)
    assert img.shape == (800, 1200, 3) and img.std() > 10  # not blank
    tank_green = (np.abs(img - (0x4D, 0xAF, 0x4A)).sum(axis=-1) < 40).sum()
    painted_boxcar = (np.abs(img - (140, 60, 40)).sum(axis=-1) < 30).sum()  # scene tiles under the cars
    assert tank_green > 50 and painted_boxcar > 50
