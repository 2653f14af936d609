"""Knowledge and client documents: upload, look up."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlmodel import Session

from clientloop.api.auth import AnyUser
from clientloop.api.errors import responses
from clientloop.container import Container
from clientloop.deps import ContainerDep, DatabaseDep, read_limited
from clientloop.ingest import IngestResult, ingest_bytes
from records.access import has_permission, require_readable_client
from records.errors import NotFound
from records.tables import Source, User

router = APIRouter(prefix="/v1/documents", tags=["documents"])


class DocumentPublic(BaseModel):
    """A stored source document."""

    id: str
    filename: str
    kind: str
    title: str | None
    client_id: str | None
    content_hash: str
    size_bytes: int
    status: str = Field(description="received, ready or rejected.")
    error: str | None = Field(description="Why the document was rejected, if it was.")
    chunk_count: int
    version: int = Field(description="Increments each time changed content replaced the source.")
    metadata: dict[str, str]
    occurred_at: datetime | None
    created_at: datetime
    updated_at: datetime


class IngestOutcome(BaseModel):
    """The result for one uploaded file."""

    filename: str
    source_id: str
    outcome: Literal["created", "replaced", "unchanged"]
    chunks: int
    kind: str
    title: str


def to_public(row: Source) -> DocumentPublic:
    """The public view of a source row."""
    return DocumentPublic(
        id=row.id, filename=row.filename, kind=row.kind, title=row.title, client_id=row.client_id,
        content_hash=row.content_hash, size_bytes=row.size_bytes, status=row.status, error=row.error,
        chunk_count=row.chunk_count, version=row.version, metadata=json.loads(row.meta_json or "{}"),
        occurred_at=row.occurred_at, created_at=row.created_at, updated_at=row.updated_at,
    )


class KBChangeView(BaseModel):
    """A version of a knowledge-base document, proposed or decided."""

    id: str
    filename: str
    source_id: str | None
    version: int
    status: Literal["pending", "approved", "rejected", "superseded"]
    proposed_by: str
    decided_by: str | None
    reason: str | None
    content_hash: str
    created_at: datetime
    decided_at: datetime | None
    text: str | None = Field(default=None, description="The version's text (on reads of one change).")


def change_view(change: Any, text: str | None = None) -> KBChangeView:
    """The public view of a knowledge change."""
    return KBChangeView(**{k: getattr(change, k) for k in KBChangeView.model_fields if k != "text"}, text=text)


@router.post("", status_code=201, responses={**responses(401, 403, 404, 413, 415, 422, 503), 202: {
    "model": KBChangeView, "description": "A knowledge-base change, held for a second person's approval."}})
async def upload_document(
    container: ContainerDep,
    user: AnyUser,
    response: Response,
    file: Annotated[UploadFile, File(description="The document: md, txt, html, pdf, docx, eml, mbox, vtt, srt, json.")],
    kind: Annotated[Literal["kb", "transcript", "email"] | None, Form()] = None,
    client: Annotated[str | None, Form(description="Client id, CRM external id or exact name.")] = None,
) -> IngestOutcome | KBChangeView:
    """Store, chunk, embed and index one document; a knowledge-base change waits for a second person (202).

    A document with a client is that client's document (`upload` permission). One asked
    for as `kind=kb`, or sent with neither kind nor client, is knowledge served to all
    staff: only the knowledge team and admins may send it, and by default it becomes
    searchable when another of them approves it (`/v1/kb/changes`).
    """
    data = await read_limited(file, container.settings.max_upload_bytes)
    if (kind == "kb" or (kind is None and client is None)) and has_permission(user, "write_kb"):
        from clientloop.kb_changes import propose

        proposal = await run_in_threadpool(propose, container, data, file.filename or "upload", user)
        if proposal.ingested is None:
            response.status_code = 202
            return change_view(proposal.change)
        return IngestOutcome(**proposal.ingested.__dict__)
    result: IngestResult = await run_in_threadpool(
        lambda: ingest_bytes(container, data, file.filename or "upload", kind=kind, client=client, user=user)
    )
    return IngestOutcome(**result.__dict__)


@router.get("/{document_id}/versions", responses=responses(401, 404))
async def document_versions(document_id: str, db: DatabaseDep, container: ContainerDep,
                            user: AnyUser) -> list[KBChangeView]:
    """Every version of a knowledge document people changed, newest first, each with its text."""
    return await db.run(_document_versions, document_id, container)


def _document_versions(session: Session, /, document_id: str, container: Container) -> list[KBChangeView]:
    from clientloop.kb_changes import change_text, changes

    row = session.get(Source, document_id)
    if row is None or row.client_id is not None:
        raise NotFound(f"no knowledge document with id {document_id!r}")
    return [change_view(c, change_text(container, c)) for c in changes(session, filename=row.filename)
            if c.status in ("approved", "superseded")]


@router.get("/{document_id}", responses=responses(401, 404))
async def get_document(document_id: str, db: DatabaseDep, user: AnyUser) -> DocumentPublic:
    """A stored document's record (404 for a client's document outside your book)."""
    return await db.run(_document, document_id, user)


def _document(session: Session, /, document_id: str, user: User) -> DocumentPublic:
    row = session.get(Source, document_id)
    if row is None:
        raise NotFound(f"no document with id {document_id!r}")
    if row.client_id is not None:
        require_readable_client(session, user, row.client_id, f"no document with id {document_id!r}")
    return to_public(row)
