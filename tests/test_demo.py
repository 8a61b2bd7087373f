"""The demo runs the real pipeline end to end: scenes rendered, stored, counted and written up."""

from __future__ import annotations

import pytest

from railwatch import demo, store


@pytest.mark.slow
def test_demo_return_case_end_to_end(tmp_path):
    res = demo.run(tmp_path, gsd_m=1.0, scenarios=("return-2022-11-29",), say=lambda s: None)
    assert res.scenes == 2
    db = store.open(res.db_url)
    scenes = db.scenes()
    assert len(scenes) == 2
    obs = db.observations()
    assert obs, "every ingested scene is analysed into observations"
    assert {o.scene_id for o in obs} == {s.id for s in scenes}
    assert sum(o.cars for o in obs) > 0
    brief = res.files["brief return-2022-11-29"].read_text()
    assert brief.startswith("# ")
    assert "2022-11-29" in brief.splitlines()[0]
    assert "Gaps between images are unobserved" in brief, "the brief states its limits"
    # Running again is idempotent: no new scenes.
    again = demo.run(tmp_path, gsd_m=1.0, scenarios=("return-2022-11-29",), say=lambda s: None)
    assert again.scenes == 0
    assert len(store.open(res.db_url).scenes()) == 2
