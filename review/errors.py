"""Errors raised by the review package, grouped by cause.

`PolicyError` means the sensitivity policy file itself is wrong (bad YAML, a missing
flag, an invalid regular expression): an operator must fix the file, so the error names
the file and, where it can, the rule.
"""

from __future__ import annotations

from records.errors import CallerError, ClientloopError, ConfigurationError, RaceLost


class ReviewError(ClientloopError):
    """Base class of every review error."""


class PolicyError(ReviewError, ConfigurationError):
    """The sensitivity policy file is invalid."""

    code = "policy_invalid"

    def __init__(self, message: str, *, rule_id: str | None = None, path: str | None = None) -> None:
        self.rule_id = rule_id
        self.path = path
        prefix = f"{path}: " if path else ""
        where = f"rule {rule_id!r}: " if rule_id else ""
        super().__init__(f"{prefix}{where}{message}")


# --- The review gate: "the caller is wrong" apart from "lost a race". ---


class GateError(ReviewError):
    """Base class of the review gate's errors (queue, decisions, release, users)."""


class NotAllowed(GateError, CallerError):
    """The user's role or relationship to the draft does not permit this (maker-checker, role, claim)."""

    status_code = 403
    code = "not_allowed"


class InvalidDecision(GateError, CallerError):
    """The decision is malformed or its edit fails re-validation (schema, grounding)."""

    code = "invalid_decision"

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


class InvalidUser(GateError, CallerError):
    """The user to create has an unknown role, no name, or a name already taken."""

    code = "invalid_user"


class ConflictError(GateError, RaceLost):
    """The request conflicts with the item's current state."""


class AlreadyDecided(ConflictError):
    """The review item was already approved, rejected or released."""

    code = "already_decided"


class AlreadyClaimed(ConflictError):
    """Another reviewer holds the claim on this item."""

    code = "already_claimed"


class NotApproved(ConflictError):
    """Release was asked for an item that has no approving decision."""

    code = "not_approved"


class PreconditionRequired(GateError, CallerError):
    """A decision came without the version it was based on (`If-Match`)."""

    status_code = 428
    code = "precondition_required"


class StaleVersion(GateError, RaceLost):
    """The item changed since the caller read it: the decision lost a race and changed nothing."""

    status_code = 412
    code = "stale_version"

    def __init__(self, message: str, *, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(message)


class AuditKeyError(ReviewError, ConfigurationError):
    """The audit key file is unreadable or not a key: an operator must restore it."""

    code = "audit_key_invalid"
