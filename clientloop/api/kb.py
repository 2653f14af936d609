"""Knowledge-base changes: the queue of proposed versions, and the second person's decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from clientloop.api.auth import KnowledgeUser
from clientloop.api.documents import KBChangeView, change_view
from clientloop.api.errors import responses
from clientloop.deps import ContainerDep, SessionDep
from records.errors import NotFound

router = APIRouter(prefix="/v1/kb/changes", tags=["knowledge"])


class RejectBody(BaseModel):
    """Why a change is rejected."""

    reason: str = Field(min_length=1, max_length=4000)


@router.get("", responses=responses(401, 403))
def list_changes(session: SessionDep, _user: KnowledgeUser,
                 status: Literal["pending", "approved", "rejected", "superseded"] | None = "pending",
                 offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[KBChangeView]:
    """Knowledge changes, newest first (default: those waiting for a decision)."""
    from clientloop.kb_changes import changes

    return [change_view(c) for c in changes(session, status=status, limit=limit, offset=offset)]


@router.get("/{change_id}", responses=responses(401, 403, 404))
def show_change(change_id: str, session: SessionDep, container: ContainerDep, _user: KnowledgeUser) -> KBChangeView:
    """One change with its text, to read before deciding."""
    from clientloop.kb_changes import change_text
    from knowledge.models import KBChange

    change = session.get(KBChange, change_id)
    if change is None:
        raise NotFound(f"no knowledge change {change_id!r}")
    return change_view(change, change_text(container, change))


@router.post("/{change_id}/approve", responses=responses(401, 403, 404, 409, 422))
async def approve_change(change_id: str, container: ContainerDep, user: KnowledgeUser) -> KBChangeView:
    """Approve someone else's change: it is indexed and answers come from it from now on."""
    from clientloop.kb_changes import approve

    return change_view((await run_in_threadpool(approve, container, change_id, user)).change)


@router.post("/{change_id}/reject", responses=responses(401, 403, 404, 409, 422))
def reject_change(change_id: str, body: RejectBody, container: ContainerDep, user: KnowledgeUser) -> KBChangeView:
    """Reject a change with a reason; the approved version keeps answering."""
    from clientloop.kb_changes import reject

    return change_view(reject(container, change_id, user, body.reason))
