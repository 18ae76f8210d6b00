"""The HTTP API: ``create_app(settings)`` builds the FastAPI application."""

from aikg.web.app import create_app

__all__ = ["create_app"]
