"""The store's tables as typed SQLAlchemy models. Only the store imports these; other stages get the
plain records of `railwatch.records`. The schema is created by the Alembic migrations, not here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from railwatch.store.types import Geometry, UTCDateTime


class Base(DeclarativeBase):
    """Declarative base of every railwatch table."""


class SiteRow(Base):
    __tablename__ = "site"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    aoi: Mapped[BaseGeometry] = mapped_column(Geometry())
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    description: Mapped[str] = mapped_column(Text, default="")

    tracks: Mapped[list[TrackRow]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="TrackRow.position"
    )
    landmarks: Mapped[list[LandmarkRow]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="LandmarkRow.position"
    )


class TrackRow(Base):
    __tablename__ = "track"

    site_id: Mapped[str] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    line: Mapped[BaseGeometry] = mapped_column(Geometry())
    gauge_mm: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32), default="rail")
    geometry_quality: Mapped[str] = mapped_column(String(32), default="surveyed")
    name: Mapped[str | None] = mapped_column(String(200))

    site: Mapped[SiteRow] = relationship(back_populates="tracks")


class LandmarkRow(Base):
    __tablename__ = "landmark"

    site_id: Mapped[str] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    point: Mapped[BaseGeometry] = mapped_column(Geometry())
    country: Mapped[str | None] = mapped_column(String(8))
    track_id: Mapped[str | None] = mapped_column(String(100))
    chainage_m: Mapped[float | None] = mapped_column(Float)

    site: Mapped[SiteRow] = relationship(back_populates="landmarks")


class SceneRow(Base):
    __tablename__ = "scene"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    acquired: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    time_source: Mapped[str] = mapped_column(String(32), default="unknown")
    gsd_m: Mapped[float] = mapped_column(Float)
    crs: Mapped[str | None] = mapped_column(Text)
    footprint: Mapped[BaseGeometry | None] = mapped_column(Geometry())
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    band_count: Mapped[int] = mapped_column(Integer)
    dtype: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(200))
    cloud_cover: Mapped[float | None] = mapped_column(Float)
    ingested: Mapped[datetime] = mapped_column(UTCDateTime())


class SceneSiteRow(Base):
    __tablename__ = "scene_site"

    scene_id: Mapped[int] = mapped_column(ForeignKey("scene.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)


class ObservationRow(Base):
    __tablename__ = "observation"
    __table_args__ = (
        ForeignKeyConstraint(["site_id", "track_id"], ["track.site_id", "track.id"]),
        Index("ix_observation_site_acquired", "site_id", "acquired"),
        Index("ix_observation_scene_site", "scene_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"))
    track_id: Mapped[str] = mapped_column(String(100))
    scene_id: Mapped[int | None] = mapped_column(ForeignKey("scene.id", ondelete="CASCADE"))
    acquired: Mapped[datetime] = mapped_column(UTCDateTime())
    coverage: Mapped[float] = mapped_column(Float)
    cars: Mapped[int] = mapped_column(Integer)
    cars_low: Mapped[int] = mapped_column(Integer)
    cars_high: Mapped[int] = mapped_column(Integer)
    locomotives: Mapped[int] = mapped_column(Integer, default=0)
    by_type: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    gsd_m: Mapped[float | None] = mapped_column(Float)
    # the interval's parts (cars; `detect.estimate.Spread`), NULL on rows stored before migration 0002
    spread_down_independent: Mapped[float | None] = mapped_column(Float)
    spread_down_shared: Mapped[float | None] = mapped_column(Float)
    spread_down_fixed: Mapped[float | None] = mapped_column(Float)
    spread_up_independent: Mapped[float | None] = mapped_column(Float)
    spread_up_shared: Mapped[float | None] = mapped_column(Float)
    spread_up_fixed: Mapped[float | None] = mapped_column(Float)
    # per type {"expected", "low", "high"} (`detect.bytype`); NULL where types were not read or before 0003
    by_type_interval: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    car_rows: Mapped[list[CarRow]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="CarRow.id"
    )


class CarRow(Base):
    __tablename__ = "car"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE"), index=True
    )
    track_id: Mapped[str] = mapped_column(String(100))
    start_m: Mapped[float] = mapped_column(Float)
    end_m: Mapped[float] = mapped_column(Float)
    type: Mapped[str] = mapped_column(String(32), default="unknown")
    color: Mapped[str] = mapped_column(String(16), default="#808080")
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    footprint: Mapped[BaseGeometry | None] = mapped_column(Geometry())

    observation: Mapped[ObservationRow] = relationship(back_populates="car_rows")


class EventRow(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    date: Mapped[str] = mapped_column(String(10), index=True)
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class AlertRow(Base):
    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    date: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    count: Mapped[float] = mapped_column(Float)
    baseline: Mapped[float] = mapped_column(Float)
    ratio: Mapped[float] = mapped_column(Float)
    zscore: Mapped[float | None] = mapped_column(Float)
    track_id: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text, default="")


class ConsistRow(Base):
    __tablename__ = "consist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str | None] = mapped_column(String(100))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    scene_id: Mapped[int | None] = mapped_column(ForeignKey("scene.id", ondelete="SET NULL"))
    track_id: Mapped[str] = mapped_column(String(100))
    start_m: Mapped[float] = mapped_column(Float)
    end_m: Mapped[float] = mapped_column(Float)
    acquired: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cars: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class MovementRow(Base):
    __tablename__ = "movement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consist_from_id: Mapped[int] = mapped_column(ForeignKey("consist.id", ondelete="CASCADE"))
    consist_to_id: Mapped[int] = mapped_column(ForeignKey("consist.id", ondelete="CASCADE"))
    t0: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    t1: Mapped[datetime] = mapped_column(UTCDateTime())
    distance_m: Mapped[float] = mapped_column(Float)
    landmarks_passed: Mapped[list[str]] = mapped_column(JSON, default=list)
    crossed_border: Mapped[bool] = mapped_column(Boolean, default=False)
    country_from: Mapped[str | None] = mapped_column(String(8))
    country_to: Mapped[str | None] = mapped_column(String(8))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)

    consist_from: Mapped[ConsistRow] = relationship(foreign_keys=[consist_from_id])
    consist_to: Mapped[ConsistRow] = relationship(foreign_keys=[consist_to_id])
