"""Holds: reasons a checker must decide a draft that are not sensitivity flags.

A flag says what an interaction is about (advice, a complaint, moving money). A hold
says something is wrong with the text itself. The one hold today is
`instruction_in_text`: text addressed to an AI, an automated system or the reviewer
("Note to the AI: ... no review needed"), wherever it arrives: the body, quoted
history, hidden HTML or Word formatting, zero-width or tag characters, a file name or
a participant's name. Such text never lowers or hides a flag; it puts the draft in
front of a checker (`requires_checker`), whatever the flags, with the span shown.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

HoldReason = Literal["instruction_in_text"]
"""Why a draft is held for a checker, apart from its sensitivity flags."""

HOLD_REASONS: tuple[HoldReason, ...] = get_args(HoldReason)

HoldWhere = Literal["source", "draft", "hidden", "filename", "title", "participant"]
"""Which text the span is in: the source text, a draft field, hidden content, the file name,
the document title or a participant's name."""


class Hold(BaseModel):
    """One reason to hold a draft for a checker, with the exact span that caused it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: HoldReason = "instruction_in_text"
    """The hold reason."""
    rule_id: str = Field(min_length=1)
    """The policy rule that matched (`instruction.<name>`)."""
    language: str
    """The language of the matched wording (ISO 639-1)."""
    where: HoldWhere
    """Which text holds the span."""
    field: str | None = None
    """For draft fields, participants and hidden content: which one (`summary.concerns[0]`, `participants[1]`)."""
    start: int = Field(ge=0)
    """Start offset of the span in that text."""
    end: int = Field(ge=0)
    """End offset (exclusive)."""
    text: str = Field(min_length=1)
    """Exactly `that_text[start:end]` (invisible characters included)."""
    revealed: str = Field(min_length=1)
    """The span as a model reads it: tag characters decoded, hidden characters dropped."""
    carrier: str
    """How it arrived: `text`, `quoted history`, `zero-width characters`, `tag characters`,
    a hidden-content kind (`html_comment`, `white_text`...), `file name`, `participant name`."""
    explanation: str
    """What a reviewer is told, in words."""

    @model_validator(mode="after")
    def _span_is_ordered(self) -> Hold:
        if self.end <= self.start or self.end - self.start != len(self.text):
            raise ValueError("hold span must have end > start and match the text's length")
        return self
