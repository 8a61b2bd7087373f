"""`railwatch simulate` on the command line."""

from __future__ import annotations

import json

from railwatch import simulate


def test_simulate_site(cli, tmp_path):
    r = cli(
        "simulate",
        "site",
        "khasan",
        "--out",
        tmp_path,
        "--gsd",
        "3",
        "--seed",
        "2",
        "--time",
        "2023-10-05T02:00Z",
        "--occupancy",
        "0.3",
    )
    assert r.code == 0, r.err
    tifs = list(tmp_path.glob("*.tif"))
    assert len(tifs) == 1
    truth = simulate.truth.read(tifs[0])
    assert truth.meta["site"] == "khasan" and truth.meta["acquired"] == "2023-10-05T02:00:00Z"
    assert truth.cars and all(c.track.startswith("khasan/") for c in truth.cars)


def test_simulate_scenario(cli, tmp_path):
    r = cli("simulate", "return-2022-11-29", "--out", tmp_path, "--gsd", "6")
    assert r.code == 0, r.err
    doc = json.loads((tmp_path / "scenario.json").read_text())
    assert len(doc["scenes"]) == 2


def test_simulate_bad_input(cli, tmp_path):
    r = cli("simulate", "nope", "--out", tmp_path)
    assert r.code == 2 and "unknown scenario" in r.err and r.err.count("\n") == 1
    r = cli("simulate", "site", "atlantis", "--out", tmp_path)
    assert r.code == 2 and "atlantis" in r.err
    r = cli("simulate", "site", "khasan", "--out", tmp_path, "--time", "yesterday")
    assert r.code == 2 and "--time" in r.err
    assert not list(tmp_path.glob("*.tif"))
