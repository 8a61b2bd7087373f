"""Typed errors: every expected failure is a RailwatchError, which the CLI turns into one line and exit 2."""

from __future__ import annotations


class RailwatchError(Exception):
    """Base of every error railwatch expects and can explain in one line."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(RailwatchError):
    """A file or argument the user gave cannot be used."""


class ImageError(InputError):
    """An image is missing, empty, corrupt, or not an image at all."""


class GeoreferenceError(InputError):
    """An image has no usable georeference (CRS, transform) or GSD."""


class NoOverlapError(InputError):
    """An image does not overlap the site or tracks it was given."""


class TrackFileError(InputError):
    """A GeoJSON / OSM / track file is malformed or holds no usable tracks."""


class SiteNotFound(InputError):
    """A site name is not in the catalog or the store."""


class SeriesError(InputError):
    """A count series or events CSV is malformed."""


class StoreError(RailwatchError):
    """The database cannot be opened, migrated or written."""
