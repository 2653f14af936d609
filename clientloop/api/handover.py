"""Relationship handover over HTTP: the one-read handover, and the change of owner with its approval."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from clientloop.api.auth import ClientInBook, ClientsUser, ReassignUser
from clientloop.api.clients import AsOf
from clientloop.api.errors import responses
from clientloop.deps import SessionDep
from clients.handover import Handover, HandoverChange, latest_change, relationship_handover

router = APIRouter(tags=["clients"])


class HandoverProposal(BaseModel):
    """A proposed new relationship owner."""

    to: str = Field(min_length=1, max_length=200, description="The user name of the RM who takes the client over.")
    reason: str = Field(default="", max_length=2000, description="Why the client moves.")


class HandoverDecision(BaseModel):
    """An admin's note on approving or rejecting a change of owner."""

    reason: str = Field(default="", max_length=2000)


@router.get("/v1/clients/{client_id}/handover", responses=responses(401, 403, 404))
def client_handover(client: ClientInBook, session: SessionDep, user: ClientsUser, as_of: AsOf = None) -> Handover:
    """The relationship in one read for a new owner, every line linked to its source."""
    return relationship_handover(session=session, client_ref=client.id, user=user, as_of=as_of)


@router.post("/v1/clients/{client_id}/handover", status_code=201, responses=responses(401, 403, 404, 422))
def propose(client: ClientInBook, body: HandoverProposal, session: SessionDep, user: ClientsUser) -> HandoverChange:
    """Propose a new relationship owner; nothing moves until an admin approves."""
    from clients.handover_change import propose_handover

    propose_handover(session=session, client_ref=client.id, to_owner=body.to, user=user, reason=body.reason)
    change = latest_change(session, client.id)
    assert change is not None
    return change


@router.post("/v1/handovers/{handover_id}/{decision}", responses=responses(401, 403, 404, 422))
def decide(handover_id: str, decision: Literal["approve", "reject"], body: HandoverDecision, session: SessionDep,
           user: ReassignUser) -> HandoverChange:
    """Approve (the client and the old owner's open actions move) or reject a change of owner."""
    from clients.handover_change import decide_handover

    row = decide_handover(session=session, handover_id=handover_id, decision=decision, user=user,
                          reason=body.reason)
    change = latest_change(session, row.client_id)
    assert change is not None
    return change
