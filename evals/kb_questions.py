"""The knowledge question set: retrieval recall@k, citation accuracy and abstention.

Each labelled question names the document and the (innermost) heading holding its
answer, or null for questions the knowledge base cannot answer. Scores:

- `recall_at_5_source` / `recall_at_5_section`: an answerable question's expected source
  (and section) is among the top five retrieved passages;
- `citation_accuracy`: of the answers given to answerable questions, the share whose
  citations include the expected source and section;
- `citation_precision`: the share of all citations that point to the expected source;
- `answer_contains_rate`: answers holding every expected key phrase;
- `correct_abstention_rate` (unanswerable questions that abstained) and
  `false_abstention_rate` (answerable questions that abstained).

A metric with nothing to count is None, never 0 or 1.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from clientloop.container import Container
from records.tables import Source

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[1] / "clientloop" / "demo_data" / "questions.jsonl"


class KBQuestion(BaseModel):
    """One labelled question."""

    id: str
    question: str
    expected_source: str | None = None
    expected_heading: str | None = None
    answer_contains: list[str] = Field(default_factory=list)


class KBQuestionResult(BaseModel):
    """What happened to one question."""

    id: str
    question: str
    expected: str | None
    retrieved: list[str]
    hit_source: bool | None
    hit_section: bool | None
    abstained: bool
    cited: list[str]
    citation_correct: bool | None
    contains_ok: bool | None
    answer: str
    latency_ms: float


class KBReport(BaseModel):
    """Metrics and per-question results."""

    metrics: dict[str, float | None]
    notes: dict[str, str] = Field(default_factory=dict)
    results: list[KBQuestionResult]


def load_questions(path: Path = DEFAULT_QUESTIONS) -> list[KBQuestion]:
    """Read the JSONL question set."""
    return [KBQuestion.model_validate_json(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _section_matches(heading: str | None, expected: str | None) -> bool:
    if not expected:
        return True
    parts = [p.strip().casefold() for p in (heading or "").split(">")]
    return expected.strip().casefold() in parts


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate_kb_questions(
    container: Container,
    questions: list[KBQuestion],
    *,
    engine: str = "rules",
    on_progress: Callable[[int, int], None] | None = None,
) -> KBReport:
    """Ask every question against what the container has ingested and score the results."""
    from clientloop.ask import ask

    with Session(container.engine) as s:
        filenames = {row.id: row.filename for row in s.exec(select(Source)).all()}
    results: list[KBQuestionResult] = []
    for i, q in enumerate(questions, 1):
        passages = container.retriever.retrieve(q.question, where={"kind": "kb"}, k=5)
        started = time.perf_counter()
        answer = ask(container, q.question, engine=engine)
        latency = (time.perf_counter() - started) * 1000
        retrieved = [f"{filenames.get(p.source_id, '?')}#{p.heading or ''}" for p in passages]
        answerable = q.expected_source is not None
        hit_source = hit_section = citation_correct = contains_ok = None
        if answerable:
            hit_source = any(filenames.get(p.source_id) == q.expected_source for p in passages)
            hit_section = any(
                filenames.get(p.source_id) == q.expected_source and _section_matches(p.heading, q.expected_heading)
                for p in passages
            )
            if not answer.abstained:
                citation_correct = any(
                    filenames.get(c.source_id) == q.expected_source and _section_matches(c.heading, q.expected_heading)
                    for c in answer.citations
                )
                text = " ".join([answer.answer, *(c.quote for c in answer.citations)]).replace("*", "")
                contains_ok = all(" ".join(p.split()) in " ".join(text.split()) for p in q.answer_contains)
        results.append(KBQuestionResult(
            id=q.id, question=q.question, expected=f"{q.expected_source}#{q.expected_heading}" if answerable else None,
            retrieved=retrieved, hit_source=hit_source, hit_section=hit_section, abstained=answer.abstained,
            cited=[f"{filenames.get(c.source_id, '?')}#{c.heading or ''}" for c in answer.citations],
            citation_correct=citation_correct, contains_ok=contains_ok, answer=answer.answer, latency_ms=latency,
        ))
        if on_progress:
            on_progress(i, len(questions))
    return KBReport(metrics=_metrics(results, questions), results=results)


def _metrics(results: list[KBQuestionResult], questions: list[KBQuestion]) -> dict[str, float | None]:
    answerable = [r for r in results if r.expected is not None]
    unanswerable = [r for r in results if r.expected is None]
    answered = [r for r in answerable if not r.abstained]
    expected_by_id = {q.id: q.expected_source for q in questions}
    all_cites = [(r.id, c) for r in answered for c in r.cited]
    return {
        "questions": float(len(results)),
        "recall_at_5_source": _ratio(sum(bool(r.hit_source) for r in answerable), len(answerable)),
        "recall_at_5_section": _ratio(sum(bool(r.hit_section) for r in answerable), len(answerable)),
        "citation_accuracy": _ratio(sum(bool(r.citation_correct) for r in answered), len(answered)),
        "citation_precision": _ratio(
            sum(c.split("#", 1)[0] == expected_by_id[qid] for qid, c in all_cites), len(all_cites)
        ),
        "answer_contains_rate": _ratio(sum(bool(r.contains_ok) for r in answered), len(answered)),
        "correct_abstention_rate": _ratio(sum(r.abstained for r in unanswerable), len(unanswerable)),
        "false_abstention_rate": _ratio(sum(r.abstained for r in answerable), len(answerable)),
    }
