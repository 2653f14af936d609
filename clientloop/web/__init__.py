"""Server-rendered web pages for people: sign-in, knowledge questions, uploads, the review queue, briefs.

The pages are a thin layer over the same services the HTTP API calls (`clientloop.ask`,
`clientloop.interactions`, `review.queue`, `review.decisions`, `review.release`,
`clients.brief`, `clients.weekly`), so visibility and role rules are enforced in one
place. Templates are Jinja2 with autoescaping on for every template: uploads are
untrusted text. No JavaScript framework; the pages work with scripting turned off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"


def install_web(app: FastAPI) -> None:
    """Add the `/ui` pages and their static files to the app."""
    from fastapi.staticfiles import StaticFiles

    # Imported here: the routes import the API's dependencies, whose package imports the app factory.
    from clientloop.web.routes import router

    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
