"""Decide, then release: the one review workflow the API, the web pages and the CLI run.

Design decisions:

- **Two transactions, in order.** The decision is committed first; an approval is then
  released in a transaction of its own (`review.release`). Side effects never share the
  decision's transaction, so a failing release cannot undo an approval a person gave.
- **A failed release is reported, not raised.** The approval stands and release is
  idempotent, so the caller shows why it failed and offers the retry
  (`release_in_own_transaction`, `POST /v1/reviews/{id}/release`,
  `clientloop review release`).
- The functions take the database engine, not a session, because they own their
  transactions; the `user` is a detached row (only its name and role are read).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from records.session import session_scope
from records.tables import User
from review.decisions import Approve, DecisionOutcome, Edit, Reject, decide
from review.models import ReviewItem
from review.release import ReleaseOutcome, release

log = logging.getLogger(__name__)


@dataclass
class WorkflowOutcome:
    """What a decision did, and what the release it triggered made (or why it failed)."""

    decided: DecisionOutcome
    released: ReleaseOutcome | None = None
    release_error: str | None = None
    """Why release failed after an approval; the approval stands and release can be retried."""

    @property
    def item(self) -> ReviewItem:
        """The review item as it stands now: after release when there was one."""
        return self.released.item if self.released is not None else self.decided.item


def release_in_own_transaction(*, engine: Engine, review_id: str, user: User) -> ReleaseOutcome:
    """Release an approved item in a transaction of its own (idempotent).

    Args:
        engine: The database engine.
        review_id: The review item (or any draft id of its lineage).
        user: Who asks for release.

    Returns:
        The record and actions, or the outbox message, and whether this call created them.

    Raises:
        Forbidden: the user's role has no access to the review queue.
        NotFound: no such item, or not visible.
        NotApproved: the item has no valid approving decision.
    """
    with session_scope(engine) as session:
        return release(session=session, review_id=review_id, user=user)


def decide_and_release(
    *, engine: Engine, review_id: str, user: User, decision: Approve | Edit | Reject, expected_version: int | None,
) -> WorkflowOutcome:
    """Record a decision; when it approves, release the item right after.

    Args:
        engine: The database engine.
        review_id: The review item (or any draft id of its lineage).
        user: Who decides.
        decision: Approve, Edit or Reject.
        expected_version: The item version the decision was based on (`If-Match`).

    Returns:
        The decision's outcome and, for an approval, the release's outcome or why it failed.

    Raises:
        PreconditionRequired: no expected version.
        Forbidden: the user's role has no access to the review queue.
        NotFound: no such item, or not visible to the user.
        AlreadyDecided: the item was already approved, rejected or released.
        StaleVersion: the item changed since the caller read it.
        NotAllowed: role, maker-checker or claim forbids it.
        InvalidDecision: the edit fails validation.

    A failing release raises nothing: its reason is in `release_error`.
    """
    with session_scope(engine) as session:
        decided = decide(session=session, review_id=review_id, decision=decision, user=user,
                         expected_version=expected_version)
    outcome = WorkflowOutcome(decided)
    if isinstance(decision, Approve):
        try:
            outcome.released = release_in_own_transaction(engine=engine, review_id=decided.item.id, user=user)
        except Exception as exc:  # any failure: the committed approval must not be reported as an error
            log.warning("release of review %s failed after approval", decided.item.id, exc_info=True)
            outcome.release_error = f"{type(exc).__name__}: {exc}"
    return outcome
