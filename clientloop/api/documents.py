"""Knowledge and client documents: upload, look up."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from clientloop.api.auth import AnyUser, Uploader
from clientloop.api.deps import ContainerDep, SessionDep
from clientloop.api.errors import responses
from clientloop.ingest import IngestResult, ingest_bytes
from pipeline.errors import DocumentTooLarge
from records.errors import NotFound, UnknownClient
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


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """Read an upload, refusing it as soon as it passes the limit."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise DocumentTooLarge(
            f"upload is over the {limit:,}-byte limit (CLIENTLOOP_MAX_UPLOAD_BYTES)",
            filename=upload.filename or "upload",
        )
    return data


def ensure_in_book(container: ContainerDep, user: User, client: str) -> None:
    """Refuse (as not found) a client outside an RM's book; other roles see every client."""
    from sqlmodel import Session, select

    from records.tables import Client

    with Session(container.engine) as session:
        row = session.get(Client, client) or session.exec(select(Client).where(Client.name == client)).first()
        if row is not None and user.role == "rm" and row.relationship_owner != user.name:
            raise UnknownClient(f"unknown client {client!r}")


def to_public(row: Source) -> DocumentPublic:
    """The public view of a source row."""
    return DocumentPublic(
        id=row.id, filename=row.filename, kind=row.kind, title=row.title, client_id=row.client_id,
        content_hash=row.content_hash, size_bytes=row.size_bytes, status=row.status, error=row.error,
        chunk_count=row.chunk_count, version=row.version, metadata=json.loads(row.meta_json or "{}"),
        occurred_at=row.occurred_at, created_at=row.created_at, updated_at=row.updated_at,
    )


@router.post("", status_code=201, responses=responses(401, 403, 404, 413, 415, 422, 503))
async def upload_document(
    container: ContainerDep,
    user: Uploader,
    file: Annotated[UploadFile, File(description="The document: md, txt, html, pdf, docx, eml, mbox, vtt, srt, json.")],
    kind: Annotated[Literal["kb", "transcript", "email"] | None, Form()] = None,
    client: Annotated[str | None, Form(description="Client id or exact name.")] = None,
) -> IngestOutcome:
    """Store, chunk, embed and index one document."""
    if client is not None and user.role == "rm":
        await run_in_threadpool(ensure_in_book, container, user, client)
    data = await read_limited(file, container.settings.max_upload_bytes)
    result: IngestResult = await run_in_threadpool(
        ingest_bytes, container, data, file.filename or "upload", kind=kind, client=client
    )
    return IngestOutcome(**result.__dict__)


@router.get("/{document_id}", responses=responses(401, 404))
def get_document(document_id: str, session: SessionDep, user: AnyUser) -> DocumentPublic:
    """A stored document's record."""
    from review.queue import can_see_client

    row = session.get(Source, document_id)
    if row is None or (row.client_id is not None and not can_see_client(session, user, row.client_id)):
        raise NotFound(f"no document with id {document_id!r}")
    return to_public(row)
