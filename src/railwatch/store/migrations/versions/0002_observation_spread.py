"""Observation spread: the six half-width parts of a track's interval (below and above the count,
each independent between tracks, shared by the look's tracks, or a fixed offset; `detect.estimate.
Spread`), so a site total adds its tracks as count() adds a scene's. Nullable: rows stored before
have none and are summed linearly.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = tuple(
    f"spread_{side}_{part}" for side in ("down", "up") for part in ("independent", "shared", "fixed")
)
"""The added columns, in cars."""


def upgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
