"""Changes to the knowledge base: each proposed version of a document, until a second person decides."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel

from records.ids import new_id, utcnow

KBChangeStatus = Literal["pending", "approved", "rejected", "superseded"]


class KBChange(SQLModel, table=True):
    """One version of a knowledge-base document, as proposed and as decided.

    The bytes stay in the content-addressed uploads folder (`stored_path`), so every
    version, the replaced ones included, can be read again.
    """

    __table_args__ = (Index("ix_kbchange_filename_status", "filename", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    filename: str
    source_id: str | None = Field(default=None, index=True)
    """The knowledge document it creates or replaces (set for a replacement, and on approval)."""
    version: int
    content_hash: str
    stored_path: str
    size_bytes: int
    status: str = Field(default="pending", index=True)
    proposed_by: str
    decided_by: str | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
