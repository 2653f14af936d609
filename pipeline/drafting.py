"""The one drafting entry point: a `DraftRequest` in, a grounded `DraftOutcome` out.

The worker, `clientloop draft`, the evaluations and the benchmarks all call `draft`, so
every score is a score of what ships. It chooses the engine, owns the single fallback
to the rules engine (marked as such, with the reason), and always grounds: whichever
engine ran, the stored draft's `grounding.checked` is true. The job payload is this
request serialised (`DraftRequest.model_dump_json`), never hand-built JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.grounding import ground_draft
from pipeline.schemas import InteractionDraft, InteractionKind, Participant

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from tenacity.wait import wait_base

    from pipeline.options import ModelLimits

EngineName = Literal["rules", "llm"]
"""The drafting engines: `rules` (deterministic, offline) and `llm` (an OpenAI-protocol model)."""


class DraftRequest(BaseModel):
    """Everything an engine needs to draft one interaction."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The interaction text as loaded from the upload.")
    kind: InteractionKind = Field(description="`call_transcript`, `meeting_notes` or `email`.")
    occurred_at: datetime = Field(description="When it happened; relative dates resolve against its local date.")
    participants: list[Participant] = Field(
        default_factory=list, description="Who took part; inferred from the text when empty."
    )
    client: str = Field(description="The client's name, as the draft should call them.")
    engine: EngineName = Field(default="rules", description="The engine asked for.")

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        # Naive timestamps are taken as UTC, as everywhere else in clientloop.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True)
class DraftOutcome:
    """A grounded draft and how it was made."""

    draft: InteractionDraft
    """The grounded draft (`draft.grounding.checked` is always true)."""
    engine: EngineName
    """The engine whose output this is: `rules` also after a fallback."""
    model: str | None = None
    """The model's name when the LLM engine produced the draft."""
    prompt_version: str | None = None
    """The prompt's content hash when a prompt was rendered."""
    fallback: bool = False
    """True when the LLM engine was asked for but the rules engine's draft is returned."""
    fallback_reason: str | None = None
    """Why the fallback happened."""
    model_calls: int = 0
    """Model requests made (retries and repairs included)."""
    prompt_tokens: int = 0
    """Prompt tokens over all calls."""


def draft(
    request: DraftRequest,
    *,
    model: BaseChatModel | None = None,
    model_name: str | None = None,
    limits: ModelLimits | None = None,
    known_teams: Iterable[str] | None = None,
    wait: wait_base | None = None,
    redact: bool = True,
    known_people: Iterable[str] = (),
) -> DraftOutcome:
    """Draft one interaction with the requested engine and ground the result.

    Args:
        request: The interaction and the engine asked for.
        model: The chat model for the `llm` engine (not needed for `rules`).
        model_name: The model's name, stored with the draft.
        limits: Retries and context size for the `llm` engine.
        known_teams: Team names the firm recognises, for owner grounding.
        wait: Backoff between model retries (tests pass `tenacity.wait_none()`).
        redact: Redact the text before it goes to the model (`pipeline.redaction`); off only
            for an endpoint the firm runs itself.
        known_people: Names the records know (client contacts) to redact besides the
            participants and the client.

    Returns:
        The grounded draft; with `fallback=True` and the reason when the LLM engine was
        asked for and the rules engine's draft is returned instead.
    """
    from pipeline.rules.engine import infer_participants

    participants = list(request.participants) or infer_participants(
        request.text, kind=request.kind, client=request.client
    )
    if request.engine == "llm":
        if model is None or limits is None:
            outcome = _rules(request, participants)
            return _grounded(outcome, request, participants, known_teams, fallback="no chat model is configured")
        from pipeline.llm_engine import draft_with_llm
        from pipeline.redaction import Redactor

        redactor = Redactor([p.name for p in participants] + [request.client, *known_people]) if redact else None
        result = draft_with_llm(
            request.text, kind=request.kind, occurred_at=request.occurred_at, participants=participants,
            client=request.client, model=model, settings=limits, wait=wait, redactor=redactor,
        )
        outcome = DraftOutcome(
            draft=result.draft, engine="rules" if result.fallback else "llm",
            model=None if result.fallback else model_name, prompt_version=result.prompt_version,
            fallback=result.fallback, fallback_reason=result.fallback_reason, model_calls=result.model_calls,
            prompt_tokens=result.prompt_tokens,
        )
        return _grounded(outcome, request, participants, known_teams)
    return _grounded(_rules(request, participants), request, participants, known_teams)


def _rules(request: DraftRequest, participants: list[Participant]) -> DraftOutcome:
    from pipeline.rules import draft_with_rules

    result = draft_with_rules(
        request.text, kind=request.kind, occurred_at=request.occurred_at, participants=participants,
        client=request.client,
    )
    return DraftOutcome(draft=result, engine="rules")


def _grounded(
    outcome: DraftOutcome,
    request: DraftRequest,
    participants: list[Participant],
    known_teams: Iterable[str] | None,
    *,
    fallback: str | None = None,
) -> DraftOutcome:
    # Grounding is idempotent (a second pass keeps the first pass's counts), so drafts the
    # LLM engine already grounded pass through unchanged apart from known teams.
    grounded = ground_draft(
        outcome.draft, source_text=request.text, participants=participants, known_teams=known_teams
    )
    if fallback is not None:
        return DraftOutcome(draft=grounded, engine="rules", fallback=True, fallback_reason=fallback)
    return DraftOutcome(
        draft=grounded, engine=outcome.engine, model=outcome.model, prompt_version=outcome.prompt_version,
        fallback=outcome.fallback, fallback_reason=outcome.fallback_reason, model_calls=outcome.model_calls,
        prompt_tokens=outcome.prompt_tokens,
    )
