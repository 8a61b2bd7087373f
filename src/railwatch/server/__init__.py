"""FastAPI REST API and web dashboard over the store: a thin layer, no logic the library lacks."""

from railwatch.server.app import create_app

__all__ = ["create_app"]
