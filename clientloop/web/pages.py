"""What every page shares: templates, rendering, the error pages and the security headers.

Design decisions:

- **Errors become pages, not JSON.** `PageRoute` catches the domain errors the services
  raise and renders them with the status code their family carries (the API's): a record
  outside an RM's book is the same 404 page as one that does not exist. A page that needs
  sign-in redirects to the form; a failed CSRF check is a 403 page.
- **Post/redirect/get.** A successful POST redirects (303) to the page showing the
  result, with a fixed notice code in the query string (never free text to reflect).
- Every response carries a strict Content-Security-Policy (no scripts at all), refuses
  framing and is not cached: the pages show client data.
- Templates are Jinja2 with autoescaping on for every template (uploads are untrusted
  text) and `StrictUndefined`, so a misspelt variable fails instead of rendering empty.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from clientloop.web.session import CSRF_FIELD, CsrfFailed, SignInRequired, csrf_token, set_csrf_cookie
from records.access import READ_SCOPE, UPLOAD_SCOPE, permissions_of, role_of
from records.errors import ClientloopError

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_TITLES = {401: "Sign in", 403: "Not allowed", 404: "Not found", 409: "Already done",
           412: "Changed since you opened it", 413: "Too large", 415: "Unsupported file"}


def _environment() -> Environment:
    # Autoescape for every template whatever its file name (Jinja's default only covers `.html`).
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    env.filters["pretty"] = _pretty
    return env


_WORDS = {
    "owned_action": "an owned action", "adviser_meeting": "an adviser meeting", "next_contact": "at the next contact",
    "urgent_advice": "urgent, needs advice", "in_review": "in review", "awaiting_author": "awaiting the author",
}
"""Stored codes whose plain reading is not just the code with spaces."""


def _pretty(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _WORDS.get(value, value.replace("_", " "))


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment: datetime = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":  # an ISO time stored in JSON
        try:
            return _when(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return str(value)


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; every template gets the user and what they may do, the CSRF token and the current path."""
    token = csrf_token(request)
    user = context.setdefault("user", getattr(request.state, "user", None))
    # What the navigation offers comes from the access rule, never from role names in templates.
    context.setdefault("can", permissions_of(user) if user is not None else frozenset())
    context.setdefault("book", READ_SCOPE[role_of(user)] if user is not None else "none")
    context.setdefault("upload_book", UPLOAD_SCOPE[role_of(user)] if user is not None else "none")
    context.setdefault("notice", None)
    context.setdefault("error", None)
    response = templates.TemplateResponse(request, name, {"csrf": token, "csrf_field": CSRF_FIELD,
                                                          "path": request.url.path, **context},
                                          status_code=status_code)
    if getattr(request.state, "new_csrf", None):
        set_csrf_cookie(request, response, request.state.new_csrf)
    return response


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    """The error page: a title and a message that says what to do."""
    return render(request, "error.html.jinja", status_code=status, title=title, message=message)


def next_path(value: str | None) -> str:
    """Where to go after sign-in: only a local /ui path, never an open redirect."""
    if value and value.startswith("/ui") and not value.startswith("//") and "\\" not in value:
        return value
    return "/ui/"


def _page_for(request: Request, exc: Exception) -> Response:
    if isinstance(exc, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/ui/login?" + urlencode({"next": target}), status_code=303)
    if isinstance(exc, CsrfFailed):
        return error_page(request, 403, "Form expired", "This form was not accepted (it expired or came from "
                                                        "another site). Go back, reload the page and try again.")
    if isinstance(exc, RequestValidationError):
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        return error_page(request, 422, "Something is missing",
                          "Check these fields and try again: " + (", ".join(fields) or "the form"))
    assert isinstance(exc, ClientloopError)
    return error_page(request, exc.status_code, _TITLES.get(exc.status_code, "Could not do that"), str(exc))


class PageRoute(APIRoute):
    """A route whose domain errors render as HTML pages and whose responses carry the security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler FastAPI builds (dependencies included) with the page error handling."""
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except (SignInRequired, CsrfFailed, RequestValidationError, ClientloopError) as exc:
                response = _page_for(request, exc)
            for name, value in _SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return run


def page_router() -> APIRouter:
    """A router for `/ui` pages (kept out of the OpenAPI schema)."""
    return APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)
