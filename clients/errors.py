"""Errors raised by `clients/`, grouped by cause.

Each belongs to one of the kernel's families (`records.errors`), which carries the HTTP
status and code: a bad export or a wrong state change is the caller's (`CallerError`); a
broken rules or mapping file is an operator's (`ConfigurationError`).
"""

from __future__ import annotations

from records.errors import CallerError, ClientloopError, ConfigurationError


class ClientsError(ClientloopError):
    """Base class of every error raised by `clients/`."""


class ImportFileError(ClientsError, CallerError):
    """A whole export file cannot be imported: undecodable, no header, or missing columns."""


class MappingError(ClientsError, CallerError):
    """The mapping file is missing, not YAML, or names unknown entities or fields."""


class InvalidTransition(ClientsError, CallerError):
    """The action is already in the requested state, or the close has no reason."""


class AdvisoryRulesError(ClientsError, ConfigurationError):
    """The advisory rules file is invalid; an operator must fix it."""

    code = "bad_advisory_rules"


class RowProblem(ValueError):
    """One export row cannot be imported; the message says why (reported, never raised past the importer)."""


class InvalidHandover(ClientsError, CallerError):
    """The change of owner cannot be made: the new owner is not an RM, nothing changes, or it was decided."""


class HandoverSelfApproval(ClientsError, CallerError):
    """Whoever proposed a change of owner cannot also approve it."""

    status_code = 403
    code = "forbidden"


class InvalidOnboarding(ClientsError, CallerError):
    """No onboarding case, an unknown phase, a phase done already, or a second case for one client."""
