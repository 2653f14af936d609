"""The tables several packages share (SQLModel): clients, sources, chunks, jobs, drafts, users.

Each package keeps its own tables beside its code (`review.models`, `clients.models`);
the migrations import them all so Alembic sees one metadata. Server-owned fields
(status, version, hashes, timestamps) are set by the services, never taken from a
request body. JSON payloads are stored as text holding canonical JSON so the same code
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from records.columns import ts_field
from records.ids import new_id

_ts = ts_field


class Client(SQLModel, table=True):
    """A client relationship: a person or a business."""

    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(index=True, unique=True)
    segment: str | None = None
    relationship_owner: str | None = Field(default=None, index=True)
    created_at: datetime = _ts()


class Source(SQLModel, table=True):
    """An accepted upload: stored first (raw bytes on disk, this row), then processed."""

    id: str = Field(default_factory=new_id, primary_key=True)
    key: str = Field(index=True, unique=True)
    filename: str
    kind: str = Field(index=True)
    media_type: str | None = None
    title: str | None = None
    client_id: str | None = Field(default=None, foreign_key="client.id", index=True)
    content_hash: str = Field(index=True)
    size_bytes: int
    stored_path: str
    status: str = Field(default="received", index=True)
    error: str | None = None
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    meta_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    occurred_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    version: int = 1
    chunk_count: int = 0
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Chunk(SQLModel, table=True):
    """A piece of a source's text, as embedded in the vector store."""

    __table_args__ = (UniqueConstraint("source_id", "ordinal"),)

    id: str = Field(primary_key=True)
    source_id: str = Field(foreign_key="source.id", index=True)
    ordinal: int
    start: int
    end: int
    heading: str | None = None
    speaker: str | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))


class Job(SQLModel, table=True):
    """A unit of background work (drafting an interaction), leased by one worker at a time."""

    id: str = Field(default_factory=new_id, primary_key=True)
    kind: str = Field(default="draft", index=True)
    status: str = Field(default="queued", index=True)
    source_id: str = Field(foreign_key="source.id", index=True)
    client_id: str | None = Field(default=None, foreign_key="client.id", index=True)
    requested_by: str | None = None
    payload_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    attempts: int = 0
    lease_owner: str | None = None
    lease_expires_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    error: str | None = None
    draft_id: str | None = None
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Draft(SQLModel, table=True):
    """An immutable draft version. Edits add a row with `version + 1` and `parent_id`."""

    __table_args__ = (
        UniqueConstraint("job_id"),
        UniqueConstraint("lineage_id", "version"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    lineage_id: str = Field(index=True)
    version: int = 1
    parent_id: str | None = Field(default=None, foreign_key="draft.id")
    job_id: str | None = Field(default=None, foreign_key="job.id")
    kind: str = Field(default="interaction_summary")
    source_id: str = Field(foreign_key="source.id", index=True)
    client_id: str | None = Field(default=None, foreign_key="client.id", index=True)
    author: str | None = Field(default=None, index=True)
    engine: str
    model: str | None = None
    prompt_version: str | None = None
    fallback: bool = False
    content_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts()


class User(SQLModel, table=True):
    """A person (or service account) allowed to call clientloop, with one role."""

    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(index=True, unique=True)
    role: str = Field(index=True)
    full_name: str | None = None
    """The person's full name as a client reads it ("Priya Shah"); None: the user name stands in."""
    title: str | None = None
    """Their job title, under the signature of a client letter ("Relationship Manager")."""
    key_hash: str = Field(index=True, unique=True)
    """`sha256:<hex>` of the API key; the key itself is shown once and never stored."""
    active: bool = True
    """False once revoked: the key and every web session of the user stop working."""
    key_expires_at: datetime | None = _ts(nullable=True)
    """When the current key stops working (None: never)."""
    revoked_at: datetime | None = _ts(nullable=True)
    rotated_at: datetime | None = _ts(nullable=True)
    """When the current key replaced the previous one (None: the first key)."""
    created_at: datetime = _ts()
