"""The brief as data: sections of lines, each line linked to the record it came from.

These models are the brief's contract with its readers (the API, the web page, the MCP
server) and, for `BriefNarrative`, with the model that writes the optional narrative.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

LinkKind = Literal["client", "account", "case", "record", "action", "document", "watch", "onboarding"]


class SourceLink(BaseModel):
    """Where a line of the brief came from."""

    kind: LinkKind = Field(description="The kind of record the line comes from.")
    id: str = Field(description="The record's id.")
    source_id: str | None = Field(default=None, description="For interactions: the source holding the text.")
    span: tuple[int, int] | None = Field(default=None, description="Character offsets of `quote` in the source.")
    quote: str | None = Field(default=None, description="The exact source text at `span`.")


class BriefLine(BaseModel):
    """One line of the brief."""

    id: str = Field(description="Line id within this brief (`L1`, `L2`, ...), cited by the narrative.")
    text: str
    label: str | None = Field(default=None, description="For snapshot fields: the field's name.")
    source: SourceLink
    rule: str | None = Field(default=None, description="For suggested actions: the rule that fired.")
    reason: str | None = Field(default=None, description="For suggested actions: why it is suggested.")


class BriefSection(BaseModel):
    """One of the six sections."""

    key: str
    title: str
    lines: list[BriefLine] = Field(default_factory=list)
    empty: str | None = Field(default=None, description="Why the section has no lines.")


class NarrativeSentence(BaseModel):
    """One sentence of the pre-call narrative and the brief lines supporting it."""

    text: str = Field(description="One short sentence for the relationship manager.")
    cites: list[str] = Field(description="Ids of the brief lines that support the sentence, e.g. ['L2', 'L5'].")


class BriefNarrative(BaseModel):
    """A short narrative over the brief: at most five sentences, each citing brief lines."""

    sentences: list[NarrativeSentence] = Field(default_factory=list, description="The sentences, in order.")


class Changes(BaseModel):
    """What changed since a point in time (the last brief, or the last interaction)."""

    since: datetime | None = None
    label: str
    lines: list[BriefLine] = Field(default_factory=list)


class ClientBrief(BaseModel):
    """A generated brief (the content of a `Brief` snapshot)."""

    brief_id: str
    client_id: str
    client_name: str
    as_of: date
    generated_at: datetime
    generated_by: str
    sections: list[BriefSection]
    since_last_brief: Changes | None = None
    since_last_interaction: Changes | None = None
    previous_brief_id: str | None = None
    narrative: list[NarrativeSentence] = Field(default_factory=list)
    narrative_dropped: int = 0
    narrative_note: str | None = None
    engine: str = "rules"
    prompt_version: str | None = None

    def lines(self) -> list[BriefLine]:
        """Every line: the sections' and the change lists'."""
        out = [line for s in self.sections for line in s.lines]
        for changes in (self.since_last_brief, self.since_last_interaction):
            if changes:
                out += changes.lines
        return out

