"""Errors of the composition root's services (the pipeline's own live in `pipeline.errors`)."""

from __future__ import annotations

from pipeline.errors import InputError


class NotFound(InputError):
    """The requested record does not exist, or is not visible to the caller."""


class UnknownClient(NotFound):
    """The client named in the request does not exist."""


class InvalidQuestion(InputError):
    """The question is empty or too long."""


class Unauthenticated(InputError):
    """No API key, or one that matches no active user."""


class Forbidden(InputError):
    """The user's role does not allow this operation."""
