"""count() hands the sun's known position, and whether its tracks are catalog lines, to the shadow
path's gate (`detect/sunlit.py`)."""

from __future__ import annotations

import rasterio
import synth

from railwatch.detect import count as count_mod


def test_count_gives_the_stated_sun_to_the_gate(tmp_path, monkeypatch):
    scene = synth.render(tmp_path / "s.tif", gsd_m=0.5, n_tracks=1, length_m=150, seed=1)
    with rasterio.open(scene.path, "r+") as ds:
        ds.update_tags(MEANSUNAZ="135.0", MEANSUNEL="35.0")
    seen = []
    real = count_mod.sunlit.sun

    def spy(strips, gsd_m, position=None, *, catalog=False):
        seen.append((position, catalog))
        return real(strips, gsd_m, position, catalog=catalog)

    monkeypatch.setattr(count_mod.sunlit, "sun", spy)
    count_mod.count(scene.path, tracks=scene.tracks)
    assert seen == [((135.0, 35.0), True)]  # the scene's tracks are given, not discovered
