"""The relationship handover: one read for a new owner, and the change of owner with its approval."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from clients.brief import resolve_link
from clients.errors import HandoverSelfApproval, InvalidHandover
from clients.handover import relationship_handover
from clients.handover_change import decide_handover, propose_handover
from records.errors import Forbidden, UnknownClient
from records.session import session_scope
from records.tables import Client
from review.audit import verify_chain
from review.models import AuditEvent, RecordAction
from tests.factories import load_book, user_named

TODAY = date(2026, 11, 23)
CLIENT = "CRM-1001"


@pytest.fixture
def demo(container):
    return load_book(container, ("priya", "rm"), ("tom", "rm"), ("ada", "admin"), ("zed", "admin"))


def test_every_handover_line_links_to_a_real_record(demo):
    with session_scope(demo.engine) as session:
        handover = relationship_handover(session=session, client_ref=CLIENT, as_of=TODAY)
        keys = [s.key for s in handover.sections]
        assert keys == [
            "relationship",
            "decisions",
            "our_promises",
            "client_promises",
            "preferences",
            "restrictions",
            "cases",
            "contacts",
            "next_steps",
        ]
        lines = [line for s in handover.sections for line in s.lines]
        assert len(lines) >= 5
        assert all(resolve_link(session, line.source) is None for line in lines)
        assert handover.owner == "priya" and handover.change is None


def test_an_rm_reads_only_their_own_books_handover(demo):
    with session_scope(demo.engine) as session, pytest.raises(UnknownClient):
        relationship_handover(session=session, client_ref=CLIENT, user=user_named(demo, "tom"), as_of=TODAY)


def test_proposal_moves_nothing_until_another_admin_approves_then_client_and_actions_move(demo):
    priya, ada, zed = user_named(demo, "priya"), user_named(demo, "ada"), user_named(demo, "zed")
    with session_scope(demo.engine) as session:
        client_id = session.exec(select(Client.id).where(Client.name == "Esme Achterberg")).one()
        # Give priya an open action of this client under her user name, so the move is visible.
        action = session.exec(
            select(RecordAction).where(RecordAction.client_id == client_id, RecordAction.status == "open")
        ).first()
        assert action is not None
        action.owner = "priya"
        session.add(action)
        row = propose_handover(session=session, client_ref=CLIENT, to_owner="tom", user=priya, reason="priya leaves")
    with Session(demo.engine) as session:
        assert session.get(Client, client_id).relationship_owner == "priya"  # nothing moved yet
    with session_scope(demo.engine) as session, pytest.raises(Forbidden):
        decide_handover(session=session, handover_id=row.id, decision="approve", user=priya)
    with session_scope(demo.engine) as session:
        handover = relationship_handover(session=session, client_ref=CLIENT, as_of=TODAY)
        assert handover.change.status == "pending" and action.id in handover.change.actions_to_move
    with session_scope(demo.engine) as session:
        decide_handover(session=session, handover_id=row.id, decision="approve", user=ada)
    with Session(demo.engine) as session:
        assert session.get(Client, client_id).relationship_owner == "tom"
        assert session.get(RecordAction, action.id).owner == "tom"
        events = [e.event_type for e in session.exec(select(AuditEvent)).all()]
        assert "handover_propose" in events and "handover_approve" in events
        assert verify_chain(session).ok
    with session_scope(demo.engine) as session, pytest.raises(InvalidHandover, match="approved already"):
        decide_handover(session=session, handover_id=row.id, decision="reject", user=zed)


def test_the_proposer_cannot_approve_and_a_non_rm_cannot_take_over(demo):
    ada, zed = user_named(demo, "ada"), user_named(demo, "zed")
    with session_scope(demo.engine) as session, pytest.raises(InvalidHandover, match="not an active relationship"):
        propose_handover(session=session, client_ref=CLIENT, to_owner="zed", user=ada)
    with session_scope(demo.engine) as session:
        row = propose_handover(session=session, client_ref=CLIENT, to_owner="tom", user=ada)
    with session_scope(demo.engine) as session, pytest.raises(HandoverSelfApproval):
        decide_handover(session=session, handover_id=row.id, decision="approve", user=ada)
    with session_scope(demo.engine) as session, pytest.raises(InvalidHandover, match="already waiting"):
        propose_handover(session=session, client_ref=CLIENT, to_owner="tom", user=zed)
    with session_scope(demo.engine) as session:
        decide_handover(session=session, handover_id=row.id, decision="reject", user=zed, reason="not now")
    with Session(demo.engine) as session:
        assert session.exec(select(Client).where(Client.name == "Esme Achterberg")).one().relationship_owner == "priya"
