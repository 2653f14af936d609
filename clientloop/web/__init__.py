"""Server-rendered web pages for people: sign-in, questions, uploads, reviews, briefs, knowledge changes.

The pages are a thin layer over the same services the HTTP API calls (`clientloop.ask`,
`clientloop.interactions`, `review.queue`, `review.workflow`, `clients.brief`,
`clients.weekly`) and the same access rule (`records.access`, through
`clientloop.deps`), so visibility and role rules are enforced in one place. One module
per concern: `pages` (rendering, error pages, security headers), `session` (the sign-in
cookie and CSRF), `deps` (the pages' role checks), then one module of routes per area.
No JavaScript framework; the pages work with scripting turned off.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from clientloop.web import (
    clients,
    handover,
    home,
    knowledge,
    onboarding,
    review_edit,
    reviews,
    signin,
    themes,
    uploads,
)
from clientloop.web.pages import STATIC_DIR


def install_web(app: FastAPI) -> None:
    """Add the `/ui` pages and their static files to the app."""
    for module in (signin, home, uploads, reviews, review_edit, clients, themes, handover, onboarding, knowledge):
        app.include_router(module.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
