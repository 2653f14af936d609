"""Errors raised by the pipeline, grouped by cause.

"The input is wrong" (`InputError` and children) is kept apart from "a dependency
failed" (`BackendError`) and "the model misbehaved" (`ModelError`). Each belongs to one
of the kernel's families (`records.errors`), which carries the HTTP status and code.
"""

from __future__ import annotations

from records.errors import BackendFailure, CallerError, ClientloopError, ModelFailure


class PipelineError(ClientloopError):
    """Base class of every pipeline error."""


class InputError(PipelineError, CallerError):
    """The caller's input cannot be processed."""

    def __init__(self, message: str, *, filename: str | None = None) -> None:
        self.filename = filename
        super().__init__(f"{filename}: {message}" if filename else message)


class EmptyDocument(InputError):
    """The document holds no text."""

    code = "empty"


class DocumentTooLarge(InputError):
    """The document is bigger than the configured limit."""

    status_code = 413
    code = "too_large"


class UnsupportedFormat(InputError):
    """The file type is not one clientloop can read."""

    status_code = 415
    code = "unsupported_type"


class UndecodableDocument(InputError):
    """The bytes are binary or not valid text in a supported encoding."""

    code = "undecodable"


class MalformedDocument(InputError):
    """The file claims a format but does not follow it."""

    code = "malformed"


class EngineDisabled(PipelineError, CallerError):
    """A request asked for an engine this server has not enabled (`CLIENTLOOP_ENGINES`)."""

    code = "engine_disabled"


class BackendError(PipelineError, BackendFailure):
    """A storage, vector-store or embedding backend failed."""


class ModelError(PipelineError, ModelFailure):
    """The language model failed or returned output we could not use."""

    def __init__(self, message: str, *, attempts: int = 0, last_output: str | None = None) -> None:
        self.attempts = attempts
        self.last_output = last_output
        super().__init__(message)


class ModelUnavailable(ModelError):
    """The model server timed out, rate-limited or failed after all retries."""


class ExtractionFailed(ModelError):
    """The model's output failed validation even after the repair attempt."""
