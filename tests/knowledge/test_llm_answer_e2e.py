"""End to end against a real OpenAI-protocol server: llama.cpp with SmolLM2-135M.

Proves the wire path (ChatOpenAI -> function calling -> Pydantic) and that validation
copes with whatever a 135M model returns. It does not judge answer quality.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from knowledge.llm_answer import run_llm_answer
from knowledge.schemas import NOT_FOUND, Passage
from pipeline.llm import make_chat_model
from tests.llm_server import e2e_settings, running_llama_server

pytestmark = pytest.mark.llm_server

SOURCE = (
    "# Card fees\n"
    "ATM withdrawals abroad cost 2.50 EUR each. Domestic ATM withdrawals are free.\n"
    "# Replacement cards\n"
    "A replacement card costs 10 EUR. Express delivery takes two business days.\n"
    "# Branch hours\n"
    "Branches open at 9:00 and close at 17:00 on weekdays. They are closed on Sundays.\n"
)


def _passages() -> list[Passage]:
    passages = []
    for n, (needle, heading) in enumerate(
        [("ATM withdrawals", "Card fees"), ("A replacement", "Replacement cards"), ("Branches open", "Branch hours")],
        start=1,
    ):
        start = SOURCE.index(needle)
        end = SOURCE.index("\n", start)
        passages.append(
            Passage(
                chunk_id=f"c{n}",
                source_id="src-kb",
                source_title="Service handbook",
                heading=heading,
                text=SOURCE[start:end],
                start=start,
                end=end,
                score=1.0 / n,
                vector_score=0.7,
            )
        )
    return passages


@pytest.fixture(scope="module")
def llm_base_url() -> Iterator[str]:
    with running_llama_server() as base_url:
        yield base_url


def test_answer_with_llm_e2e_returns_valid_citations_or_abstains(llm_base_url):
    settings = e2e_settings(llm_base_url)
    model = make_chat_model(settings, max_tokens=512)
    passages = _passages()

    run = run_llm_answer("How much does an ATM withdrawal abroad cost?", passages, model=model, settings=settings)

    answer = run.answer
    assert answer.engine == "llm"
    if answer.abstained:
        assert answer.answer == NOT_FOUND and answer.citations == []
    else:
        assert answer.citations
        for citation in answer.citations:
            assert 1 <= citation.id <= len(passages)
            assert SOURCE[citation.span[0] : citation.span[1]] == citation.quote
            assert f"[{citation.id}]" in answer.answer
    assert run.calls >= 1
    assert run.prompt_tokens and run.prompt_tokens > 0
    print(  # noqa: T201 - the measurement the report quotes; shown with -s or -rP
        f"\nLLM answer e2e: calls={run.calls} attempts={run.attempts} prompt_tokens={run.prompt_tokens} "
        f"completion_tokens={run.completion_tokens} repaired={run.repaired} abstained={answer.abstained}\n"
        f"answer={answer.answer!r} unsupported={answer.unsupported!r}"
    )
