"""Initial schema: sites with tracks and landmarks, scenes and their site links, observations with
their cars, and the later stages' tables (event, alert, consist, movement).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from railwatch.store.types import Geometry, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "site",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("aoi", Geometry(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
    )
    op.create_table(
        "track",
        sa.Column("site_id", sa.String(100), sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", Geometry(), nullable=False),
        sa.Column("gauge_mm", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("geometry_quality", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
    )
    op.create_table(
        "landmark",
        sa.Column("site_id", sa.String(100), sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("point", Geometry(), nullable=False),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("track_id", sa.String(100), nullable=True),
        sa.Column("chainage_m", sa.Float(), nullable=True),
    )
    op.create_table(
        "scene",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("acquired", UTCDateTime(), nullable=True),
        sa.Column("time_source", sa.String(32), nullable=False),
        sa.Column("gsd_m", sa.Float(), nullable=False),
        sa.Column("crs", sa.Text(), nullable=True),
        sa.Column("footprint", Geometry(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("band_count", sa.Integer(), nullable=False),
        sa.Column("dtype", sa.String(32), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("cloud_cover", sa.Float(), nullable=True),
        sa.Column("ingested", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_scene_acquired", "scene", ["acquired"])
    op.create_table(
        "scene_site",
        sa.Column("scene_id", sa.Integer(), sa.ForeignKey("scene.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("site_id", sa.String(100), sa.ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(100), sa.ForeignKey("site.id"), nullable=False),
        sa.Column("track_id", sa.String(100), nullable=False),
        sa.Column("scene_id", sa.Integer(), sa.ForeignKey("scene.id", ondelete="CASCADE"), nullable=True),
        sa.Column("acquired", UTCDateTime(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("cars", sa.Integer(), nullable=False),
        sa.Column("cars_low", sa.Integer(), nullable=False),
        sa.Column("cars_high", sa.Integer(), nullable=False),
        sa.Column("locomotives", sa.Integer(), nullable=False),
        sa.Column("by_type", sa.JSON(), nullable=False),
        sa.Column("gsd_m", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["site_id", "track_id"], ["track.site_id", "track.id"]),
    )
    op.create_index("ix_observation_site_acquired", "observation", ["site_id", "acquired"])
    op.create_index("ix_observation_scene_site", "observation", ["scene_id", "site_id"])
    op.create_table(
        "car",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "observation_id",
            sa.Integer(),
            sa.ForeignKey("observation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("track_id", sa.String(100), nullable=False),
        sa.Column("start_m", sa.Float(), nullable=False),
        sa.Column("end_m", sa.Float(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("color", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("footprint", Geometry(), nullable=True),
    )
    op.create_index("ix_car_observation_id", "car", ["observation_id"])
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
    )
    op.create_index("ix_event_date", "event", ["date"])
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(100), sa.ForeignKey("site.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("count", sa.Float(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("ratio", sa.Float(), nullable=False),
        sa.Column("zscore", sa.Float(), nullable=True),
        sa.Column("track_id", sa.String(100), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_alert_site_id", "alert", ["site_id"])
    op.create_table(
        "consist",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(100), nullable=True),
        sa.Column("site_id", sa.String(100), sa.ForeignKey("site.id", ondelete="CASCADE"), nullable=True),
        sa.Column("scene_id", sa.Integer(), sa.ForeignKey("scene.id", ondelete="SET NULL"), nullable=True),
        sa.Column("track_id", sa.String(100), nullable=False),
        sa.Column("start_m", sa.Float(), nullable=False),
        sa.Column("end_m", sa.Float(), nullable=False),
        sa.Column("acquired", UTCDateTime(), nullable=True),
        sa.Column("cars", sa.JSON(), nullable=False),
    )
    op.create_index("ix_consist_site_id", "consist", ["site_id"])
    op.create_table(
        "movement",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "consist_from_id", sa.Integer(), sa.ForeignKey("consist.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "consist_to_id", sa.Integer(), sa.ForeignKey("consist.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("t0", UTCDateTime(), nullable=False),
        sa.Column("t1", UTCDateTime(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("landmarks_passed", sa.JSON(), nullable=False),
        sa.Column("crossed_border", sa.Boolean(), nullable=False),
        sa.Column("country_from", sa.String(8), nullable=True),
        sa.Column("country_to", sa.String(8), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
    )
    op.create_index("ix_movement_t0", "movement", ["t0"])
    if bind.dialect.name == "postgresql":
        op.create_index("ix_site_aoi", "site", ["aoi"], postgresql_using="gist")
        op.create_index("ix_scene_footprint", "scene", ["footprint"], postgresql_using="gist")


def downgrade() -> None:
    for table in ("movement", "consist", "alert", "event", "car", "observation", "scene_site", "scene",
                  "landmark", "track", "site"):
        op.drop_table(table)
