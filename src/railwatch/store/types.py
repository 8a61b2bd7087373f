"""Column types the store needs on every database: lon/lat geometry (WKB on SQLite, PostGIS geometry
on PostgreSQL) and UTC datetimes that come back timezone-aware whatever the backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

SRID = 4326


class PostGISGeometry(UserDefinedType[BaseGeometry]):
    """PostGIS `geometry(Geometry, 4326)`. Not geoalchemy2's type: its table create/drop event hooks
    assume SQLAlchemy's own DDL and break under Alembic's `create_table`. Values go in as EWKT text
    and come back as hex EWKB, which `Geometry` converts."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return f"geometry(Geometry,{SRID})"


class Geometry(TypeDecorator[BaseGeometry]):
    """A lon/lat shapely geometry: WKB bytes on SQLite, `geometry(GEOMETRY, 4326)` on PostGIS."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry())
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
        data = value  # bytes on SQLite, hex EWKB text on PostGIS
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
