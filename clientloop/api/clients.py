"""Client records, briefs, the weekly review and closing actions, over HTTP.

Visibility is the one access rule (`records.access`): an RM sees only their own book,
and a client (or action) outside it answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from clientloop.api.auth import AdminUser, ClientInBook, ClientsUser
from clientloop.api.errors import responses
from clientloop.deps import ContainerDep, DatabaseDep, SessionDep
from clients.brief import ClientBrief
from clients.models import ClientProfile
from clients.weekly import WeeklyReview
from records.access import book_filter
from records.tables import Client, User

AsOf = Annotated[date | None, Query(ge=date(1990, 1, 1), le=date(2200, 12, 31),
                                     description="Today for the report (YYYY-MM-DD); default the current date.")]
"""A reporting date within the years a bank's records can hold (date arithmetic past year 9999 fails)."""

router = APIRouter(tags=["clients"])


class ClientListItem(BaseModel):
    """One client in a list."""

    id: str
    name: str
    external_id: str | None = None
    segment: str | None = None
    relationship_owner: str | None = None


class ClientPage(BaseModel):
    """A page of clients."""

    items: list[ClientListItem]
    total: int
    offset: int
    limit: int


class CloseRequest(BaseModel):
    """Close (or reopen) an action."""

    reason: str = Field(min_length=1, max_length=2000, description="Why it is closed or reopened.")
    status: Literal["done", "cancelled", "open"] = Field(default="done", description="`open` reopens.")


class ActionChange(BaseModel):
    """The recorded status change."""

    action_id: str
    action_kind: str
    from_status: str
    to_status: str
    reason: str
    actor: str
    audit_seq: int


@router.get("/v1/clients", responses=responses(401, 403))
async def list_clients(db: DatabaseDep, user: ClientsUser, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50,
                       q: Annotated[str | None, Query(max_length=200, description="Name contains.")] = None,
                       ) -> ClientPage:
    """List the clients you may see, by name."""
    return await db.run(_client_page, user=user, offset=offset, limit=limit, q=q)


def _client_page(session: Session, /, *, user: User, offset: int, limit: int, q: str | None) -> ClientPage:
    query = select(Client, ClientProfile.external_id).join(
        ClientProfile, col(ClientProfile.client_id) == col(Client.id), isouter=True)
    in_book = book_filter(user, Client.id)
    query = query.where(in_book)
    count = select(func.count()).select_from(Client).where(in_book)
    if q:
        query = query.where(col(Client.name).contains(q))
        count = count.where(col(Client.name).contains(q))
    rows = session.exec(query.order_by(col(Client.name)).offset(offset).limit(limit)).all()
    items = [ClientListItem(id=c.id, name=c.name, external_id=ext, segment=c.segment,
                            relationship_owner=c.relationship_owner) for c, ext in rows]
    return ClientPage(items=items, total=session.exec(count).one(), offset=offset, limit=limit)


@router.get("/v1/clients/{client_id}/brief", responses=responses(401, 403, 404, 502))
def client_brief(client: ClientInBook, session: SessionDep, container: ContainerDep, user: ClientsUser,
                 as_of: AsOf = None, narrative: bool = False) -> ClientBrief:
    """The two-minute brief (stored as a snapshot); `narrative=true` adds a cited narrative with the LLM engine."""
    from clients.brief import generate_brief

    model = container.chat_model if narrative and container.settings.engine == "llm" else None
    return generate_brief(session=session, client_ref=client.id, as_of=as_of, user=user, model=model,
                          settings=container.settings)


@router.get("/v1/weekly", responses=responses(401, 403))
async def weekly(db: DatabaseDep, user: ClientsUser, owner: str | None = None, as_of: AsOf = None,
                 period_days: Annotated[int, Query(ge=1, le=365)] = 30) -> WeeklyReview:
    """The weekly review of a book (an RM always gets their own)."""
    from clients.weekly import weekly_review

    return await db.run(lambda session: weekly_review(session=session, owner=owner, user=user, as_of=as_of,
                                                      period_days=period_days))


@router.post("/v1/actions/{action_id}/close", responses=responses(401, 403, 404, 422))
def close_action(action_id: str, body: CloseRequest, session: SessionDep, user: ClientsUser) -> ActionChange:
    """Close an action as done or cancelled, or reopen it (`status=open`); recorded in the audit trail."""
    from clients.actions import set_status

    change = set_status(session=session, action_id=action_id, to_status=body.status, reason=body.reason,
                        actor=user.name, user=user)
    return ActionChange(action_id=change.action_id, action_kind=change.action_kind, from_status=change.from_status,
                        to_status=change.to_status, reason=change.reason, actor=change.actor,
                        audit_seq=change.audit_seq)


@router.get("/v1/drafts/{draft_id}/note-quality", responses=responses(401, 403, 404))
async def draft_note_quality(draft_id: str, db: DatabaseDep, user: ClientsUser) -> dict[str, Any]:
    """Note-quality findings on a draft: a vague note, actions without owner or date."""
    return await db.run(_note_quality, draft_id, user)


def _note_quality(session: Session, /, draft_id: str, user: User) -> dict[str, Any]:
    import json

    from clients.note_quality import assess_draft
    from records.access import can_read_draft, client_of
    from records.errors import NotFound
    from records.ids import utcnow
    from records.tables import Draft, Source

    draft = session.get(Draft, draft_id)
    if draft is None or not can_read_draft(user, client_of(session, draft.client_id)):
        raise NotFound(f"no draft {draft_id!r}")
    source = session.get(Source, draft.source_id)
    return assess_draft(json.loads(draft.content_json), source.text if source else None, as_of=utcnow().date())


@router.post("/v1/clients/import", responses=responses(401, 403, 413, 422))
def import_clients(session: SessionDep, container: ContainerDep, user: AdminUser,
                   files: Annotated[list[UploadFile], File(description="CSV or JSON exports.")],
                   mapping: Annotated[str, Form(description="The mapping file's YAML text.")]) -> list[dict[str, Any]]:
    """Import CRM exports with a column mapping; bad rows are reported with their line and reason."""
    from pathlib import Path

    from clients.importer import import_bytes
    from clients.mapping import ENTITY_ORDER, parse_mapping
    from pipeline.errors import DocumentTooLarge

    parsed = parse_mapping(mapping, name="mapping")
    limit = container.settings.max_upload_bytes
    payloads = []
    for upload in files:
        data = upload.file.read(limit + 1)
        if len(data) > limit:
            raise DocumentTooLarge(f"{upload.filename} is over the {limit}-byte limit")
        name = Path(upload.filename or "upload.csv").name
        payloads.append((ENTITY_ORDER.index(parsed.for_file(Path(name)).entity), name, data))
    reports = [import_bytes(session, data, name, parsed) for _, name, data in sorted(payloads, key=lambda p: p[0])]
    return [r.as_dict() for r in reports]
