"""The LLM cited-answer chain: question + retrieved passages -> `Answer`.

The model sees the passages numbered ``[1]..[n]`` (through the escaping serializer, in
``prompts/answer.v1.jinja``) and returns `LLMAnswer`: sentences, each with the passage
numbers that support it, or ``not_found``. The model is trusted for wording and for
choosing passages, and for nothing else.

Decisions:

- **The same answerability decision as the rules engine.** Before the model is asked,
  `knowledge.answerability.assess` must find the passages likely to answer the question
  (`DEFAULT_CUTOFF`); otherwise the answer is the same abstention (or honest near miss,
  `knowledge.near_miss`) the rules engine gives, and no model call is made.
- **Every sentence must be supported by a quote of a passage it cites.** A number outside
  ``1..n`` is removed, and so is a number whose passage holds no sentence sharing at least
  `MIN_SUPPORT` of the answer sentence's content words (token overlap, cosine-normalised), or
  that lacks a figure the sentence states (an amount, a rate, a count: a model that changes
  £25 to £20 cites nothing); a sentence left with no valid number is dropped and listed in
  `Answer.unsupported`; when nothing remains, or the model says ``not_found``, the answer
  abstains with `NOT_FOUND`. Numbers the model wrote inline as ``[2]`` in the
  text count as citations too (small models do that instead of filling the field).
- **Quotes never come from the model.** For each cited passage we pick the passage
  sentence with the highest token overlap with the answer sentence(s) citing it (holding
  their figures) and
  record its exact offsets in the source, so ``source_text[span[0]:span[1]] == quote``
  always holds (given the retrieval contract ``passage.text ==
  source_text[passage.start:passage.end]``).
- **Citation ids are the passage numbers** the model saw, so the ``[n]`` markers in the
  answer text, `Citation.id` and the prompt agree.
- **Passages are trimmed to fit the context window** (a rough 4-characters-per-token
  estimate, lowest-ranked passages dropped first, the best one always kept).
- A `ModelUnavailable` or `ExtractionFailed` propagates: the caller decides whether to
  fall back to the rules answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field
from tenacity.wait import wait_base

from knowledge.answerability import DEFAULT_CUTOFF, assess
from knowledge.near_miss import near_miss_answer
from knowledge.schemas import NOT_FOUND, Answer, Citation, Passage
from pipeline.llm import invoke_structured, prompt_messages
from pipeline.options import ModelLimits
from pipeline.prompt_files import load_prompt
from pipeline.redaction import Redactor, redact_messages, restore_parsed
from pipeline.text import STOPWORDS, sentence_spans

__all__ = [
    "PROMPT_NAME",
    "AnswerSentence",
    "LLMAnswer",
    "LLMAnswerRun",
    "answer_with_llm",
    "ground_llm_answer",
    "run_llm_answer",
]

PROMPT_NAME = "answer.v1"
"""The prompt file of this chain."""

_OUTPUT_RESERVE_TOKENS = 1024
_CHARS_PER_TOKEN = 4
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_WORD = re.compile(r"[a-z0-9]+")
_FIGURE = re.compile(r"\d+(?:[.,:]\d+)*")

MIN_SUPPORT = 0.3
"""Least token overlap (shared content words over the geometric mean of both sizes) between an
answer sentence and the passage sentence that supports it."""


class AnswerSentence(BaseModel):
    """One sentence of the answer and the passages that state it."""

    text: str = Field(description="One sentence of the answer, using only facts from the cited passages.")
    citations: list[int] = Field(
        description="Numbers of the passages that support this sentence, e.g. [1] or [1, 3].",
    )


class LLMAnswer(BaseModel):
    """An answer built only from the numbered passages, or not_found when they do not answer it."""

    # Both fields are required on purpose: with optional fields, grammar-constrained
    # servers let small models emit only `{"not_found": true}` for every question.
    sentences: list[AnswerSentence] = Field(
        description="The answer as short sentences, each citing its passages. Empty when not_found.",
    )
    not_found: bool = Field(description="True when the passages do not contain the answer to the question.")


@dataclass(frozen=True)
class LLMAnswerRun:
    """An answer with the prompt that produced it and what it cost."""

    answer: Answer
    """The validated answer (or abstention)."""
    prompt_id: str
    """Id of the prompt file."""
    prompt_version_hash: str
    """Content hash of the prompt file; store it with the answer."""
    calls: int
    """Model requests made (0 when there was nothing to ask about)."""
    attempts: int
    """Output attempts (2 when the repair was used)."""
    prompt_tokens: int | None
    """Prompt tokens over all calls, when the server reports usage."""
    completion_tokens: int | None
    """Completion tokens over all calls, when the server reports usage."""
    repaired: bool
    """True when the first output was invalid and the repair was used."""


def answer_with_llm(
    question: str,
    passages: list[Passage],
    *,
    model: BaseChatModel,
    settings: ModelLimits,
    wait: wait_base | None = None,
    answerability_cutoff: float = DEFAULT_CUTOFF,
    vocabulary: Collection[str] | None = None,
) -> Answer:
    """Answer a question from retrieved passages with the chat model, citing them.

    Args:
        question: The question as asked.
        passages: Retrieved passages, best first.
        model: The chat model (see `pipeline.llm.make_chat_model`).
        settings: ``llm_max_retries`` and ``llm_context_tokens`` are used.
        wait: Backoff between transport retries (default: `pipeline.llm.DEFAULT_WAIT`).
        answerability_cutoff: The answerability the passages need before the model is asked
            (`knowledge.answerability`, the rules engine's decision).
        vocabulary: Every term of the knowledge base, for the same veto as the rules engine.

    Returns:
        An answer whose every sentence cites a retrieved passage that supports it, or an
        abstention.

    Raises:
        ModelUnavailable: The model server failed after all retries.
        ExtractionFailed: The model's output was invalid even after the repair.
    """
    return run_llm_answer(
        question,
        passages,
        model=model,
        settings=settings,
        wait=wait,
        answerability_cutoff=answerability_cutoff,
        vocabulary=vocabulary,
    ).answer


def run_llm_answer(
    question: str,
    passages: list[Passage],
    *,
    model: BaseChatModel,
    settings: ModelLimits,
    wait: wait_base | None = None,
    answerability_cutoff: float = DEFAULT_CUTOFF,
    vocabulary: Collection[str] | None = None,
) -> LLMAnswerRun:
    """Like `answer_with_llm`, also returning the prompt hash, calls and token usage.

    Args:
        question: The question as asked.
        passages: Retrieved passages, best first.
        model: The chat model.
        settings: ``llm_max_retries`` and ``llm_context_tokens`` are used.
        wait: Backoff between transport retries.
        answerability_cutoff: As for `answer_with_llm`.
        vocabulary: As for `answer_with_llm`.

    Returns:
        The answer and its run metadata.

    Raises:
        ModelUnavailable: The model server failed after all retries.
        ExtractionFailed: The model's output was invalid even after the repair.
    """
    prompt = load_prompt(PROMPT_NAME)
    kept = _fit_context(question, passages, settings.llm_context_tokens)
    decision = assess(question, passages, vocabulary=vocabulary) if passages else None
    if not kept or decision is None or decision.probability < answerability_cutoff:
        refusal = _abstain(question, []) if decision is None else near_miss_answer(question, passages, decision)
        return LLMAnswerRun(
            answer=refusal.model_copy(update={"engine": "llm"}),
            prompt_id=prompt.id,
            prompt_version_hash=prompt.version_hash,
            calls=0,
            attempts=0,
            prompt_tokens=None,
            completion_tokens=None,
            repaired=False,
        )
    rendered = prompt.render(question=question, passages=[_prompt_passage(p) for p in kept])
    # A question can carry client data (a name, an account number): redacted before it leaves.
    redactor = Redactor() if settings.redact_model_input else None
    result = invoke_structured(
        model,
        redact_messages(prompt_messages(rendered), redactor),
        LLMAnswer,
        max_retries=settings.llm_max_retries,
        wait=wait,
    )
    grounded = ground_llm_answer(question, kept, restore_parsed(result.parsed, redactor))
    return LLMAnswerRun(
        answer=grounded.model_copy(update={"answerability": decision.probability}),
        prompt_id=prompt.id,
        prompt_version_hash=prompt.version_hash,
        calls=result.calls,
        attempts=result.attempts,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        repaired=result.repaired,
    )


def ground_llm_answer(question: str, passages: list[Passage], output: LLMAnswer) -> Answer:
    """Check the model's answer against the passages it was shown and build the `Answer`.

    Args:
        question: The question as asked.
        passages: The passages exactly as numbered in the prompt (``[1]`` is ``passages[0]``).
        output: What the model returned.

    Returns:
        The answer with only valid citations and quotes taken from the passages, or an
        abstention when no sentence kept a valid citation or the model said not found.
    """
    if output.not_found:
        return _abstain(question, [])

    kept: list[tuple[str, list[int]]] = []
    unsupported: list[str] = []
    best: dict[int, tuple[float, tuple[int, int]]] = {}  # passage number -> (score, quote span)
    for sentence in output.sentences:
        text, inline = _split_markers(sentence.text)
        if not text:
            continue
        valid = []
        for n in dict.fromkeys([*sentence.citations, *inline]):
            if not 1 <= n <= len(passages):
                continue
            score, span = _best_sentence(passages[n - 1].text, text)
            if score < MIN_SUPPORT:
                continue
            valid.append(n)
            if n not in best or score > best[n][0]:
                best[n] = (score, span)
        if valid:
            kept.append((text, valid))
        else:
            unsupported.append(text)
    if not kept:
        return _abstain(question, unsupported)

    citations = []
    for n in sorted(best):
        passage = passages[n - 1]
        i, j = best[n][1]
        citations.append(
            Citation(
                id=n,
                source_id=passage.source_id,
                source_title=passage.source_title,
                heading=passage.heading,
                quote=passage.text[i:j],
                span=(passage.start + i, passage.start + j),
            )
        )
    return Answer(
        question=question,
        answer=" ".join(_with_markers(text, numbers) for text, numbers in kept),
        abstained=False,
        citations=citations,
        documents=list(dict.fromkeys(c.source_title for c in citations)),
        engine="llm",
        unsupported=unsupported,
    )


def _abstain(question: str, unsupported: list[str]) -> Answer:
    return Answer(question=question, answer=NOT_FOUND, abstained=True, engine="llm", unsupported=unsupported)


def _prompt_passage(passage: Passage) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": passage.source_title}
    if passage.heading:
        fields["heading"] = passage.heading
    fields["text"] = passage.text
    return fields


def _fit_context(question: str, passages: list[Passage], context_tokens: int) -> list[Passage]:
    budget = (context_tokens - _OUTPUT_RESERVE_TOKENS) * _CHARS_PER_TOKEN - 2000 - len(question)
    kept: list[Passage] = []
    used = 0
    for passage in passages:
        size = len(passage.text) + len(passage.source_title) + len(passage.heading or "") + 80
        if kept and used + size > budget:
            break
        kept.append(passage)
        used += size
    return kept


def _split_markers(text: str) -> tuple[str, list[int]]:
    numbers = [int(n) for group in _MARKERS.findall(text) for n in group.split(",")]
    cleaned = _MARKERS.sub("", text).strip()
    cleaned = re.sub(r"\s+([.!?,;:])", r"\1", cleaned)
    return cleaned, numbers


def _with_markers(text: str, numbers: list[int]) -> str:
    markers = "".join(f"[{n}]" for n in numbers)
    stripped = text.rstrip(".!?")
    punctuation = text[len(stripped) :] or "."
    return f"{stripped} {markers}{punctuation}"


def _tokens(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


def _figures(text: str) -> set[str]:
    return {f.replace(",", "") for f in _FIGURE.findall(text)}


def _best_sentence(passage_text: str, claim: str) -> tuple[float, tuple[int, int]]:
    """The passage sentence that best supports ``claim``, as (score, (start, end)) in the passage.

    The score is the token overlap; a sentence lacking one of the claim's figures scores 0.
    """
    claim_tokens, claim_figures = _tokens(claim), _figures(claim)
    best_score, best_span = -1.0, (0, len(passage_text.rstrip()))
    for i, j, _ in sentence_spans(passage_text):
        tokens = _tokens(passage_text[i:j])
        if not tokens or not claim_tokens or not claim_figures <= _figures(passage_text[i:j]):
            score = 0.0
        else:
            score = len(tokens & claim_tokens) / math.sqrt(len(tokens) * len(claim_tokens))
        if score > best_score:
            best_score, best_span = score, (i, j)
    return max(best_score, 0.0), best_span
