"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from clientloop import __version__
from clientloop.api import ask, clients, documents, drafts, handover, interactions, kb, onboarding, reviews, themes
from clientloop.api.auth import KeyCache
from clientloop.api.errors import install_handlers
from clientloop.api.idempotency import IdempotencyMiddleware
from clientloop.container import Container
from clientloop.drafting_pool import DraftingPool
from clientloop.model_pool import ModelPool
from clientloop.web import install_web


def create_app(container: Container | None = None, *, drafting_workers: int = 0) -> FastAPI:
    """Build the app around a container (one per process).

    With `drafting_workers`, that many drafting workers run inside the process while the
    app runs (started and stopped by its lifespan), so uploads are drafted with no
    separate `clientloop worker`.
    """
    container = container or Container()
    pool = DraftingPool(container, drafting_workers) if drafting_workers > 0 else None

    models = ModelPool(container.settings.model_pool_size, container.settings.llm_timeout_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            pool.start()
        try:
            yield
        finally:
            models.shutdown()
            if pool is not None:
                await run_in_threadpool(pool.stop)

    # The docs pages load Swagger UI and ReDoc from assets shipped in a package, not a CDN:
    # the app promises to run fully offline.
    app = FastAPIOffline(
        title="clientloop",
        version=__version__,
        description="Cited knowledge answers, interaction drafts and review gates for client teams.",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.drafting_pool = pool
    app.state.model_pool = models
    app.state.key_cache = KeyCache(container.settings.api_key_cache_s)
    install_handlers(app)
    app.add_middleware(IdempotencyMiddleware, engine_of=lambda: container.engine)
    app.include_router(documents.router)
    app.include_router(kb.router)
    app.include_router(ask.router)
    app.include_router(interactions.router)
    app.include_router(reviews.router)
    app.include_router(drafts.router)
    app.include_router(clients.router)
    app.include_router(themes.router)
    app.include_router(handover.router)
    app.include_router(onboarding.router)
    install_web(app)  # the /ui pages and their static files

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    return app


def app_from_settings() -> FastAPI:
    """The app as `clientloop serve` runs it (an import-string factory for uvicorn worker processes)."""
    from clientloop.settings import get_settings

    return create_app(drafting_workers=get_settings().drafting_workers)
