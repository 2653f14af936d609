from __future__ import annotations

from evals.kb_questions import BLIND_QUESTIONS, KBQuestion, _metrics, _score_one, abstention_curve, load_questions
from knowledge.schemas import Answer, Citation, Passage

FILES = {"s-fee": "fee-schedule.md", "s-vuln": "vulnerable-customers.pdf"}


def passage(source_id: str, heading: str) -> Passage:
    return Passage(chunk_id=f"{source_id}:0", source_id=source_id, source_title=source_id, heading=heading,
                   text="x", start=0, end=1, score=1.0)


def cite(n: int, source_id: str, heading: str, quote: str) -> Citation:
    return Citation(id=n, source_id=source_id, source_title=source_id, heading=heading, quote=quote, span=(0, 1))


CROSS = KBQuestion.model_validate({
    "id": "x", "question": "Refund late fees and breathing space?", "expected_source": "fee-schedule.md",
    "expected_heading": "Fee waivers", "answer_contains": ["FIN"], "split": "train", "style": "cross_document",
    "expected_sources": [{"source": "fee-schedule.md", "heading": "Fee waivers", "answer_contains": ["FIN"]},
                         {"source": "vulnerable-customers.pdf", "heading": "Adjustments",
                          "answer_contains": ["30 days"]}],
})


def test_cross_document_question_is_right_only_when_both_parts_are_cited() -> None:
    passages = {"hybrid": [passage("s-fee", "Fees > Fee waivers")]}
    one = Answer(question="q", answer="Use code FIN [1]", abstained=False, engine="rules",
                 citations=[cite(1, "s-fee", "Fees > Fee waivers", "code FIN")])
    both = one.model_copy(update={"citations": [*one.citations, cite(2, "s-vuln", "V > Adjustments", "pause 30 days")]})
    assert _score_one(CROSS, one, passages, FILES, 1.0).cross_ok is False
    result = _score_one(CROSS, both, passages, FILES, 1.0)
    assert result.cross_ok is True and result.first_citation_ok is True


def test_first_citation_from_another_section_is_wrong() -> None:
    answer = Answer(question="q", answer="a [1]", abstained=False, engine="rules",
                    citations=[cite(1, "s-fee", "Fees > UK payments", "FIN"),
                               cite(2, "s-fee", "Fees > Fee waivers", "FIN")])
    result = _score_one(CROSS, answer, {"hybrid": []}, FILES, 1.0)
    assert result.first_citation_ok is False and result.citation_correct is True


def test_abstention_counts_against_answer_contains_all_but_not_answered_rate() -> None:
    abstained = Answer(question="q", answer="Not found", abstained=True, engine="rules")
    answered = Answer(question="q", answer="FIN 30 days [1]", abstained=False, engine="rules",
                      citations=[cite(1, "s-fee", "Fees > Fee waivers", "FIN")])
    results = [_score_one(CROSS, abstained, {"hybrid": []}, FILES, 1.0),
               _score_one(CROSS, answered, {"hybrid": []}, FILES, 3.0)]
    metrics = _metrics(results)
    assert metrics["answer_contains_rate"] == 1.0 and metrics["answer_contains_all"] == 0.5
    assert metrics["false_abstention_rate"] == 0.5


def test_abstention_curve_counts_unanswerable_below_each_cutoff() -> None:
    unanswerable = KBQuestion(id="u", question="Lifetime ISA bonus?")
    low = Answer(question="q", answer="Not found", abstained=True, engine="rules", answerability=0.2)
    high = Answer(question="q", answer="a", abstained=False, engine="rules", answerability=0.9)
    results = [_score_one(unanswerable, low, {"hybrid": []}, FILES, 1.0),
               _score_one(CROSS, high, {"hybrid": []}, FILES, 1.0)]
    at_half = next(p for p in abstention_curve(results) if p["cutoff"] == 0.5)
    assert at_half == {"cutoff": 0.5, "precision": 1.0, "recall": 1.0}


def test_blind_set_splits_load_separately() -> None:
    test = load_questions(BLIND_QUESTIONS, splits={"test"})
    train = load_questions(BLIND_QUESTIONS, splits={"train"})
    assert test and train and not {q.id for q in test} & {q.id for q in train}


def test_a_missing_question_file_is_named_not_skipped(monkeypatch, tmp_path) -> None:
    import pytest

    from evals import kb_questions, runner
    from evals.datasets import DatasetMissing

    monkeypatch.setattr(kb_questions, "FRESH_QUESTIONS", tmp_path / "kb-fresh.jsonl")
    with pytest.raises(DatasetMissing, match="kb-fresh.jsonl"):
        runner._kb_report("rules", "fresh")
