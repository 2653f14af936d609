"""`audit verify --deep`: every gate record agrees with the trail, and a changed row is named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import Session

from review.audit_deep import verify_gate_records
from tests.factories import release_one


@pytest.fixture
def released(container):
    return release_one(container)


def _found(container):
    with Session(container.engine) as s:
        return verify_gate_records(s)


def test_records_written_by_the_gate_agree_with_the_trail(released) -> None:
    container, *_ = released
    assert _found(container) == []


def test_a_changed_draft_version_is_named(released) -> None:
    container, draft, _record, _decision = released
    content = json.loads(draft.content_json)
    content["summary"]["purpose"] = "something else"
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE draft SET content_json = :c WHERE id = :i"),
                     {"c": json.dumps(content), "i": draft.id})
    found = _found(container)
    assert [(d.table, d.record_id) for d in found] == [("draft", draft.id)]
    assert "content differs from the trail" in found[0].problem


def test_a_changed_approver_is_named(released) -> None:
    container, _draft, _record, decision = released
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE decision SET actor = 'mallory' WHERE id = :i"), {"i": decision.id})
    found = _found(container)
    assert ("decision", decision.id) in [(d.table, d.record_id) for d in found]
    assert any("actor" in d.problem for d in found if d.table == "decision")


def test_a_released_record_whose_content_was_changed_is_named(released) -> None:
    container, _draft, record, _decision = released
    content = json.loads(record.content_json)
    content["actions"] = []
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE interactionrecord SET content_json = :c WHERE id = :i"),
                     {"c": json.dumps(content), "i": record.id})
    found = _found(container)
    assert [(d.table, d.record_id) for d in found] == [("interactionrecord", record.id)]
    assert "not the content of the draft version the trail released" in found[0].problem


def test_a_decision_the_trail_never_recorded_is_named(released) -> None:
    container, draft, _record, decision = released
    with container.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO decision (id, review_id, draft_id, kind, actor, actor_role, seen_version, created_at) "
            "SELECT 'forged-decision', review_id, draft_id, 'approve', 'mallory', 'reviewer', 1, created_at "
            "FROM decision WHERE id = :i"), {"i": decision.id})
    found = _found(container)
    assert [(d.table, d.record_id, d.problem) for d in found] == [
        ("decision", "forged-decision", "no decision or edit event records it")]
