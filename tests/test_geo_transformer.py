"""`geo.transformer` keeps the WKT of each CRS object (to_wkt is slow) and still tells CRSs apart."""

from __future__ import annotations

from pyproj import CRS

from railwatch import geo


def test_transformer_is_cached_per_crs_and_right_for_each():
    a, b = CRS.from_epsg(32652), CRS.from_epsg(32653)
    t1 = geo.transformer(geo.WGS84, a)
    assert geo.transformer(geo.WGS84, a) is t1  # same objects: the kept WKT, the cached transformer
    assert geo.transformer(4326, CRS.from_epsg(32652)) is t1  # equal CRSs in other forms: same one
    x1, _ = t1.transform(129.0, 42.0)
    x2, _ = geo.transformer(geo.WGS84, b).transform(129.0, 42.0)
    assert abs(x1 - 500_000.0) < 1.0 and x2 < 100_000.0  # 129 E is the centre of zone 52, far west of 53
    assert geo._wkt(a) == a.to_wkt() and geo._wkt("EPSG:32653") == b.to_wkt()
