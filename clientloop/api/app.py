"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from clientloop import __version__
from clientloop.api import ask, clients, documents, drafts, interactions, reviews
from clientloop.api.errors import install_handlers
from clientloop.container import Container
from clientloop.web import install_web


def create_app(container: Container | None = None) -> FastAPI:
    """Build the app around a container (one per process)."""
    # The docs pages load Swagger UI and ReDoc from assets shipped in a package, not a CDN:
    # the app promises to run fully offline.
    app = FastAPIOffline(
        title="clientloop",
        version=__version__,
        description="Cited knowledge answers, interaction drafts and review gates for client teams.",
    )
    app.state.container = container or Container()
    install_handlers(app)
    app.include_router(documents.router)
    app.include_router(ask.router)
    app.include_router(interactions.router)
    app.include_router(reviews.router)
    app.include_router(drafts.router)
    app.include_router(clients.router)
    install_web(app)  # the /ui pages and their static files

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    return app
