"""Column types the store needs on every database: lon/lat geometry (WKB on SQLite, PostGIS geometry
on PostgreSQL) and UTC datetimes that come back timezone-aware whatever the backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SRID = 4326


class Geometry(TypeDecorator[BaseGeometry]):
    """A lon/lat shapely geometry: WKB bytes on SQLite, `geometry(GEOMETRY, 4326)` on PostGIS."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from geoalchemy2 import Geometry as PostGISGeometry  # only needed on PostgreSQL

            return dialect.type_descriptor(PostGISGeometry(srid=SRID, spatial_index=False))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return f"SRID={SRID};{value.wkt}"
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        data = getattr(value, "data", value)  # geoalchemy2 WKBElement on PostGIS
        if isinstance(data, memoryview):
            data = data.tobytes()
        return shapely.from_wkb(data)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
