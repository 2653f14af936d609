"""Drafts by id, and every version of a draft re-created from the audit trail."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from clientloop.api.auth import ReviewUser
from clientloop.api.errors import responses
from clientloop.deps import DatabaseDep
from records.errors import NotFound
from records.tables import Draft, User

router = APIRouter(prefix="/v1/drafts", tags=["review"])


class DraftPublic(BaseModel):
    """One immutable draft version and the review item it belongs to."""

    id: str
    lineage_id: str
    version: int
    parent_id: str | None
    kind: str
    source_id: str
    client_id: str | None
    author: str | None
    engine: str
    fallback: bool
    created_at: datetime
    review_id: str
    review_status: str
    content: dict[str, Any]


class DraftVersion(BaseModel):
    """A version as the audit trail records it."""

    version: int
    draft_id: str
    parent_id: str | None
    kind: str
    actor: str = Field(description="Who made this version: an engine or a person.")
    occurred_at: str
    seq: int = Field(description="The audit event it was re-created from.")
    content: dict[str, Any]


def _visible_draft(session: Any, draft_id: str, user: Any) -> tuple[Draft, Any]:
    from review.queue import get_item

    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id!r}")
    item = get_item(session=session, review_id=draft_id, user=user)  # NotFound when not in the user's book
    return draft, item


@router.get("/{draft_id}", responses=responses(401, 403, 404))
async def get_draft(draft_id: str, db: DatabaseDep, user: ReviewUser, response: Response) -> DraftPublic:
    """One draft version (404 when it is not in your book)."""
    draft, review_version = await db.run(_draft_public, draft_id, user)
    response.headers["ETag"] = f'"{review_version}"'
    return draft


def _draft_public(session: Session, /, draft_id: str, user: User) -> tuple[DraftPublic, int]:
    draft, item = _visible_draft(session, draft_id, user)
    return DraftPublic(
        id=draft.id, lineage_id=draft.lineage_id, version=draft.version, parent_id=draft.parent_id, kind=draft.kind,
        source_id=draft.source_id, client_id=draft.client_id, author=draft.author, engine=draft.engine,
        fallback=draft.fallback, created_at=draft.created_at, review_id=item.id, review_status=item.status,
        content=json.loads(draft.content_json),
    ), item.version


@router.get("/{draft_id}/versions", responses=responses(401, 403, 404))
async def draft_versions(draft_id: str, db: DatabaseDep, user: ReviewUser) -> list[DraftVersion]:
    """The original and every interim version of the draft's lineage, re-created from the audit trail."""
    return await db.run(_draft_versions, draft_id, user)


def _draft_versions(session: Session, /, draft_id: str, user: User) -> list[DraftVersion]:
    from review.audit import reconstruct_versions

    draft, _item = _visible_draft(session, draft_id, user)
    return [DraftVersion(**v) for v in reconstruct_versions(session, draft.lineage_id)]
