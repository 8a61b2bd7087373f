"""The HTML report: self-contained, with the map, chips, plot, table and sources; PDF by Chromium."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from railwatch import report, store
from railwatch.errors import InputError, SiteNotFound

CHROMIUM = Path("/usr/bin/chromium").is_file()


def _images(text: str) -> list[np.ndarray]:
    found = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(b))).convert("RGB")) for b in found]


def test_write_html_is_self_contained_with_evidence(seeded, tmp_path):
    db = store.open(seeded["db_url"])
    path = report.write(db, "tumangang", None, None, tmp_path / "out", pdf=False)
    text = path.read_text()
    assert path.name == "report.html" and not (tmp_path / "out" / "report.pdf").exists()
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched from the network
    imgs = _images(text)
    assert len(imgs) == 3  # site map, one chip (the only scene on disk), activity plot
    chip = imgs[1]
    boxcar_px = np.all(chip == (140, 60, 40), axis=-1).sum()
    assert boxcar_px > 100  # the painted boxcar's pixels made it into the chip
    assert "5 [4–6]" in text and "95 %" in text  # count with its interval and coverage
    assert seeded["sha256"][:12] in text
    assert "2024-03-01 02:30" in text and "2024-03-01 11:30" in text  # UTC and Pyongyang local
    assert "Border talks" in text and "test render (UTM 52N)" in text
    assert text.count("<tr><td class=\"nw\">") == 13


def test_period_filters_and_bad_input(seeded, tmp_path):
    db = store.open(seeded["db_url"])
    start = datetime(2024, 2, 24, tzinfo=UTC)
    text = report.write(db, "tumangang", start, None, tmp_path / "a", pdf=False).read_text()
    assert text.count("<tr><td class=\"nw\">") == 2
    with pytest.raises(SiteNotFound):
        report.write(db, "nowhere", None, None, tmp_path / "b", pdf=False)
    with pytest.raises(InputError, match="no observations"):
        report.write(db, "tumangang", datetime(2030, 1, 1, tzinfo=UTC), None, tmp_path / "c", pdf=False)
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_cli_report_errors_are_one_line(cli, seeded, tmp_path):
    r = cli("report", "--site", "nowhere", "--out", tmp_path / "x", "--db", seeded["db_url"], "--no-pdf")
    assert r.code == 2 and r.err.strip().startswith("railwatch: error:") and "nowhere" in r.err
    assert len(r.err.strip().splitlines()) == 1 and not (tmp_path / "x").exists()
    r = cli("report", "--site", "tumangang", "--from", "soon", "--out", tmp_path / "x",
            "--db", seeded["db_url"])
    assert r.code == 2 and "--from" in r.err


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM, reason="/usr/bin/chromium not installed")
def test_cli_report_prints_pdf(cli, seeded, tmp_path):
    r = cli("report", "--site", "tumangang", "--out", tmp_path / "out", "--db", seeded["db_url"])
    assert r.code == 0, r.err
    pdf = (tmp_path / "out" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000  # images embedded
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2 or b"/Count " in pdf


def test_movement_table_and_narrative(seeded, tmp_path):
    """The same five cars seen again 3 h later, 60 m further on: a followed movement in the report."""
    import copy
    from datetime import timedelta

    from shapely import affinity

    db = store.open(seeded["db_url"])
    o = db.observations(site="tumangang", scene=seeded["scene_id"], with_cars=True)[0]
    later = copy.copy(db.get_scene(seeded["scene_id"]))
    later.id, later.sha256, later.acquired = None, "f" * 64, later.acquired + timedelta(hours=3)
    sid, _ = db.add_scene(later, ["tumangang"])
    o.id, o.scene_id, o.acquired = None, sid, later.acquired
    for c in o.car_list:
        c.start_m, c.end_m = c.start_m + 60, c.end_m + 60
        c.footprint = affinity.translate(c.footprint, xoff=60 / 82_170)  # ~metres per degree of lon here
    db.put_observations(sid, "tumangang", [o])
    text = report.write(db, "tumangang", None, None, tmp_path / "out", pdf=False).read_text()
    row = re.search(r"<td>2024-03-01 02:30</td><td>2024-03-01 05:30</td>.*?</tr>", text, re.S)
    assert row and "<td>5</td>" in row.group(0) and '<td class="num">60</td>' in row.group(0)
    assert "almost certainly the same train" in text
    assert len(_images(text)) == 4  # map, two chips, plot
