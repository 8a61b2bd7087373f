"""Files that travel next to an image: world files (.pgw/.jgw/.tfw/.wld), .prj, and STAC item JSON.
Each helper looks for `<name>.<ext>` and `<stem>.<ext>`, in that order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasterio.crs import CRS
from rasterio.errors import CRSError

from railwatch.errors import GeoreferenceError, InputError

WORLD_SUFFIXES: dict[str, tuple[str, ...]] = {
    ".png": (".pgw", ".pngw"),
    ".jpg": (".jgw", ".jpgw"),
    ".jpeg": (".jgw", ".jpegw", ".jpgw"),
    ".tif": (".tfw", ".tifw"),
    ".tiff": (".tfw", ".tiffw"),
}


def find_sidecar(path: str | Path, suffixes: tuple[str, ...] | list[str]) -> Path | None:
    """The first existing `<path><suffix>` or `<stem><suffix>` (either letter case), or None."""
    p = Path(path)
    for suffix in suffixes:
        for s in (suffix.lower(), suffix.upper()):
            for cand in (p.with_name(p.name + s), p.with_suffix(s)):
                if cand != p and cand.is_file():
                    return cand
    return None


def world_file(path: str | Path) -> Path | None:
    """The world file of an image (.pgw/.pngw for PNG, .jgw for JPEG, .tfw for TIFF, or .wld)."""
    return find_sidecar(path, WORLD_SUFFIXES.get(Path(path).suffix.lower(), ()) + (".wld",))


def prj_crs(path: str | Path) -> CRS | None:
    """The CRS in an ESRI .prj sidecar, or None when there is none; a bad .prj is an error."""
    prj = find_sidecar(path, (".prj",))
    if prj is None:
        return None
    text = prj.read_text(encoding="utf-8", errors="replace").strip()
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise GeoreferenceError(f"not a CRS definition ({exc})", path=str(prj)) from None


def stac_item(path: str | Path) -> tuple[dict[str, Any], Path] | None:
    """The STAC item JSON sidecar (`<file>.json` or `<stem>.json`) holding `properties`, or None.
    A sidecar that is not valid JSON is an error; JSON that is not a STAC item is ignored."""
    side = find_sidecar(path, (".json",))
    if side is None:
        return None
    try:
        item = json.loads(side.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"STAC sidecar is not valid JSON ({exc})", path=str(side)) from None
    if not isinstance(item, dict) or not isinstance(item.get("properties"), dict):
        return None
    return item, side
