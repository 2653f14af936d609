"""Action and alert statuses re-derived from the audit trail (part of `audit verify --deep`).

Every close and reopen appends an `action_close` / `action_reopen` event and an
`ActionStatusChange` row that names the event's sequence number. The row must match its
event, every event must have its row, and each action's current status must be the
status its last event left it in (`open` when it has none: actions are released open;
alerts the advisory engine marked `resolved` are derived, not decided, and are skipped).
"""

from __future__ import annotations

from sqlmodel import Session, select

from clients.models import ActionStatusChange, Alert
from review.audit_deep import Disagreement, trail
from review.models import RecordAction

_TYPES = ("action_close", "action_reopen")


def _change_rows(session: Session, events: dict[int, dict[str, object]]) -> list[Disagreement]:
    out = []
    rows = {row.audit_seq: row for row in session.exec(select(ActionStatusChange)).all()}
    for seq, row in rows.items():
        payload = events.get(seq)
        if payload is None:
            out.append(Disagreement("actionstatuschange", row.id, f"names audit event {seq}, which is not a "
                                    "status change in the trail"))
        elif (row.action_id, row.from_status, row.to_status) != (payload["action_id"], payload["from"],
                                                                 payload["to"]):
            out.append(Disagreement("actionstatuschange", row.id, "action or statuses differ from the trail", seq))
    out += [Disagreement("actionstatuschange", str(payload["action_id"]),
                         "status change in the trail has no row", seq)
            for seq, payload in events.items() if seq not in rows]
    return out


def verify_action_statuses(session: Session) -> list[Disagreement]:
    """Status-change rows and current action/alert statuses that disagree with the trail."""
    events: dict[int, dict[str, object]] = {}
    last_status: dict[str, str] = {}
    for event, payload in trail(session, _TYPES):
        events[event.id] = payload
        last_status[str(payload["action_id"])] = str(payload["to"])
    out = _change_rows(session, events)
    for table, rows in (("recordaction", session.exec(select(RecordAction)).all()),
                        ("alert", session.exec(select(Alert)).all())):
        for row in rows:
            want = last_status.get(row.id, "open")
            # The advisory engine resolves an alert whose condition cleared; that is derived
            # from the client record, not a person's act, and is not in the trail.
            if table == "alert" and row.status == "resolved":
                continue
            if row.status != want:
                out.append(Disagreement(table, row.id, f"status is {row.status!r}; the trail says {want!r}"))
    return out
