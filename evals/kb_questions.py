"""The knowledge question sets: retrieval, citations, abstention and ask time.

Two labelled sets: the demo set (`clientloop/demo_data/questions.jsonl`, 58 questions, used as
development data) and the blind set (`evals/data/kb-questions.jsonl`, 170 questions with
`train` / `dev` / `test` splits; tune on train and dev, report on test). Each answerable
question names the document and the (innermost) heading holding its answer, and
cross-document questions list every part in `expected_sources`. Scores:

- `recall_at_5_source` / `recall_at_5_section`: an answerable question's expected source
  (and section) is among the top five passages of the shipped (hybrid) retrieval; the
  section figure is also given for `vector` and `keyword` retrieval alone in the same run;
- `citation_accuracy`: of the answers given to answerable questions, the share whose
  citations include the expected source and section;
- `first_citation_accuracy`: of *all* answerable questions, the share answered with a first
  citation from an expected document and section (an abstention counts as wrong);
- `citation_precision`: the share of all citations that point to an expected source;
- `answer_contains_rate`: of the answers given, those holding every expected key phrase, and
  `answer_contains_all`: the same over all answerable questions (abstentions count as wrong);
- `cross_document_right`: two-document questions answered with both parts cited (section
  right) and every part's key phrases present;
- `correct_abstention_rate` (unanswerable questions that abstained), `near_miss_abstention_rate`
  (those of them that name a neighbouring product or section), and `false_abstention_rate`
  (answerable questions that abstained);
- `ask_ms_p50` / `ask_ms_p95`: the time of `clientloop.ask.ask`, the function the CLI and the API
  call, per question in this process (start-up excluded).

Every answer is produced by `clientloop.ask.ask`, so what is scored is what ships.
`abstention_curve` gives the abstention precision and recall at each answerability cut-off when
the answers carry an `answerability` score. A metric with nothing to count is None, never 0 or 1.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from clientloop.container import Container
from knowledge.schemas import Answer, Passage
from records.tables import Source

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[1] / "clientloop" / "demo_data" / "questions.jsonl"
BLIND_QUESTIONS = Path(__file__).resolve().parent / "data" / "kb-questions.jsonl"
"""The blind set: written by someone who had not seen the answerer; splits train/dev/test."""
FRESH_QUESTIONS = Path(__file__).resolve().parent / "data" / "kb-fresh.jsonl"
"""A second blind set (split `fresh`), written later by another writer: scored once, never tuned on."""


class ExpectedPart(BaseModel):
    """One document a question's answer needs."""

    source: str
    heading: str | None = None
    answer_contains: list[str] = Field(default_factory=list)


class KBQuestion(BaseModel):
    """One labelled question."""

    id: str
    question: str
    expected_source: str | None = None
    expected_heading: str | None = None
    answer_contains: list[str] = Field(default_factory=list)
    split: str | None = None
    style: str | None = None
    expected_sources: list[ExpectedPart] = Field(default_factory=list)
    near_miss: dict[str, str] | None = None

    def parts(self) -> list[ExpectedPart]:
        """Every expected (document, section): `expected_sources`, or the single expected source."""
        if self.expected_sources:
            return self.expected_sources
        if self.expected_source is None:
            return []
        return [ExpectedPart(source=self.expected_source, heading=self.expected_heading,
                             answer_contains=self.answer_contains)]


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
    first_citation_ok: bool | None = None
    cross_document: bool = False
    cross_ok: bool | None = None
    near_miss: bool = False
    hit_section_vector: bool | None = None
    hit_section_keyword: bool | None = None
    answerability: float | None = None
    answer: str
    latency_ms: float


class KBReport(BaseModel):
    """Metrics and per-question results."""

    metrics: dict[str, float | None]
    notes: dict[str, str] = Field(default_factory=dict)
    results: list[KBQuestionResult]
    abstention_curve: list[dict[str, float | None]] = Field(default_factory=list)


def load_questions(path: Path = DEFAULT_QUESTIONS, *, splits: set[str] | None = None) -> list[KBQuestion]:
    """Read a JSONL question set, keeping only `splits` when given."""
    rows = [KBQuestion.model_validate_json(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [q for q in rows if splits is None or q.split in splits]


def _section_matches(heading: str | None, expected: str | None) -> bool:
    if not expected:
        return True
    parts = [p.strip().casefold() for p in (heading or "").split(">")]
    return expected.strip().casefold() in parts


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _cited_right(cited: list[tuple[str, str | None]], part: ExpectedPart) -> bool:
    return any(src == part.source and _section_matches(heading, part.heading) for src, heading in cited)


def _contains(text: str, phrases: list[str]) -> bool:
    flat = " ".join(text.replace("*", "").split())
    return all(" ".join(p.split()) in flat for p in phrases)


def _section_hit(passages: list[Passage], filenames: dict[str, str], parts: list[ExpectedPart]) -> bool:
    found = [(filenames.get(p.source_id, "?"), p.heading) for p in passages]
    return any(_cited_right(found, part) for part in parts)


def _score_one(
    q: KBQuestion, answer: Answer, passages: dict[str, list[Passage]], filenames: dict[str, str], latency: float
) -> KBQuestionResult:
    parts = q.parts()
    hybrid = passages["hybrid"]
    cited = [(filenames.get(c.source_id, "?"), c.heading) for c in answer.citations]
    result = KBQuestionResult(
        id=q.id, question=q.question, expected=", ".join(f"{p.source}#{p.heading}" for p in parts) or None,
        retrieved=[f"{filenames.get(p.source_id, '?')}#{p.heading or ''}" for p in hybrid],
        hit_source=None, hit_section=None, abstained=answer.abstained,
        cited=[f"{src}#{heading or ''}" for src, heading in cited], citation_correct=None, contains_ok=None,
        cross_document=len(parts) > 1, near_miss=q.near_miss is not None, answerability=answer.answerability,
        answer=answer.answer, latency_ms=latency,
    )
    if not parts:
        return result
    text = " ".join([answer.answer, *(c.quote for c in answer.citations)])
    result.hit_source = any(filenames.get(p.source_id) in {x.source for x in parts} for p in hybrid)
    result.hit_section = _section_hit(hybrid, filenames, parts)
    if "vector" in passages:
        result.hit_section_vector = _section_hit(passages["vector"], filenames, parts)
        result.hit_section_keyword = _section_hit(passages["keyword"], filenames, parts)
    result.first_citation_ok = not answer.abstained and bool(cited) and any(_cited_right(cited[:1], p) for p in parts)
    if not answer.abstained:
        result.citation_correct = any(_cited_right(cited, p) for p in parts)
        result.contains_ok = _contains(text, [phrase for p in parts[:1] for phrase in p.answer_contains])
    if len(parts) > 1:
        result.cross_ok = not answer.abstained and all(
            _cited_right(cited, p) and _contains(text, p.answer_contains) for p in parts)
    return result


def evaluate_kb_questions(
    container: Container,
    questions: list[KBQuestion],
    *,
    engine: str = "rules",
    compare_retrieval: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> KBReport:
    """Ask every question through `clientloop.ask.ask` against what the container has ingested; score it.

    Args:
        container: The composition root holding the ingested knowledge base.
        questions: Labelled questions.
        engine: `rules` or `llm`.
        compare_retrieval: Also retrieve with vector search alone and keyword search alone, for
            the section hit@5 of each half beside the hybrid's.
        on_progress: Called with (done, total).

    Returns:
        Metrics, per-question results and the abstention precision/recall curve.
    """
    from clientloop.ask import ask

    with Session(container.engine) as s:
        filenames = {row.id: row.filename for row in s.exec(select(Source)).all()}
    modes = ("hybrid", "vector", "keyword") if compare_retrieval else ("hybrid",)
    results: list[KBQuestionResult] = []
    for i, q in enumerate(questions, 1):
        passages = {m: container.retriever.retrieve(q.question, where={"kind": "kb"}, k=5, mode=m) for m in modes}
        started = time.perf_counter()
        answer = ask(container, q.question, engine=engine)
        latency = (time.perf_counter() - started) * 1000
        results.append(_score_one(q, answer, passages, filenames, latency))
        if on_progress:
            on_progress(i, len(questions))
    return KBReport(metrics=_metrics(results), results=results, abstention_curve=abstention_curve(results))


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _metrics(results: list[KBQuestionResult]) -> dict[str, float | None]:
    answerable = [r for r in results if r.expected is not None]
    unanswerable = [r for r in results if r.expected is None]
    near = [r for r in unanswerable if r.near_miss]
    answered = [r for r in answerable if not r.abstained]
    cross = [r for r in answerable if r.cross_document]
    expected_docs = {r.id: {part.split("#", 1)[0] for part in (r.expected or "").split(", ")} for r in results}
    all_cites = [(r.id, c) for r in answered for c in r.cited]
    compared = [r for r in answerable if r.hit_section_vector is not None]
    metrics: dict[str, float | None] = {
        "questions": float(len(results)),
        "recall_at_5_source": _ratio(sum(bool(r.hit_source) for r in answerable), len(answerable)),
        "recall_at_5_section": _ratio(sum(bool(r.hit_section) for r in answerable), len(answerable)),
        "citation_accuracy": _ratio(sum(bool(r.citation_correct) for r in answered), len(answered)),
        "first_citation_accuracy": _ratio(sum(bool(r.first_citation_ok) for r in answerable), len(answerable)),
        "citation_precision": _ratio(
            sum(c.split("#", 1)[0] in expected_docs[qid] for qid, c in all_cites), len(all_cites)
        ),
        "answer_contains_rate": _ratio(sum(bool(r.contains_ok) for r in answered), len(answered)),
        "answer_contains_all": _ratio(sum(bool(r.contains_ok) for r in answerable), len(answerable)),
        "cross_document_right": _ratio(sum(bool(r.cross_ok) for r in cross), len(cross)),
        "correct_abstention_rate": _ratio(sum(r.abstained for r in unanswerable), len(unanswerable)),
        "near_miss_abstention_rate": _ratio(sum(r.abstained for r in near), len(near)),
        "false_abstention_rate": _ratio(sum(r.abstained for r in answerable), len(answerable)),
        "ask_ms_p50": _percentile([r.latency_ms for r in results], 0.5),
        "ask_ms_p95": _percentile([r.latency_ms for r in results], 0.95),
    }
    if compared:
        metrics["recall_at_5_section_vector"] = _ratio(sum(bool(r.hit_section_vector) for r in compared), len(compared))
        metrics["recall_at_5_section_keyword"] = _ratio(
            sum(bool(r.hit_section_keyword) for r in compared), len(compared))
    return metrics


def abstention_curve(results: list[KBQuestionResult]) -> list[dict[str, float | None]]:
    """Abstention precision and recall if the answerer abstained below each answerability cut-off.

    Precision: the share of abstentions that were on unanswerable questions; recall: the share of
    unanswerable questions abstained on. Empty when the answers carry no answerability score.
    """
    scored = [(r.answerability, r.expected is None) for r in results if r.answerability is not None]
    unanswerable = sum(1 for _, u in scored if u)
    curve: list[dict[str, float | None]] = []
    if not scored or not unanswerable:
        return curve
    for step in range(5, 100, 5):
        cut = step / 100
        abstained = [u for p, u in scored if p < cut]
        curve.append({"cutoff": cut, "precision": _ratio(sum(abstained), len(abstained)),
                      "recall": _ratio(sum(abstained), unanswerable)})
    return curve
