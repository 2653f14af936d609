"""The append-only, hash-chained audit trail.

Every upload, draft, flag, claim, edit, decision and release appends one `AuditEvent`.
The design follows SEA 17a-4(f)'s audit-trail alternative: each modification is
recorded with who and when, and the original and every interim version of a record
can be re-created from the trail alone (`reconstruct_versions`).

Design decisions:

- **Canonical JSON** (sorted keys, compact separators, UTF-8 kept as is) is what gets
  hashed, so the same payload always gives the same digest on every platform and
  database. Hashes are tagged with their algorithm (`sha256:...`).
- **The chain.** An event's hash covers its sequence number, ULID, type, actor, UTC time,
  payload digest and the previous event's hash. Modifying a row breaks its own hash;
  deleting one leaves a gap in the sequence and a `prev_hash` that no longer matches;
  inserting or reordering rows breaks `prev_hash` or the hash (the sequence number is
  inside it). `verify_chain` names the first broken event.
- **Sequence numbers come from the chain, not from a database sequence**: the appender
  takes a lock, reads the head and writes `head + 1`. On PostgreSQL the lock is a
  transaction-scoped advisory lock; on SQLite a no-op write takes the database's single
  write lock first (a plain read would not, and two appenders could both read the same
  head). Either way the lock is held until the surrounding transaction commits, so
  appends are serialised with the change they describe.
- **Append-only in the database** on PostgreSQL: a trigger created by migration 0002
  refuses UPDATE and DELETE of audit rows.
- A hash chain without an external anchor cannot detect a wholesale rewrite of the
  chain, a cut-off tail or a forged append by someone holding the database. Events are
  therefore also signed with a key kept outside the database (`mac`), and signed chain
  heads are written outside it (`review/checkpoint.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from records.ids import canonical_json, iso_utc, new_id, sha256_tag, utcnow
from records.session import lock_for_write
from review.checkpoint import sign
from review.models import AuditEvent

MAC_KEY_INFO = "clientloop_audit_mac_key"
"""Where a connection's pool record holds the audit key (`Connection.info`), set by the engine's owner."""

GENESIS = "sha256:" + "0" * 64
"""The `prev_hash` of the first event."""

EVENT_TYPES = ("upload", "draft", "flag", "claim", "unclaim", "handover", "edit", "decision", "release")
"""The event types the gate writes (others may be added; the chain does not care)."""



def event_hash(*, seq: int, event_id: str, event_type: str, actor: str, occurred_at: datetime,
               payload_digest: str, prev_hash: str) -> str:
    """The chained hash of one event."""
    return sha256_tag(canonical_json({
        "seq": seq, "event_id": event_id, "event_type": event_type, "actor": actor,
        "occurred_at": iso_utc(occurred_at), "payload_digest": payload_digest, "prev_hash": prev_hash,
    }))


def append_event(session: Session, *, event_type: str, actor: str, payload: dict[str, Any]) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction.

    Args:
        session: The session whose transaction also holds the change being recorded.
        event_type: What happened (`upload`, `draft`, `flag`, `claim`, `edit`, `decision`, `release`).
        actor: Who did it: a user name, or `engine:<name>` / `system`.
        payload: JSON-serialisable details; stored as canonical JSON.

    Returns:
        The new event (flushed, with its sequence number and hash).
    """
    lock_for_write(session)
    head = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    seq = (head.id + 1) if head else 1
    prev = head.hash if head else GENESIS
    payload_json = canonical_json(payload)
    digest = sha256_tag(payload_json)
    # Truncate to microseconds-in-UTC now so the stored value and the hashed value agree.
    occurred = datetime.strptime(iso_utc(utcnow()), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    event_id = new_id()
    chained = event_hash(seq=seq, event_id=event_id, event_type=event_type, actor=actor, occurred_at=occurred,
                         payload_digest=digest, prev_hash=prev)
    key = session.connection().info.get(MAC_KEY_INFO)
    event = AuditEvent(
        id=seq, event_id=event_id, event_type=event_type, actor=actor, occurred_at=occurred,
        payload_json=payload_json, payload_digest=digest, prev_hash=prev, hash=chained,
        mac=sign(key, chained) if key else None,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of re-deriving the chain."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None


def _rows(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) > last).order_by(col(AuditEvent.id)).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify_chain(session: Session, *, expected_head: str | None = None) -> VerifyResult:
    """Recompute every digest and hash, in sequence order, and report the first break.

    Args:
        session: A session to read the trail with.
        expected_head: A head hash recorded earlier outside the database; when given,
            the chain must still contain it at or after that point.

    Returns:
        `ok` with the number of events checked, or the first broken sequence number and why.
    """
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    seen_head = expected_head is None
    for row in _rows(session):
        checked += 1
        if row.id != expected_seq:
            reason = f"sequence jumps from {expected_seq - 1} to {row.id}: event(s) deleted or inserted"
            return VerifyResult(False, checked, expected_seq if row.id > expected_seq else row.id, reason)
        if row.prev_hash != prev_hash:
            return VerifyResult(False, checked, row.id,
                                "prev_hash does not match the previous event: deleted, inserted or reordered")
        if sha256_tag(row.payload_json) != row.payload_digest:
            return VerifyResult(False, checked, row.id, "payload does not match its digest: payload modified")
        recomputed = event_hash(seq=row.id, event_id=row.event_id, event_type=row.event_type, actor=row.actor,
                                occurred_at=row.occurred_at, payload_digest=row.payload_digest,
                                prev_hash=row.prev_hash)
        if recomputed != row.hash:
            return VerifyResult(False, checked, row.id, "hash does not match the event: event modified")
        if row.hash == expected_head:
            seen_head = True
        prev_hash, expected_seq = row.hash, expected_seq + 1
    if not seen_head:
        return VerifyResult(False, checked, None, "the expected head hash is not in the chain: chain rewritten",
                            prev_hash)
    return VerifyResult(True, checked, None, None, prev_hash if checked else None)


def events_for(session: Session, needle: str, *, types: tuple[str, ...] | None = None) -> list[AuditEvent]:
    """Events whose payload mentions `needle` (an id), oldest first."""
    query = select(AuditEvent).where(col(AuditEvent.payload_json).contains(needle))
    if types:
        query = query.where(col(AuditEvent.event_type).in_(types))
    return list(session.exec(query.order_by(col(AuditEvent.id))).all())


def reconstruct_versions(session: Session, lineage_id: str) -> list[dict[str, Any]]:
    """Re-create the original and every interim version of a draft lineage from the trail.

    Only the audit events are read (never the draft rows), so the result stands even if
    the drafts table were lost. Each version carries its content, who made it, when, and
    the sequence number of the event it came from.

    Args:
        session: A session to read the trail with.
        lineage_id: The lineage (the id of the lineage's first draft).

    Returns:
        The versions in order, each `{version, draft_id, parent_id, kind, actor,
        occurred_at, seq, content}`.
    """
    versions: list[dict[str, Any]] = []
    for event in events_for(session, lineage_id, types=("draft", "edit")):
        payload = json.loads(event.payload_json)
        if payload.get("lineage_id", payload.get("draft_id")) != lineage_id or "content" not in payload:
            continue
        versions.append({
            "version": payload.get("version", 1), "draft_id": payload["draft_id"],
            "parent_id": payload.get("parent_id"), "kind": payload.get("kind", "interaction_summary"),
            "actor": event.actor, "occurred_at": iso_utc(event.occurred_at), "seq": event.id,
            "content": payload["content"],
        })
    versions.sort(key=lambda v: v["version"])
    return versions
