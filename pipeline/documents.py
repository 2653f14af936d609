"""The normalised form every loader produces.

A loader turns bytes into one `LoadedDocument`: plain text plus structural spans
(sections, speaker turns, quoted email history) given as character offsets into that
text. Everything downstream (chunking, extraction, grounding, citations) works on these
offsets, so a quote can always be traced back to the exact characters it came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SourceKind = Literal["kb", "transcript", "email", "note"]


class Span(BaseModel):
    """A half-open character range `[start, end)` into `LoadedDocument.text`."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0, description="Offset of the first character.")
    end: int = Field(ge=0, description="Offset one past the last character.")


class Section(BaseModel):
    """A structural block of the document: a heading's body, a paragraph run, a turn or quoted history."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0, description="Offset of the section's first character in the text.")
    end: int = Field(ge=0, description="Offset one past the section's last character.")
    heading: str | None = Field(default=None, description="Heading path, e.g. 'Fees > ATM withdrawals'.")
    role: Literal["body", "turn", "quoted", "header"] = Field(
        default="body", description="`quoted` marks older email history, kept apart from new text."
    )
    speaker: str | None = Field(default=None, description="Speaker of a transcript turn.")
    start_time: float | None = Field(default=None, description="Turn start in seconds, when known.")
    end_time: float | None = Field(default=None, description="Turn end in seconds, when known.")
    message_index: int | None = Field(default=None, description="Which message of an mbox this belongs to.")


class LoadedDocument(BaseModel):
    """One source after loading: normalised text plus structure."""

    filename: str = Field(description="Original file name as uploaded.")
    media_type: str = Field(description="Detected format, e.g. 'text/markdown', 'message/rfc822'.")
    kind: SourceKind = Field(description="What the source is to clientloop.")
    title: str = Field(description="Human title: first heading, email subject or file stem.")
    text: str = Field(description="Normalised UTF-8 text; every offset points into it.")
    sections: list[Section] = Field(default_factory=list, description="Structural blocks, in order.")
    metadata: dict[str, str] = Field(
        default_factory=dict, description="Format metadata, e.g. email From/To/Date/Subject."
    )
    occurred_at: datetime | None = Field(default=None, description="When the interaction happened, if known.")
