"""The error families every package's errors belong to, and the kernel's own errors.

Errors are grouped by cause, and the cause decides what the caller sees: each family
carries its HTTP status and a stable code as class attributes, so the API maps an error
by its family (`exc.status_code`, `exc.code`) instead of a hand-ordered list, and the
CLI can say what to do. The families:

- `CallerError`: the request is wrong (bad input, unknown record, missing role). 4xx.
- `RaceLost`: another request changed the record first; nothing was changed. 409/412.
- `ModelFailure`: the language model failed or returned output we could not use. 502.
- `BackendFailure`: a database, vector store or embedding backend failed. 503.
- `ConfigurationError`: an operator must fix a setting or a rules file. 500.

Packages subclass these in their own `errors.py`; third-party exceptions (`openai`,
`chromadb`, `sqlalchemy`) are mapped to a family at the seam where they are caught.
"""

from __future__ import annotations


class ClientloopError(Exception):
    """Base class of every clientloop error."""

    status_code: int = 500
    code: str = "internal_error"


class CallerError(ClientloopError):
    """The caller's request cannot be carried out as given."""

    status_code = 422
    code = "invalid_input"


class RaceLost(ClientloopError):
    """Another request changed the record first; this one changed nothing."""

    status_code = 409
    code = "conflict"


class ModelFailure(ClientloopError):
    """The language model failed or misbehaved."""

    status_code = 502
    code = "model_error"


class BackendFailure(ClientloopError):
    """A storage, vector-store or embedding backend failed."""

    status_code = 503
    code = "backend_unavailable"


class ConfigurationError(ClientloopError):
    """A setting or a rules file is wrong; an operator must fix it."""

    status_code = 500
    code = "configuration_invalid"


class NotFound(CallerError):
    """The requested record does not exist, or is not visible to the caller."""

    status_code = 404
    code = "not_found"


class UnknownClient(NotFound):
    """The client named in the request does not exist (or is not in the caller's book)."""

    code = "unknown_client"


class InvalidQuestion(CallerError):
    """The question is empty or too long."""

    code = "invalid_question"


class Unauthenticated(CallerError):
    """No API key, or one that matches no active user."""

    status_code = 401
    code = "unauthenticated"


class Forbidden(CallerError):
    """The user's role does not allow this operation."""

    status_code = 403
    code = "forbidden"


class DuplicateRecord(RaceLost):
    """A uniqueness constraint refused the write: the record already exists."""

    code = "duplicate"


class DatabaseUnavailable(BackendFailure):
    """The database refused the connection or the statement failed for a reason of its own."""
