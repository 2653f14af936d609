"""Action statuses re-derived from the trail (part of `audit verify --deep`)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from clients.action_audit import verify_action_statuses
from clients.actions import close_action
from records.session import session_scope
from review.models import RecordAction
from tests.factories import release_one


@pytest.fixture
def released(container):
    return release_one(container)


def _found(container):
    with Session(container.engine) as s:
        return verify_action_statuses(s)


def _first_action(container) -> RecordAction:
    with Session(container.engine) as s:
        return s.exec(select(RecordAction).order_by(RecordAction.ordinal)).first()


def test_closed_and_open_actions_agree_with_the_trail(released) -> None:
    container, *_ = released
    action = _first_action(container)
    with session_scope(container.engine) as s:
        close_action(session=s, action_id=action.id, reason="sent", actor="priya")
    assert _found(container) == []


def test_an_action_reopened_behind_the_trail_is_named(released) -> None:
    container, *_ = released
    action = _first_action(container)
    with session_scope(container.engine) as s:
        close_action(session=s, action_id=action.id, reason="sent", actor="priya")
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE recordaction SET status = 'open' WHERE id = :i"), {"i": action.id})
    found = _found(container)
    assert [(d.table, d.record_id) for d in found] == [("recordaction", action.id)]
    assert "the trail says 'done'" in found[0].problem


def test_an_action_closed_without_an_event_is_named(released) -> None:
    container, *_ = released
    action = _first_action(container)
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE recordaction SET status = 'cancelled' WHERE id = :i"), {"i": action.id})
    assert [(d.table, d.problem) for d in _found(container)] == [
        ("recordaction", "status is 'cancelled'; the trail says 'open'")]
