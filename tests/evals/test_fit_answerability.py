from __future__ import annotations

import numpy as np

from evals.fit_answerability import MAX_FALSE_SHARE, Retrieved, choose_cutoff, features, fit
from evals.kb_questions import KBQuestion
from knowledge.bm25 import tokenize
from tests.knowledge.test_answer import passage

CARD = passage("The Harbour Classic Credit Card has a representative APR of 24.9% variable. The late fee is £12.")
VOCABULARY = frozenset(tokenize(CARD.text))


def question(n: int, text: str, *, answerable: bool) -> KBQuestion:
    source = {"expected_source": "credit-card-guide.md"} if answerable else {}
    return KBQuestion.model_validate({"id": f"q{n}", "question": text, **source})


def test_cutoff_is_the_highest_refusing_no_more_than_the_false_share() -> None:
    y = np.array([0, 0, 0] + [1] * 40)
    probabilities = np.array([0.02, 0.22, 0.52, 0.27, 0.6] + [0.97] * 38)
    # Up to 0.6 one answerable question in 40 is refused, within the share; above it two are.
    assert 1 / 40 <= MAX_FALSE_SHARE < 2 / 40
    assert choose_cutoff(probabilities, y) == 0.6
    assert choose_cutoff(probabilities, y, max_false_share=0.0) == 0.25


def test_a_question_the_veto_refuses_is_left_out_of_the_fit() -> None:
    asked = [
        ("What is the APR on the Classic card?", True),
        ("What is the late fee on the Classic card?", True),
        ("How much is the late fee?", True),
        ("What time does the canteen open?", False),
        ("What is the APR on the Harbour Platinum credit card?", False),
    ]
    questions = [question(n, text, answerable=a) for n, (text, a) in enumerate(asked)]
    retrieved = [Retrieved([CARD.model_copy(update={"vector_score": 0.7 if a else 0.3})], VOCABULARY) for _, a in asked]
    _, labels, vetoed = features(questions, retrieved)
    assert vetoed.tolist() == [False, False, False, False, True] and labels.tolist() == [1, 1, 1, 0, 0]
    relabelled = [*questions[:4], question(4, asked[4][0], answerable=True)]
    fitted = fit((questions, retrieved), (questions, retrieved))
    assert fit((relabelled, retrieved), (questions, retrieved))["WEIGHTS"] == fitted["WEIGHTS"]
