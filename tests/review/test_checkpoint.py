"""Anchors outside the database: event MACs and signed checkpoints catch what the chain cannot."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from records.ids import canonical_json, sha256_tag, utcnow
from review.audit import append_event, event_hash, verify_chain
from review.checkpoint import (
    checkpoint_due,
    load_or_create_key,
    mac_ok,
    read_checkpoints,
    verify_anchors,
    write_checkpoint,
)
from review.errors import AuditKeyError
from review.models import AuditEvent


def _append(container, n: int) -> None:
    with Session(container.engine) as s:
        for i in range(n):
            append_event(s, event_type="claim", actor=f"user{i}", payload={"i": i})
        s.commit()


def _tamper(container, sql: str, **params) -> None:
    pg = container.engine.dialect.name == "postgresql"
    with container.engine.begin() as conn:
        if pg:
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only"))
        conn.execute(text(sql), params)
        if pg:
            conn.execute(text("ALTER TABLE auditevent ENABLE TRIGGER auditevent_append_only"))


def _key(container) -> bytes:
    return load_or_create_key(container.settings.resolved_audit_key_file)


def _anchors(container):
    with Session(container.engine) as s:
        return verify_anchors(s, key=_key(container), path=container.settings.resolved_audit_checkpoint_file)


def _checkpoint(container):
    with Session(container.engine) as s:
        return write_checkpoint(s, key=_key(container), path=container.settings.resolved_audit_checkpoint_file)


def _forge_append(container, mac: str | None) -> None:
    """Append a well-chained event the way someone with database access but no key could."""
    with Session(container.engine) as s:
        head = s.get(AuditEvent, 3)
        prev, when = head.hash, head.occurred_at
    payload = canonical_json({"approved": True})
    digest = sha256_tag(payload)
    h = event_hash(seq=4, event_id="01FORGED", event_type="decision", actor="mallory", occurred_at=when,
                   payload_digest=digest, prev_hash=prev)
    _tamper(container, "INSERT INTO auditevent (id, event_id, event_type, actor, occurred_at, payload_json, "
            "payload_digest, prev_hash, hash, mac) VALUES (4, '01FORGED', 'decision', 'mallory', :w, :p, :d, "
            ":prev, :h, :m)", w=when, p=payload, d=digest, prev=prev, h=h, m=mac)


def test_events_appended_through_the_app_engine_carry_a_mac_the_key_verifies(container) -> None:
    _append(container, 3)
    key = _key(container)
    with Session(container.engine) as s:
        rows = [s.get(AuditEvent, i) for i in (1, 2, 3)]
    assert all(r.mac and mac_ok(key, r.hash, r.mac) for r in rows)
    result = _anchors(container)
    assert result.ok and result.checked_events == 3 and result.unsigned_before_signing == 0


def test_key_file_is_created_private_and_a_bad_key_is_refused(tmp_path) -> None:
    path = tmp_path / "k" / "audit.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and load_or_create_key(path) == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    path.write_text("not hex\n")
    with pytest.raises(AuditKeyError, match="restore it"):
        load_or_create_key(path)


@pytest.mark.parametrize("mac", [None, "hmac-sha256:" + "ab" * 32])
def test_forged_append_passes_the_chain_but_not_the_anchors(container, mac) -> None:
    _append(container, 3)
    _forge_append(container, mac)
    with Session(container.engine) as s:
        assert verify_chain(s).ok  # a well-chained forgery: the hash chain alone cannot tell
    result = _anchors(container)
    assert not result.ok
    assert any("event 4" in p and "forged" in p for p in result.problems)


def test_tail_cut_below_a_checkpoint_is_caught(container) -> None:
    _append(container, 5)
    assert _checkpoint(container).seq == 5
    _tamper(container, "DELETE FROM auditevent WHERE id > 3")
    with Session(container.engine) as s:
        assert verify_chain(s).ok  # three intact events: a short history looks valid
    result = _anchors(container)
    assert not result.ok and any("2 event(s) cut from the tail" in p for p in result.problems)


def test_rewritten_chain_is_caught_by_an_earlier_checkpoint(container) -> None:
    _append(container, 3)
    _checkpoint(container)
    _tamper(container, "DELETE FROM auditevent")
    _append(container, 3)  # a fresh, valid, signed chain of the same length
    result = _anchors(container)
    assert not result.ok and any("chain rewritten" in p for p in result.problems)


def test_an_altered_checkpoint_line_is_caught(container) -> None:
    _append(container, 2)
    _checkpoint(container)
    path = container.settings.resolved_audit_checkpoint_file
    line = json.loads(path.read_text())
    line["seq"] = 1
    path.write_text(json.dumps(line) + "\n")
    result = _anchors(container)
    assert not result.ok and any("not signed by the audit key" in p for p in result.problems)


def test_checkpoints_are_appended_and_due_by_count_or_time(container) -> None:
    path = container.settings.resolved_audit_checkpoint_file
    with Session(container.engine) as s:
        assert not checkpoint_due(s, path=path, every=3, seconds=60)  # empty chain
    _append(container, 2)
    with Session(container.engine) as s:
        assert checkpoint_due(s, path=path, every=3, seconds=60)  # never checkpointed
    _checkpoint(container)
    _append(container, 2)
    with Session(container.engine) as s:
        assert not checkpoint_due(s, path=path, every=3, seconds=60)
        assert checkpoint_due(s, path=path, every=3, seconds=60, now=utcnow() + timedelta(seconds=61))
    _append(container, 1)
    with Session(container.engine) as s:
        assert checkpoint_due(s, path=path, every=3, seconds=60)
    _checkpoint(container)
    assert [c.seq for c in read_checkpoints(path)] == [2, 5]
    assert _anchors(container).ok
