from __future__ import annotations

from knowledge.abstention import is_supported
from tests.knowledge.test_answer import passage


def test_low_cosine_is_rescued_only_by_strong_word_overlap() -> None:
    text = "The CHAPS fee is £25 per payment."
    assert is_supported("CHAPS fee", [passage(text, vector_score=0.42)], abstain_threshold=0.45)
    assert not is_supported("Bitcoin custody", [passage(text, vector_score=0.42)], abstain_threshold=0.45)
    assert not is_supported("CHAPS fee", [passage(text, vector_score=0.2)], abstain_threshold=0.45)


def test_missing_key_phrase_abstains_despite_good_cosine() -> None:
    text = "Maximum loan to value is 90% for purchases. Every mortgage is repayment only."
    question = "What's the maximum loan to value on a buy-to-let mortgage?"
    assert not is_supported(question, [passage(text, vector_score=0.5)], abstain_threshold=0.45)
    # A very close passage still answers, and a present phrase (hyphen or space alike) counts.
    assert is_supported(question, [passage(text, vector_score=0.65)], abstain_threshold=0.45)
    present = "Buy to let mortgages have a maximum loan to value of 75%."
    assert is_supported(question, [passage(present, vector_score=0.5)], abstain_threshold=0.45)
