"""Errors of the composition root's services (the pipeline's own live in `pipeline.errors`)."""

from __future__ import annotations

from pipeline.errors import InputError


class NotFound(InputError):
    """The requested record does not exist, or is not visible to the caller."""


class UnknownClient(NotFound):
    """The client named in the request does not exist."""


class InvalidQuestion(InputError):
    """The question is empty or too long."""
