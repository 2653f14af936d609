"""The HTTP API (FastAPI)."""

from clientloop.api.app import create_app

__all__ = ["create_app"]
