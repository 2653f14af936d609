"""One place that maps domain errors to HTTP responses.

Services raise domain errors (never `HTTPException`); each error's family says its
status code (`records.errors`), and this module turns it into a JSON body
`{"error": {"code", "message"}}`. The message comes from the exception, which never
carries the rejected content itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from records.errors import ClientloopError


class ErrorBody(BaseModel):
    """An error's code and a message that says what to do."""

    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="What went wrong and how to fix it.")


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx response."""

    error: ErrorBody


def status_for(exc: Exception) -> tuple[int, str]:
    """The status code and error code of an error, from its family (`records.errors`)."""
    if isinstance(exc, ClientloopError):
        return exc.status_code, exc.code
    return 500, "internal_error"


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error response."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message))
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


def install_handlers(app: FastAPI) -> None:
    """Install the exception handlers on the app."""

    async def handle_domain(_request: Request, exc: Exception) -> JSONResponse:
        status, code = status_for(exc)
        headers = None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        elif isinstance(current := getattr(exc, "current", None), int):
            headers = {"ETag": f'"{current}"'}  # a stale version: the caller re-reads this one
        elif isinstance(retry_after := getattr(exc, "retry_after", None), int):
            headers = {"Retry-After": str(retry_after)}
        return error_response(status, code, str(exc), headers)

    async def handle_validation(_request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's own 422 body ({"detail": [...]}) would break the documented error shape.
        errors: list[dict[str, Any]] = getattr(exc, "errors", lambda: [])()
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in errors[:5])
        return error_response(422, "invalid_request", where or "the request is not valid")

    async def handle_http(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's own errors (a body that does not parse, a method the route lacks) in our shape;
        # a body that cannot be read is the caller's input, answered like any invalid input (422).
        status = getattr(exc, "status_code", 500)
        status = 422 if status == 400 else status
        code = {401: "unauthenticated", 404: "not_found", 405: "method_not_allowed", 422: "invalid_request"}.get(
            status, "http_error")
        headers = dict(getattr(exc, "headers", None) or {})
        if status == 405:
            # Every method the path answers, across the routes that share it (Starlette names only one).
            path = request.url.path
            allowed = {m for r in request.app.routes if getattr(r, "path_regex", None) and r.path_regex.match(path)
                       for m in (getattr(r, "methods", None) or ())}
            headers["Allow"] = ", ".join(sorted(allowed))
        return error_response(status, code, str(getattr(exc, "detail", "")) or "request refused", headers or None)

    app.add_exception_handler(ClientloopError, handle_domain)
    app.add_exception_handler(RequestValidationError, handle_validation)
    app.add_exception_handler(StarletteHTTPException, handle_http)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the error responses a route can give."""
    text = {
        400: "Bad request", 401: "Missing or invalid API key", 403: "Role not allowed",
        404: "Not found (or not yours)", 409: "Conflict: already decided or duplicate",
        412: "Stale version: the draft changed since you read it", 413: "Upload over the size limit",
        415: "Unsupported file type", 422: "Invalid input: empty, undecodable, malformed or failing validation",
        428: "If-Match header required", 502: "The language model failed", 503: "A backend is unavailable",
        504: "The language model did not answer in time",
    }
    return {s: {"model": ErrorResponse, "description": text.get(s, "Error")} for s in statuses}
