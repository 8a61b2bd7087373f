"""Imagery: open an image as a Scene (georeference, GSD, footprint, time), read corridor strips
(`imagery.corridor`), co-register (`imagery.coreg`)."""

from __future__ import annotations

from railwatch.imagery.scene import open, sha256
from railwatch.imagery.sidecar import find_sidecar, prj_crs, stac_item, world_file

__all__ = ["open", "sha256", "find_sidecar", "prj_crs", "stac_item", "world_file"]
