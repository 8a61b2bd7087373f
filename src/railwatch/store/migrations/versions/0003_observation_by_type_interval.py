"""Observation by-type interval: per railcar type the expected count and its 90 % interval (`detect.bytype`),
as JSON {type: {"expected": float, "low": int, "high": int}}. Nullable: rows stored before, and looks whose
types were not read (coarse GSD), have none.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.add_column(sa.Column("by_type_interval", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.drop_column("by_type_interval")
