"""Parsing acquisition times from tags, STAC items and file names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from railwatch.errors import InputError
from railwatch.imagery import timestamps

T = datetime(2023, 10, 5, 2, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["2023:10:05 02:15:00", "2023-10-05T02:15:00Z", "2023-10-05 02:15:00", "2023-10-05T11:15:00+09:00",
     "2023-10-05T02:15:00.000000123Z", " 2023-10-05T02:15:00\x00"],
)
def test_parse_forms(text: str):
    assert timestamps.parse(text) == T


def test_parse_rejects():
    assert timestamps.parse("yesterday") is None
    assert timestamps.parse("2023:13:45 02:15:00") is None
    with pytest.raises(InputError, match="ISO 8601"):
        timestamps.parse_time("05/10/2023")


def test_from_tags_order_and_case():
    tags = {"tifftag_datetime": "2024:01:01 00:00:00", "AcquisitionDateTime": "2023-10-05T02:15:00Z"}
    assert timestamps.from_tags(tags) == (T, "ACQUISITIONDATETIME")
    assert timestamps.from_tags({"TIFFTAG_DATETIME": "garbage"}) is None


def test_from_stac():
    item = {"properties": {"datetime": None, "start_datetime": "2023-10-05T02:15:00Z"}}
    assert timestamps.from_stac(item) == T
    assert timestamps.from_stac({"properties": {}}) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x_20231005T021500.tif", T),
        ("x_20231005_021500.tif", T),
        ("2023-10-05T02-15-00.png", T),
        ("site-2023-10-05.tif", datetime(2023, 10, 5, tzinfo=UTC)),
        ("20231005.tif", datetime(2023, 10, 5, tzinfo=UTC)),
        ("id123456789012.tif", None),
        ("x_20231345.tif", None),
        ("tile_4096.tif", None),
    ],
)
def test_from_name(name: str, expected: datetime | None):
    assert timestamps.from_name(name) == expected
