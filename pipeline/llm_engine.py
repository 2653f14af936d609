"""The LLM drafting engine: interaction text -> `InteractionDraft`, grounded, or the rules draft.

`draft_with_llm` renders ``prompts/extract.v1.jinja``, asks the model for one
`LLMExtraction` per window of text through `pipeline.llm.invoke_structured`, converts the
answer into the shared `InteractionDraft` and runs `pipeline.grounding.ground_draft` on it,
exactly as the rules engine's draft is grounded.

Decisions:

- **A model-facing schema, not `InteractionDraft` itself.** `LLMExtraction` asks only for
  what the model can know from the text (no offsets, no occurred_at, no status, no grounding
  report) and flattens `Due` into ``due_phrase`` plus an optional ``due_date``. Every field
  is required (lists may be empty, strings may be ``""``): with optional fields,
  grammar-constrained servers let small models emit near-empty objects. Enumerations are
  `Literal` so the server's grammar and Pydantic both enforce the vocabulary. Field
  descriptions are short because the tool schema is sent with every call and the system
  prompt already teaches the labelling rules in full.
- **Our code resolves dates.** The model returns the due *phrase* verbatim; `pipeline.dates`
  resolves it against the interaction's local date. The model's ``due_date`` is used only
  when the phrase is one our table cannot read, and a phrase resolving to vague timing
  ("soon") stays undated whatever date the model proposed. Grounding then checks the phrase
  is in the source.
- **Cheap, safe help before grounding.** Owners written as a first name or initials are
  resolved with the rules engine's `OwnerResolver`; an evidence quote that differs from the
  source only in whitespace, case or quote style is snapped to the exact source span (counted
  as ``evidence_snapped_to_source``). Anything else the model invented is left for grounding to
  drop and count. Nothing is ever kept that is not an exact span of the source.
- **Long texts are windowed.** The prompt size is estimated at 4 characters per token (system
  and user messages plus the tool schema, which servers add to the prompt), with escaped
  text counted a quarter dearer and `TOOL_PROTOCOL_TOKENS` for the server's tool template
  (calibrated on llama.cpp with SmolLM2's tokenizer), leaving `OUTPUT_RESERVE_TOKENS` for
  the answer. When the text does not fit in
  ``settings.llm_context_tokens``, it is cut along lines into windows sharing `OVERLAP_LINES`
  lines, one call each. Merging: actions are deduplicated by overlapping evidence spans (in
  the full text) or by the same normalised description and owner; summary lists are unioned
  without duplicates; the purpose is the first window's unless a later one says
  ``complaint`` (the labelling guide's precedence rule).
- **Fallback, never an exception.** `ModelUnavailable` (after tenacity's retries inside
  `invoke_structured`) and `ExtractionFailed` (after its one repair) return the rules
  engine's grounded draft with ``fallback=True`` and the reason. Calls and tokens spent
  before the failure are still reported.
- Uploaded text reaches the prompt only through the prompt file's ``xml`` filter
  (`pipeline.serialize.to_xml`), so it cannot close its element or pose as instructions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from langchain_core.language_models import BaseChatModel
from tenacity.wait import wait_base

from pipeline.errors import ExtractionFailed, ModelUnavailable
from pipeline.grounding import ground_draft
from pipeline.llm import invoke_structured, prompt_messages
from pipeline.llm_convert import merge_extractions
from pipeline.llm_schema import LLMAction, LLMExtraction
from pipeline.llm_windows import (
    CHARS_PER_TOKEN,
    MIN_WINDOW_TOKENS,
    OUTPUT_RESERVE_TOKENS,
    OVERLAP_LINES,
    TOOL_PROTOCOL_TOKENS,
    TextWindow,
    render_extraction,
    split_windows,
    text_budget_chars,
    window_note,
)
from pipeline.options import ModelLimits
from pipeline.prompt_files import load_prompt
from pipeline.redaction import Redactor, redact_messages, restore_parsed
from pipeline.rules import draft_with_rules, infer_participants
from pipeline.schemas import GroundingIssue, InteractionDraft, Participant

__all__ = [
    "CHARS_PER_TOKEN",
    "OUTPUT_RESERVE_TOKENS",
    "OVERLAP_LINES",
    "PROMPT_NAME",
    "TOOL_PROTOCOL_TOKENS",
    "LLMAction",
    "LLMDraftResult",
    "LLMExtraction",
    "TextWindow",
    "draft_with_llm",
    "split_windows",
]

PROMPT_NAME = "extract.v1"
"""The prompt file of this chain."""


def _quotes_in(seen: str) -> Callable[[LLMExtraction], None]:
    """The structured-output check: every evidence quote is words of the text the model saw."""

    def check(parsed: LLMExtraction) -> None:
        LLMExtraction.model_validate(parsed.model_dump(), context={"source": seen})

    return check


@dataclass(frozen=True)
class LLMDraftResult:
    """A grounded draft from the LLM engine (or the rules fallback) and what it cost."""

    draft: InteractionDraft
    """The grounded draft; ``engine`` is ``"llm"``, or ``"rules"`` on fallback."""
    prompt_version: str
    """Content hash of ``prompts/extract.v1.jinja``; store it with the draft."""
    fallback: bool
    """True when the model failed and `draft` is the rules engine's."""
    fallback_reason: str | None
    """Why the fallback happened, else None."""
    model_calls: int
    """Model requests made, transport retries and repairs included."""
    prompt_tokens: int
    """Prompt tokens over all calls (0 when the server reports no usage)."""
    completion_tokens: int
    """Completion tokens over all calls (0 when the server reports no usage)."""
    windows: int = 1
    """How many windows the text was cut into."""


def draft_with_llm(
    text: str,
    *,
    kind: str,
    occurred_at: datetime,
    participants: list[Participant],
    client: str,
    model: BaseChatModel,
    settings: ModelLimits,
    wait: wait_base | None = None,
    redactor: Redactor | None = None,
) -> LLMDraftResult:
    """Draft a summary and actions with the chat model, grounded; fall back to rules on failure.

    With a `redactor`, every message is redacted before it is sent and every string of
    the model's answer restored before it is converted and grounded (`pipeline.redaction`).

    Args:
        text: The interaction text (transcript, notes or email thread).
        kind: `call_transcript`, `meeting_notes` or `email`.
        occurred_at: When the interaction happened; relative dates resolve against its local date.
        participants: Who took part; inferred from speaker labels or headers when empty.
        client: The client's name.
        model: Any LangChain chat model that supports tool calling.
        settings: ``llm_max_retries`` and ``llm_context_tokens`` are used.
        wait: Backoff between transport retries (tests pass ``tenacity.wait_none()``).
        redactor: Redacts what is sent and restores what comes back (None: sent as is).

    Returns:
        The grounded draft with the prompt's version hash, the fallback marker and the cost.
    """
    participants = list(participants) or infer_participants(text, kind=kind, client=client)
    prompt = load_prompt(PROMPT_NAME)
    calls = prompt_tokens = completion_tokens = 0
    windows: list[TextWindow] = []
    try:
        budget = text_budget_chars(prompt, settings.llm_context_tokens, kind, client, occurred_at, participants)
        if budget < MIN_WINDOW_TOKENS * CHARS_PER_TOKEN:
            raise ExtractionFailed(
                f"llm_context_tokens={settings.llm_context_tokens} leaves no room for the text after the "
                "extraction prompt and the output reserve"
            )
        windows = split_windows(text, budget)
        extractions: list[tuple[TextWindow, LLMExtraction]] = []
        for index, window in enumerate(windows):
            rendered = render_extraction(
                prompt, window.text, kind, client, occurred_at, participants, window_note(index, len(windows))
            )
            messages = redact_messages(prompt_messages(rendered), redactor)
            try:
                result = invoke_structured(
                    model, messages, LLMExtraction, max_retries=settings.llm_max_retries, wait=wait,
                    repair_check=_quotes_in(redactor.redact(window.text) if redactor else window.text),
                )
            except (ModelUnavailable, ExtractionFailed) as exc:
                calls += exc.attempts
                raise
            calls += result.calls
            prompt_tokens += result.prompt_tokens or 0
            completion_tokens += result.completion_tokens or 0
            extractions.append((window, restore_parsed(result.parsed, redactor)))
    except (ModelUnavailable, ExtractionFailed) as exc:
        draft = draft_with_rules(text, kind=kind, occurred_at=occurred_at, participants=participants, client=client)
        grounded = ground_draft(draft, source_text=text, participants=participants)
        return LLMDraftResult(
            draft=grounded, prompt_version=prompt.version_hash, fallback=True,
            fallback_reason=f"{type(exc).__name__}: {exc}", model_calls=calls, prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens, windows=max(len(windows), 1),
        )  # fmt: skip

    draft, snapped = merge_extractions(
        extractions, text, kind=kind, occurred_at=occurred_at, participants=participants, client=client
    )
    grounded = ground_draft(draft, source_text=text, participants=participants)
    if snapped:
        report = grounded.grounding.model_copy(deep=True)
        report.corrected["evidence_snapped_to_source"] = len(snapped)
        report.issues.extend(
            GroundingIssue(reason="evidence_snapped_to_source", outcome="corrected", detail=quote[:200])
            for quote in snapped
        )
        grounded = grounded.model_copy(update={"grounding": report})
    # Only what survived grounding is worth preparing for.
    summary = grounded.summary.model_copy(
        update={"before_next_interaction": [a.description for a in grounded.actions if a.owner_side == "firm"]}
    )
    grounded = grounded.model_copy(update={"summary": summary})
    return LLMDraftResult(
        draft=grounded, prompt_version=prompt.version_hash, fallback=False, fallback_reason=None,
        model_calls=calls, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, windows=len(windows),
    )  # fmt: skip
