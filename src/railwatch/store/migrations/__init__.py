"""Alembic migrations of railwatch's store, shipped inside the package (no alembic.ini needed)."""
