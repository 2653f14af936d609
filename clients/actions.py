"""Closing the loop: an action is closed (done or cancelled, with a reason) or reopened.

Design decisions:

- Two kinds of action can be closed through one function: a released `RecordAction`
  (a follow-up from an interaction) and an urgent `Alert`, which is an owned action by
  design. The id says which; callers never have to know.
- Every change writes an audit event (`action_close` / `action_reopen`) in the same
  transaction as the change, and an `ActionStatusChange` row carrying the event's
  sequence number. The audit chain is the proof; the row is what the brief and the
  weekly review read ("changed since the last interaction", "actions reopened").
- A close needs a reason and a person: "done" without a why is exactly the note-quality
  problem this project exists to fix. Closing a closed action, or reopening an open one,
  is refused rather than silently recorded twice.
- Visibility is the one access rule (`records.access`): an RM may change only actions in
  their own book, and anything else answers as "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from clients.errors import InvalidTransition
from clients.models import ActionStatusChange, Alert
from records.access import can_read_client, client_of, require_permission
from records.errors import NotFound
from records.ids import utcnow
from records.tables import User
from review.audit import append_event
from review.models import RecordAction

CloseStatus = Literal["done", "cancelled"]



@dataclass(frozen=True)
class StatusChange:
    """The outcome of one status change."""

    action_id: str
    action_kind: str
    client_id: str | None
    from_status: str
    to_status: str
    reason: str
    actor: str
    audit_seq: int


def _load(session: Session, action_id: str, user: User | None) -> RecordAction | Alert:
    row: RecordAction | Alert | None = session.get(RecordAction, action_id)
    if row is None:
        alert = session.get(Alert, action_id)
        # Only urgent alerts are owned actions; the others wait for a meeting or the next contact.
        row = alert if alert is not None and alert.follow_up == "owned_action" else None
    if row is None or not can_read_client(user, client_of(session, row.client_id)):
        raise NotFound(f"no action {action_id!r}")
    return row


def set_status(*, session: Session, action_id: str, to_status: str, reason: str, actor: str,
               user: User | None = None) -> StatusChange:
    """Move an action to `done`, `cancelled` or back to `open`, and record it.

    Args:
        session: The session; the caller commits.
        action_id: A `RecordAction` id, or the id of an alert whose follow-up is an owned action.
        to_status: `done`, `cancelled` or `open` (reopen).
        reason: Why; required.
        actor: Who did it (a user name, or `import:<file>` when a CRM export closed it).
        user: The calling user, for book visibility (None: a trusted internal caller).

    Returns:
        What changed, with the audit event's sequence number.

    Raises:
        Forbidden: the user's role may not change actions.
        NotFound: no such action, or not in the user's book.
        InvalidTransition: no reason, an unknown status, or the action is already there.
    """
    require_permission(user, "clients")
    if to_status not in ("done", "cancelled", "open"):
        raise InvalidTransition(f"status must be done, cancelled or open, not {to_status!r}")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransition("say why: a close or reopen needs a reason")
    if not actor.strip():
        raise InvalidTransition("say who: a close or reopen needs the person's name")
    row = _load(session, action_id, user)
    before = row.status
    if to_status == "open" and before == "open":
        raise InvalidTransition(f"action {action_id} is already open")
    if to_status != "open" and before != "open":
        raise InvalidTransition(f"action {action_id} is already {before}; reopen it first")
    kind = "action" if isinstance(row, RecordAction) else "alert"
    now = utcnow()
    row.status, row.updated_at = to_status, now
    session.add(row)
    session.flush()
    event = append_event(session, event_type="action_reopen" if to_status == "open" else "action_close",
                         actor=actor, payload={
                             "action_id": row.id, "action_kind": kind, "client_id": row.client_id,
                             "from": before, "to": to_status, "reason": reason,
                         })
    session.add(ActionStatusChange(action_id=row.id, action_kind=kind, client_id=row.client_id,
                                   from_status=before, to_status=to_status, reason=reason, actor=actor,
                                   audit_seq=event.id, changed_at=now))
    session.flush()
    return StatusChange(row.id, kind, row.client_id, before, to_status, reason, actor, event.id)


def close_action(*, session: Session, action_id: str, reason: str, actor: str, status: CloseStatus = "done",
                 user: User | None = None) -> StatusChange:
    """Close an action as done or cancelled (see `set_status`)."""
    return set_status(session=session, action_id=action_id, to_status=status, reason=reason, actor=actor,
                      user=user)


def reopen_action(*, session: Session, action_id: str, reason: str, actor: str,
                  user: User | None = None) -> StatusChange:
    """Reopen a closed action (see `set_status`)."""
    return set_status(session=session, action_id=action_id, to_status="open", reason=reason, actor=actor,
                      user=user)
