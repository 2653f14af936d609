"""Re-deriving the gate's records from the audit trail (`clientloop audit verify --deep`).

`verify_chain` proves the trail is intact; this module proves the tables agree with it.
Every draft version, decision, release (record and outbox message) is looked up in the
trail by id and compared field by field with what the trail says happened, in both
directions: a row the trail never recorded and an event whose row is gone are both
reported. Action status changes are compared in `clients/action_audit.py` (they live in
the clients package); the CLI runs both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from records.tables import Draft
from review.models import AuditEvent, Decision, InteractionRecord, OutboxMessage


@dataclass(frozen=True)
class Disagreement:
    """One record that the trail does not support."""

    table: str
    record_id: str
    problem: str
    seq: int | None = None


def trail(session: Session, types: tuple[str, ...]) -> Iterator[tuple[AuditEvent, dict[str, Any]]]:
    """Events of `types` with their payloads, oldest first, read in batches."""
    last = 0
    while True:
        rows = session.exec(select(AuditEvent).where(col(AuditEvent.id) > last)
                            .where(col(AuditEvent.event_type).in_(types))
                            .order_by(col(AuditEvent.id)).limit(1000)).all()
        if not rows:
            return
        for row in rows:
            yield row, json.loads(row.payload_json)
        last = rows[-1].id


def _by(session: Session, types: tuple[str, ...], key: str) -> dict[str, tuple[AuditEvent, dict[str, Any]]]:
    return {p[key]: (e, p) for e, p in trail(session, types) if p.get(key)}


def _drafts(session: Session) -> list[Disagreement]:
    events = _by(session, ("draft", "edit"), "draft_id")
    out = []
    for draft in session.exec(select(Draft)).all():
        found = events.pop(draft.id, None)
        if found is None:
            out.append(Disagreement("draft", draft.id, "no draft or edit event records this version"))
            continue
        event, payload = found
        if "content" in payload and payload["content"] != json.loads(draft.content_json):
            out.append(Disagreement("draft", draft.id,
                                    f"content differs from the trail (version {draft.version})", event.id))
    out += [Disagreement("draft", draft_id, "recorded in the trail but the row is missing", e.id)
            for draft_id, (e, _p) in events.items()]
    return out


def _decisions(session: Session) -> list[Disagreement]:
    events = _by(session, ("decision", "edit"), "decision_id")
    out = []
    for row in session.exec(select(Decision)).all():
        found = events.pop(row.id, None)
        if found is None:
            out.append(Disagreement("decision", row.id, "no decision or edit event records it"))
            continue
        event, payload = found
        wrong = [name for name, have, want in (
            ("actor", row.actor, event.actor), ("review_id", row.review_id, payload.get("review_id")),
            ("draft_id", row.draft_id, payload.get("draft_id") if event.event_type == "decision" else row.draft_id),
            ("kind", row.kind, payload.get("kind") if event.event_type == "decision" else row.kind),
        ) if have != want]
        if wrong:
            out.append(Disagreement("decision", row.id, f"{', '.join(wrong)} differ from the trail", event.id))
    out += [Disagreement("decision", did, "recorded in the trail but the row is missing", e.id)
            for did, (e, _p) in events.items()]
    return out


def _records(session: Session) -> list[Disagreement]:
    events = _by(session, ("release",), "record_id")
    contents = {d: p.get("content") for d, (_e, p) in _by(session, ("draft", "edit"), "draft_id").items()}
    out = []
    for row in session.exec(select(InteractionRecord)).all():
        found = events.pop(row.id, None)
        if found is None:
            out.append(Disagreement("interactionrecord", row.id, "no release event records it"))
            continue
        event, payload = found
        if (row.draft_id, row.approved_by) != (payload.get("draft_id"), payload.get("approved_by")):
            out.append(Disagreement("interactionrecord", row.id, "draft or approver differs from the release",
                                    event.id))
        elif json.loads(row.content_json) != contents.get(row.draft_id):
            out.append(Disagreement("interactionrecord", row.id,
                                    "content is not the content of the draft version the trail released", event.id))
    out += [Disagreement("interactionrecord", rid, "released in the trail but the row is missing", e.id)
            for rid, (e, _p) in events.items()]
    return out


def _outbox(session: Session) -> list[Disagreement]:
    events = _by(session, ("release",), "outbox_id")
    out = []
    for row in session.exec(select(OutboxMessage)).all():
        found = events.pop(row.id, None)
        if found is None:
            out.append(Disagreement("outboxmessage", row.id, "no release event records it"))
        elif (row.draft_id, row.approved_by) != (found[1].get("draft_id"), found[1].get("approved_by")):
            out.append(Disagreement("outboxmessage", row.id, "draft or approver differs from the release",
                                    found[0].id))
    out += [Disagreement("outboxmessage", oid, "released in the trail but the row is missing", e.id)
            for oid, (e, _p) in events.items()]
    return out


def verify_gate_records(session: Session) -> list[Disagreement]:
    """Every draft, decision, record and outbox message that disagrees with the trail."""
    return _drafts(session) + _decisions(session) + _records(session) + _outbox(session)
