"""Sensitivity flags and the rule that a model may only add to them.

A `Flag` is one reason to hold an item for human review: which flag, which policy rule
raised it (or that a model proposed it), how severe it is, which reviewer role must
decide, and the exact span of text that triggered it. Spans are offsets into the text
as the caller gave it (hidden characters included), so `text[start:end] == flag.text`
always holds and a reviewer sees exactly what fired.

The gate is deterministic: rule flags come from the policy and nothing removes them. A
model may *propose* flags (`ModelFlagProposal`), and `FlagSet.merge_model` accepts a
proposal only when its evidence is an exact substring of the source. A proposal cannot
carry a severity or a role (those come from the policy, so a model cannot downgrade
anything), and a rejected proposal is kept with its reason so the audit trail shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

FlagName = Literal[
    "advice",
    "complaint",
    "money_movement",
    "fees_pricing",
    "account_terms",
    "vulnerable_customer",
    "tax_legal",
]
"""The controlled vocabulary of sensitivity flags (shared with the evaluation data)."""

FLAG_NAMES: tuple[FlagName, ...] = get_args(FlagName)

Severity = Literal["high", "medium", "low"]
ReviewerRole = Literal["rm", "reviewer", "service", "knowledge", "admin"]

SEVERITY_RANK: dict[Severity, int] = {"low": 0, "medium": 1, "high": 2}

MODEL_RULE_ID = "model"
"""The `rule_id` carried by every flag a model proposed."""


class Flag(BaseModel):
    """One sensitivity flag with its reason: the rule that fired and the matched span."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flag: FlagName
    """Which sensitivity flag this is."""
    rule_id: str = Field(min_length=1)
    """The policy rule that fired, or `"model"` for a model-proposed flag."""
    severity: Severity
    """Severity taken from the policy for this flag, never from a model."""
    reviewer_role: ReviewerRole
    """The role that must decide the held item."""
    start: int = Field(ge=0)
    """Start offset of the matched span in the text it was found in."""
    end: int = Field(ge=0)
    """End offset (exclusive) of the matched span."""
    text: str = Field(min_length=1)
    """The matched text, exactly `source[start:end]`."""
    origin: Literal["rule", "model"] = "rule"
    """Whether a policy rule or a model raised the flag."""
    where: Literal["source", "draft"] = "source"
    """Whether the span is in the source interaction or in a draft text field."""
    field: str | None = None
    """For draft flags, the name or index of the draft text field holding the span."""
    reason: str | None = None
    """Why, in words: for rule flags what the match is about and the sentence it is in; for model flags the
    model's stated reason."""

    @model_validator(mode="after")
    def _span_is_ordered(self) -> Flag:
        if self.end <= self.start:
            raise ValueError("flag span must have end > start")
        if self.end - self.start != len(self.text):
            raise ValueError("flag text length must equal the span length")
        return self


class ModelFlagProposal(BaseModel):
    """A flag a model wants to add, with the exact source text that justifies it.

    There is no severity, role or "remove" field: a model can only say "this flag
    applies, here is the evidence".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    flag: FlagName
    """The flag the model proposes."""
    evidence: str = Field(min_length=1)
    """A verbatim substring of the source text."""
    reason: str = ""
    """Why the model thinks the flag applies."""


class RejectedProposal(BaseModel):
    """A model proposal that was not accepted, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    proposal: ModelFlagProposal
    reason: str


class FlagSet(BaseModel):
    """The flags of one item, plus the model proposals that were turned down."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flags: tuple[Flag, ...] = ()
    rejected: tuple[RejectedProposal, ...] = ()

    @property
    def names(self) -> set[FlagName]:
        """The distinct flag names raised."""
        return {f.flag for f in self.flags}

    @property
    def max_severity(self) -> Severity | None:
        """The highest severity among the flags, or None when there are none."""
        if not self.flags:
            return None
        return max((f.severity for f in self.flags), key=SEVERITY_RANK.__getitem__)

    def merge_model(
        self,
        proposals: Iterable[ModelFlagProposal],
        *,
        source_text: str,
        settings: Mapping[FlagName, tuple[Severity, ReviewerRole]],
    ) -> FlagSet:
        """Return a new set with the acceptable model proposals added.

        Every existing flag is kept unchanged. A proposal is accepted when its evidence
        is an exact substring of `source_text`; the flag's span is the evidence's first
        occurrence and its severity and reviewer role come from `settings` (the
        policy), never from the model. A proposal repeating an existing flag on the
        same span adds nothing.

        Args:
            proposals: What the model proposed.
            source_text: The source interaction text the evidence must come from.
            settings: Severity and reviewer role per flag name, from the policy.

        Returns:
            A new `FlagSet`; this one is not modified.
        """
        flags = list(self.flags)
        rejected = list(self.rejected)
        seen: set[tuple[str, str, str | None, int, int]] = {(f.flag, f.where, f.field, f.start, f.end) for f in flags}
        for proposal in proposals:
            start = source_text.find(proposal.evidence)
            if start < 0:
                rejected.append(
                    RejectedProposal(proposal=proposal, reason="evidence is not an exact substring of the source")
                )
                continue
            end = start + len(proposal.evidence)
            key = (proposal.flag, "source", None, start, end)
            if key in seen:
                continue
            seen.add(key)
            severity, role = settings[proposal.flag]
            flags.append(
                Flag(
                    flag=proposal.flag,
                    rule_id=MODEL_RULE_ID,
                    severity=severity,
                    reviewer_role=role,
                    start=start,
                    end=end,
                    text=source_text[start:end],
                    origin="model",
                    where="source",
                    reason=proposal.reason or None,
                )
            )
        return FlagSet(flags=tuple(flags), rejected=tuple(rejected))


def flag_names(flags: Iterable[Flag]) -> set[FlagName]:
    """Return the distinct flag names in `flags`."""
    return {f.flag for f in flags}
