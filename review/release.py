"""Release: an approved summary becomes the record; an approved message goes to the outbox.

Release runs as its own step after the approving decision is committed (the API and
CLI call it right after approving, and it can be retried on its own).

Design decisions:

- **Idempotent.** Releasing a released item returns what the first release made; the
  record and the outbox message are unique per review item in the schema, and the
  check runs under the writer lock, so two concurrent releases still make one record.
- **Defence in depth.** Release re-reads the approving decision and re-checks that its
  actor was allowed to give it (role, maker-checker) against the approved version. A
  row that reached `approved` any other way releases nothing.
- Actions enter the record `open`, with owner, side, due date and phrase, type, and
  their evidence span in the source; whatever status the draft carried, people close
  actions, not drafts.
- A released summary drafts its client recap (`review.recap`), held for approval like
  every client message. Nothing is ever sent: the outbox row's `sent` stays false.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from records.ids import utcnow
from records.session import lock_for_write
from records.tables import Draft, Source, User
from review.audit import append_event
from review.decisions import makers, may_approve
from review.errors import NotApproved
from review.models import Decision, InteractionRecord, OutboxMessage, RecordAction, ReviewItem
from review.queue import get_item


@dataclass
class ReleaseOutcome:
    """What release produced (or had produced before)."""

    item: ReviewItem
    created: bool
    record: InteractionRecord | None = None
    actions: list[RecordAction] | None = None
    outbox: OutboxMessage | None = None
    recap: ReviewItem | None = None


def approving_decision(session: Session, item: ReviewItem) -> Decision | None:
    """The approve decision on the item's current version, if any."""
    return session.exec(
        select(Decision).where(Decision.review_id == item.id, Decision.kind == "approve",
                               Decision.draft_id == item.current_draft_id)
        .order_by(col(Decision.created_at).desc())
    ).first()


def release(*, session: Session, review_id: str, user: User) -> ReleaseOutcome:
    """Release an approved item (in the caller's transaction); a second call changes nothing.

    Args:
        session: The session; the caller commits.
        review_id: The review item (or any draft id of its lineage).
        user: Who asks for release (they must be able to see the item).

    Returns:
        The record and actions, or the outbox message, and whether this call created them.

    Raises:
        Forbidden: the user's role has no access to the review queue.
        NotFound: no such item, or not visible.
        NotApproved: the item has no valid approving decision.
    """
    lock_for_write(session)
    item = get_item(session=session, review_id=review_id, user=user, fresh=True)
    if item.status == "released":
        return _existing(session, item)
    if item.status != "approved":
        raise NotApproved(f"review {item.id} is {item.status}; only approved items are released")
    decision = approving_decision(session, item)
    approver = session.exec(select(User).where(User.name == decision.actor)).first() if decision else None
    if decision is None or approver is None or may_approve(item, approver, makers(session, item)) is not None:
        raise NotApproved(f"review {item.id} has no approval by someone allowed to give it; nothing released")
    draft = session.get(Draft, item.current_draft_id)
    assert draft is not None
    content = json.loads(draft.content_json)
    now = utcnow()
    outcome = ReleaseOutcome(item=item, created=True)
    if item.kind == "client_message":
        outcome.outbox = OutboxMessage(
            review_id=item.id, draft_id=draft.id, decision_id=decision.id, client_id=item.client_id,
            subject=content.get("subject", ""), body=content.get("body", ""), approved_by=decision.actor,
            created_at=now,
        )
        session.add(outcome.outbox)
    else:
        record = InteractionRecord(
            review_id=item.id, lineage_id=item.lineage_id, draft_id=draft.id, decision_id=decision.id,
            source_id=item.source_id, client_id=item.client_id, approved_by=decision.actor,
            content_json=draft.content_json, created_at=now,
        )
        session.add(record)
        session.flush()
        outcome.record, outcome.actions = record, _actions(session, record, content)
    item.status, item.version, item.updated_at = "released", item.version + 1, now
    session.add(item)
    session.flush()
    append_event(session, event_type="release", actor=user.name, payload={
        "review_id": item.id, "lineage_id": item.lineage_id, "draft_id": draft.id, "decision_id": decision.id,
        "approved_by": decision.actor, "kind": item.kind,
        "record_id": outcome.record.id if outcome.record else None,
        "action_ids": [a.id for a in outcome.actions or []],
        "outbox_id": outcome.outbox.id if outcome.outbox else None,
    })
    if outcome.record is not None:
        from review.recap import draft_recap

        outcome.recap = draft_recap(session, item, content)
    return outcome


def _actions(session: Session, record: InteractionRecord, content: dict[str, Any]) -> list[RecordAction]:
    source = session.get(Source, record.source_id)
    source_text = (source.text if source else "") or ""
    rows = []
    for i, action in enumerate(content.get("actions") or []):
        due = action.get("due") or {}
        evidence = (action.get("evidence") or {}).get("text") or ""
        start = source_text.find(evidence) if evidence else -1
        rows.append(RecordAction(
            record_id=record.id, ordinal=i, client_id=record.client_id, source_id=record.source_id,
            description=action.get("description", ""), owner=action.get("owner", ""),
            owner_side=action.get("owner_side", "firm"), type=action.get("type", "task"), status="open",
            due_kind=due.get("kind", "none"), due_date=_date(due.get("date")), due_start=_date(due.get("start")),
            due_end=_date(due.get("end")), due_phrase=due.get("phrase", ""),
            close_condition=action.get("close_condition", ""), evidence_text=evidence,
            evidence_start=start if start >= 0 else None, evidence_end=start + len(evidence) if start >= 0 else None,
            created_at=record.created_at, updated_at=record.created_at,
        ))
    session.add_all(rows)
    session.flush()
    return rows


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _existing(session: Session, item: ReviewItem) -> ReleaseOutcome:
    record = session.exec(select(InteractionRecord).where(InteractionRecord.review_id == item.id)).first()
    actions = None
    if record is not None:
        actions = list(session.exec(select(RecordAction).where(RecordAction.record_id == record.id)
                                    .order_by(col(RecordAction.ordinal))).all())
    outbox = session.exec(select(OutboxMessage).where(OutboxMessage.review_id == item.id)).first()
    recap = session.exec(select(ReviewItem).where(ReviewItem.parent_review_id == item.id)).first()
    return ReleaseOutcome(item=item, created=False, record=record, actions=actions, outbox=outbox, recap=recap)
