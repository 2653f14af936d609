"""Changing a client's relationship owner: proposed by the owner (or an admin), approved by an admin.

`propose_handover` records the proposal; nothing changes yet. `decide_handover` approves or
rejects it: approval moves the client into the new RM's book and moves the open actions the
old owner holds (owned under their user name or full name) to the new owner; each step is
an audit event (`handover_propose`, `handover_approve`, `handover_reject`) in the same
transaction. The proposer never approves their own proposal, and approving needs the
`reassign_clients` permission (admins), because it changes whose book a client is in.
"""

from __future__ import annotations

import json
from typing import Literal

from sqlmodel import Session, col, select

from clients.errors import HandoverSelfApproval, InvalidHandover
from clients.lookup import readable_client
from clients.models import HandoverRequest
from records.access import require_permission
from records.errors import NotFound
from records.ids import utcnow
from records.tables import Client, User
from review.audit import append_event
from review.models import RecordAction


def actions_owned_by(session: Session, client_id: str, owner: str | None) -> list[RecordAction]:
    """The client's open actions the RM `owner` (a user name) holds, by user name or full name."""
    if not owner:
        return []
    names = {owner}
    user = session.exec(select(User).where(User.name == owner)).first()
    if user is not None and user.full_name:
        names.add(user.full_name)
    return list(session.exec(select(RecordAction).where(
        RecordAction.client_id == client_id, RecordAction.status == "open", col(RecordAction.owner).in_(names))
    ).all())


def propose_handover(*, session: Session, client_ref: str, to_owner: str, user: User | None,
                     reason: str = "") -> HandoverRequest:
    """Propose moving a client to another RM's book (the client's owner or an admin proposes).

    Raises:
        UnknownClient: no such client in the user's book.
        InvalidHandover: the new owner is not an active RM, already owns the client, or a proposal is pending.
    """
    require_permission(user, "clients")
    client = readable_client(session, client_ref, user)
    target = session.exec(select(User).where(User.name == to_owner.strip())).first()
    if target is None or not target.active or target.role != "rm":
        raise InvalidHandover(f"{to_owner!r} is not an active relationship manager")
    if client.relationship_owner == target.name:
        raise InvalidHandover(f"{target.name} already owns {client.name}")
    pending = session.exec(select(HandoverRequest).where(HandoverRequest.client_id == client.id,
                                                         HandoverRequest.status == "pending")).first()
    if pending is not None:
        raise InvalidHandover(f"a change of owner to {pending.to_owner} is already waiting for approval")
    actor = user.name if user else "operator"
    row = HandoverRequest(client_id=client.id, from_owner=client.relationship_owner, to_owner=target.name,
                          proposed_by=actor, reason=reason.strip())
    session.add(row)
    session.flush()
    append_event(session, event_type="handover_propose", actor=actor, payload={
        "handover_id": row.id, "client_id": client.id, "from_owner": row.from_owner, "to_owner": row.to_owner,
        "reason": row.reason})
    return row


def decide_handover(*, session: Session, handover_id: str, decision: Literal["approve", "reject"],
                    user: User | None, reason: str = "") -> HandoverRequest:
    """Approve (moving the client and the old owner's open actions) or reject a pending change of owner.

    Raises:
        Forbidden: the user may not reassign clients.
        HandoverSelfApproval: the user proposed it.
        NotFound: no such proposal.
        InvalidHandover: it was decided already.
    """
    require_permission(user, "reassign_clients")
    row = session.get(HandoverRequest, handover_id)
    if row is None:
        raise NotFound(f"no handover {handover_id}")
    actor = user.name if user else "operator"
    if row.status != "pending":
        raise InvalidHandover(f"handover {row.id} was {row.status} already")
    if actor == row.proposed_by:
        raise HandoverSelfApproval("whoever proposed a change of owner cannot also approve it; ask another admin")
    row.status, row.decided_by, row.decided_at = ("approved" if decision == "approve" else "rejected"), actor, utcnow()
    moved: list[str] = []
    if decision == "approve":
        moved = _move(session, row)
    row.moved_actions_json = json.dumps(moved)
    session.add(row)
    session.flush()
    append_event(session, event_type=f"handover_{decision}", actor=actor, payload={
        "handover_id": row.id, "client_id": row.client_id, "from_owner": row.from_owner, "to_owner": row.to_owner,
        "moved_actions": moved, "reason": reason.strip()})
    return row


def _move(session: Session, row: HandoverRequest) -> list[str]:
    client = session.get(Client, row.client_id)
    assert client is not None
    new_owner = session.exec(select(User).where(User.name == row.to_owner)).first()
    written = new_owner.full_name or new_owner.name if new_owner else row.to_owner
    actions = actions_owned_by(session, client.id, row.from_owner)
    for action in actions:
        action.owner, action.updated_at = written, utcnow()
        session.add(action)
    client.relationship_owner = row.to_owner
    session.add(client)
    return [a.id for a in actions]
