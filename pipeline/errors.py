"""Errors raised by the pipeline, grouped by cause.

"The input is wrong" (`InputError` and children) is kept apart from "a dependency
failed" (`BackendError`) and "the model misbehaved" (`ModelError`), so the HTTP layer
can map each family to one status code and the CLI can say what to do.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every pipeline error."""


class InputError(PipelineError):
    """The caller's input cannot be processed."""

    def __init__(self, message: str, *, filename: str | None = None) -> None:
        self.filename = filename
        super().__init__(f"{filename}: {message}" if filename else message)


class EmptyDocument(InputError):
    """The document holds no text."""


class DocumentTooLarge(InputError):
    """The document is bigger than the configured limit."""


class UnsupportedFormat(InputError):
    """The file type is not one clientloop can read."""


class UndecodableDocument(InputError):
    """The bytes are binary or not valid text in a supported encoding."""


class MalformedDocument(InputError):
    """The file claims a format but does not follow it."""


class BackendError(PipelineError):
    """A storage, vector-store or embedding backend failed."""


class ModelError(PipelineError):
    """The language model failed or returned output we could not use."""

    def __init__(self, message: str, *, attempts: int = 0, last_output: str | None = None) -> None:
        self.attempts = attempts
        self.last_output = last_output
        super().__init__(message)


class ModelUnavailable(ModelError):
    """The model server timed out, rate-limited or failed after all retries."""


class ExtractionFailed(ModelError):
    """The model's output failed validation even after the repair attempt."""
