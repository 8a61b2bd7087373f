"""Acquisition times from wherever an image keeps them: image tags, a STAC sidecar, the file name.
Times without a zone are UTC; everything returned is timezone-aware UTC."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from railwatch.errors import InputError

TAG_KEYS: tuple[str, ...] = (
    "ACQUISITIONDATETIME",  # GDAL's IMAGERY domain (from DigitalGlobe IMD, Pleiades DIM, ...)
    "ACQUISITION_DATETIME",
    "ACQUISITION_DATE_TIME",
    "ACQUISITION_TIME",
    "ACQUISITION_DATE",
    "ACQUISITIONDATE",
    "DATE_ACQUIRED",
    "FIRSTLINETIME",
    "SENSING_TIME",
    "SENSING_START",
    "DATATAKE_1_DATATAKE_SENSING_START",
    "PRODUCT_START_TIME",
    "IMAGE_DATE",
    "DATETIME",
    "TIFFTAG_DATETIME",  # often the processing time: the last resort among tags
)
"""Metadata keys that hold an acquisition time, most specific first."""

_TIFF_DATETIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$")
_NAME_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})[T_-]?(\d{2})(\d{2})(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})[T_ ](\d{2})[:-]?(\d{2})[:-]?(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"),
    re.compile(r"(?<![\dA-Za-z])(\d{4})(\d{2})(\d{2})(?!\d)"),
)


def as_utc(value: datetime) -> datetime:
    """A datetime in UTC; one without a zone is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse(text: str) -> datetime | None:
    """An ISO 8601 or TIFF-style (`YYYY:MM:DD HH:MM:SS`) time as aware UTC, or None if it is neither."""
    text = text.strip().strip("\x00").strip()
    if not text:
        return None
    m = _TIFF_DATETIME.match(text)
    if m:
        try:
            return datetime(*map(int, m.groups()), tzinfo=UTC)
        except ValueError:
            return None
    iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    iso = re.sub(r"(\.\d{6})\d+", r"\1", iso)  # more than microseconds (DigitalGlobe)
    try:
        return as_utc(datetime.fromisoformat(iso))
    except ValueError:
        return None


def parse_time(text: str, what: str = "--time") -> datetime:
    """A time the user typed (ISO 8601, zone optional, UTC assumed); raises InputError otherwise."""
    t = parse(text)
    if t is None:
        raise InputError(f"cannot read {text!r} as a time (use ISO 8601, e.g. 2023-10-05T02:15:00Z)",
                         path=what)
    return t


def from_tags(tags: Mapping[str, Any]) -> tuple[datetime, str] | None:
    """(time, key) from image metadata tags (any letter case), trying `TAG_KEYS` in order."""
    upper = {str(k).upper(): v for k, v in tags.items()}
    for key in TAG_KEYS:
        if key in upper and upper[key] is not None:
            t = parse(str(upper[key]))
            if t is not None:
                return t, key
    return None


def from_stac(item: Mapping[str, Any]) -> datetime | None:
    """`properties.datetime` (or `start_datetime`) of a STAC item."""
    props = item.get("properties") or {}
    for key in ("datetime", "start_datetime"):
        value = props.get(key)
        if isinstance(value, str):
            t = parse(value)
            if t is not None:
                return t
    return None


def from_name(name: str) -> datetime | None:
    """A time in a file name: `20231005T021500`, `2023-10-05T02-15-00`, `2023-10-05` or `20231005`."""
    for pattern in _NAME_PATTERNS:
        for m in pattern.finditer(name):
            parts = [int(g) for g in m.groups()]
            if not 1970 <= parts[0] <= 2100:
                continue
            try:
                return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
            except ValueError:
                continue
    return None
