"""One place that maps domain errors to HTTP responses.

Services raise domain errors (never `HTTPException`); this module turns each family into
one status code and a JSON body `{"error": {"code", "message"}}`. The message comes from
the exception, which never carries the rejected content itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from clientloop import errors as ce
from pipeline import errors as pe
from review import errors as re_


class ErrorBody(BaseModel):
    """An error's code and a message that says what to do."""

    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="What went wrong and how to fix it.")


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx response."""

    error: ErrorBody


# (exception type, status, code), most specific first.
_MAPPING: list[tuple[type[Exception], int, str]] = [
    (ce.Unauthenticated, 401, "unauthenticated"),
    (ce.Forbidden, 403, "forbidden"),
    (re_.NotAllowed, 403, "not_allowed"),
    (re_.StaleVersion, 412, "stale_version"),
    (re_.PreconditionRequired, 428, "precondition_required"),
    (re_.AlreadyDecided, 409, "already_decided"),
    (re_.AlreadyClaimed, 409, "already_claimed"),
    (re_.NotApproved, 409, "not_approved"),
    (re_.ConflictError, 409, "conflict"),
    (re_.InvalidDecision, 422, "invalid_decision"),
    (re_.InvalidUser, 422, "invalid_user"),
    (re_.PolicyError, 500, "policy_invalid"),
    (ce.UnknownClient, 404, "unknown_client"),
    (ce.NotFound, 404, "not_found"),
    (pe.DocumentTooLarge, 413, "too_large"),
    (pe.UnsupportedFormat, 415, "unsupported_type"),
    (pe.EmptyDocument, 422, "empty"),
    (pe.UndecodableDocument, 422, "undecodable"),
    (pe.MalformedDocument, 422, "malformed"),
    (pe.InputError, 422, "invalid_input"),
    (pe.ModelError, 502, "model_error"),
    (pe.BackendError, 503, "backend_unavailable"),
]

def status_for(exc: Exception) -> tuple[int, str]:
    """The status code and error code for a domain error."""
    for exc_type, status, code in _MAPPING:
        if isinstance(exc, exc_type):
            return status, code
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
        elif isinstance(exc, re_.StaleVersion):
            headers = {"ETag": f'"{exc.current}"'}
        return error_response(status, code, str(exc), headers)

    app.add_exception_handler(pe.PipelineError, handle_domain)
    app.add_exception_handler(re_.ReviewError, handle_domain)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the error responses a route can give."""
    text = {
        400: "Bad request", 401: "Missing or invalid API key", 403: "Role not allowed",
        404: "Not found (or not yours)", 409: "Conflict: already decided or duplicate",
        412: "Stale version: the draft changed since you read it", 413: "Upload over the size limit",
        415: "Unsupported file type", 422: "Invalid input: empty, undecodable, malformed or failing validation",
        428: "If-Match header required", 502: "The language model failed", 503: "A backend is unavailable",
    }
    return {s: {"model": ErrorResponse, "description": text.get(s, "Error")} for s in statuses}
