"""End to end against a real OpenAI-protocol server: llama.cpp with SmolLM2-135M.

Proves the wire path (prompt file -> ChatOpenAI -> function calling -> `LLMExtraction` ->
`InteractionDraft` -> grounding) on real demo transcripts, and that grounding copes with
whatever a 135M model returns. It does not judge extraction quality. Run with ``-s`` to see
the measured prompt tokens and calls per transcript.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime

import pytest

from clientloop.interactions import load_interaction
from pipeline.llm import make_chat_model
from pipeline.llm_engine import draft_with_llm
from pipeline.schemas import InteractionDraft, Participant
from tests.conftest import DEMO
from tests.llm_server import e2e_settings, running_llama_server

pytestmark = pytest.mark.llm_server

INTERACTIONS = DEMO / "interactions"
N_CTX = 8192
"""SmolLM2's full window: the extraction prompt is ~3,000 tokens and a repair echoes the output."""
MAX_TOKENS = 512
"""Caps a looping 135M model's answer (and the test's run time); a truncated answer goes to repair."""
TRANSCRIPTS = ["call-okafor-2026-11-16.txt", "call-brennan-2026-11-18.vtt", "call-lindgren-2026-11-19.srt"]


@pytest.fixture(scope="module")
def llm_base_url() -> Iterator[str]:
    with running_llama_server(n_ctx=N_CTX) as base_url:
        yield base_url


def _demo(filename: str) -> tuple[str, dict[str, object]]:
    manifest = {entry["file"]: entry for entry in json.loads((INTERACTIONS / "manifest.json").read_text())}
    entry = manifest[filename]
    doc = load_interaction((INTERACTIONS / filename).read_bytes(), filename, entry["kind"], 10_000_000)
    return doc.text, entry


@pytest.mark.parametrize("filename", TRANSCRIPTS)
def test_draft_with_llm_e2e_is_grounded_or_falls_back(llm_base_url, filename):
    settings = e2e_settings(llm_base_url, llm_context_tokens=N_CTX)
    model = make_chat_model(settings, max_tokens=MAX_TOKENS)
    text, entry = _demo(filename)
    participants = [Participant.model_validate(p) for p in entry["participants"]]  # type: ignore[attr-defined]

    result = draft_with_llm(
        text,
        kind=entry["kind"],  # type: ignore[arg-type]
        occurred_at=datetime.fromisoformat(entry["occurred_at"]),  # type: ignore[arg-type]
        participants=participants,
        client=entry["client"],  # type: ignore[arg-type]
        model=model,
        settings=settings,
    )

    draft = InteractionDraft.model_validate(result.draft.model_dump())
    assert draft.grounding.checked
    assert result.prompt_version.startswith("sha256:")
    assert result.model_calls >= 1
    if result.fallback:
        assert result.fallback_reason and draft.engine == "rules"
    else:
        assert draft.engine == "llm" and result.fallback_reason is None
        assert result.prompt_tokens > 0
    names = {p.name for p in participants}
    for action in draft.actions:
        assert action.evidence.text and action.evidence.text in text
        assert text[action.evidence.start : action.evidence.end] == action.evidence.text
        assert action.owner in names or re.search(r"\bteam$", action.owner, re.IGNORECASE)
    print(  # noqa: T201 - the measurement the report quotes; shown with -s or -rP
        f"\nLLM extract e2e {filename}: chars={len(text)} windows={result.windows} calls={result.model_calls} "
        f"prompt_tokens={result.prompt_tokens} completion_tokens={result.completion_tokens} "
        f"fallback={result.fallback} reason={result.fallback_reason!r} actions={len(draft.actions)} "
        f"dropped={draft.grounding.dropped} unsupported={draft.grounding.unsupported} "
        f"corrected={draft.grounding.corrected} purpose={draft.summary.purpose}"
    )
