"""Column helpers shared by every package's tables.

Timestamps are timezone-aware columns; JSON payloads and transcripts are unbounded text
holding canonical JSON, so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field

from records.ids import utcnow


def ts_field(*, nullable: bool = False) -> Any:
    """A timezone-aware timestamp column: now by default, or a nullable one."""
    if nullable:
        return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def text_field(default: str | None = None) -> Any:
    """An unbounded text column (JSON payloads, transcripts); nullable when no default."""
    if default is None:
        return Field(default=None, sa_column=Column(Text, nullable=True))
    return Field(default=default, sa_column=Column(Text, nullable=False, default=default))
