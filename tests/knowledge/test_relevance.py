from __future__ import annotations

from knowledge.relevance import FIGURE_BONUS, sentence_scores
from knowledge.sentences import quotable_sentences

TEXT = "We give customers 14 days' notice. The Easy Saver pays 3.1% AER for customers."


def _scores(question: str) -> list[float]:
    sentences = quotable_sentences(TEXT)
    return sentence_scores(question, sentences, {"customer": 1.0}, None)


def test_how_far_ahead_asks_for_a_time_not_an_amount() -> None:
    notice, rate = _scores("Will we tell customers first, and how far ahead?")
    assert notice == 1.0 + FIGURE_BONUS and rate == 1.0


def test_how_far_without_ahead_still_asks_for_an_amount() -> None:
    _, rate = _scores("How far overdrawn can customers go?")
    assert rate == 1.0 + FIGURE_BONUS
