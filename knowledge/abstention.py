"""Abstention: whether the retrieved passages are evidence enough to answer at all.

Retrieval always returns *something*, so the answerer decides whether it is evidence, with
two independent signals and a veto:

1. semantic: the best passage's cosine similarity to the question (`vector_score`);
2. lexical: the share of the question's content words (stopwords and figures dropped,
   stemmed) found in the best-covered passage, each weighted by its IDF over the passages'
   sentences; a word no passage holds weighs as much as the rarest one.

It answers when the cosine reaches `abstain_threshold`, or when the cosine is within
`LEXICAL_MARGIN` of it *and* enough of the question is covered (exact product names and
figures that MiniLM under-weights). Both signals are needed: unrelated questions share
generic bank words with the knowledge base ("account", "customer"), and paraphrased
answerable ones share few words. The veto: a hyphenated compound in the question
("buy-to-let", "1-year", "same-day") names one specific thing; when no passage contains it
(hyphens and spaces alike) the passages are about a neighbouring topic, and only a cosine
`KEY_PHRASE_MARGIN` above the threshold still answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from knowledge.bm25 import content_terms
from knowledge.schemas import NOT_FOUND, Answer, Passage
from knowledge.sentences import quotable_sentences

DEFAULT_ABSTAIN_THRESHOLD = 0.45
"""Minimum best-passage cosine (MiniLM) for an answer on semantic evidence alone."""

LEXICAL_MARGIN = 0.05
"""How far below the threshold the cosine may fall when the question's words are well covered."""

MIN_COVERAGE = 0.5
"""IDF-weighted share of the question's content words a passage must contain to count as lexical evidence."""

KEY_PHRASE_MARGIN = 0.15
"""How far above the threshold the cosine must be to answer although a key phrase is missing."""

# Hyphenated compounds name one specific thing ("buy-to-let", "1-year", "same-day").
_KEY_PHRASE = re.compile(r"[^\W_]+(?:-[^\W_]+)+", re.UNICODE)


def _squash(text: str) -> str:
    """Lowercase with hyphens and whitespace runs as single spaces, for phrase matching."""
    return " " + " ".join(re.sub(r"[-‐‑–—]", " ", text.lower()).split()) + " "


def key_phrases(question: str) -> list[str]:
    """The question's hyphenated compounds, which name one specific thing each.

    Args:
        question: The question.

    Returns:
        The compounds, lowercased, in question order.
    """
    return list(dict.fromkeys(m.group().lower() for m in _KEY_PHRASE.finditer(question)))


def missing_key_phrases(question: str, passages: Sequence[Passage]) -> list[str]:
    """Key phrases of the question that no passage contains (hyphen or space alike).

    Args:
        question: The question.
        passages: Retrieved passages.

    Returns:
        The missing phrases.
    """
    texts = [_squash(p.text) for p in passages]
    return [k for k in key_phrases(question) if not any(_squash(k) in t for t in texts)]


def _weights(terms: set[str], texts: Sequence[set[str]]) -> dict[str, float]:
    """IDF of each term over the given texts; terms found in none weigh nothing."""
    n = len(texts)
    out = {}
    for t in terms:
        df = sum(1 for x in texts if t in x)
        out[t] = math.log(1.0 + n / df) if df else 0.0
    return out


def evidence(question: str, passages: Sequence[Passage]) -> tuple[float, float]:
    """The two abstention signals for a question and its retrieved passages.

    Args:
        question: The question.
        passages: Retrieved passages.

    Returns:
        `(best cosine, best coverage)`: the highest `vector_score`, and the highest share of
        the question's content words found in one passage, each word weighted by how rare it
        is among the passages' sentences (0 when the question has none).
    """
    best_cos = max((p.vector_score for p in passages if p.vector_score is not None), default=0.0)
    q_terms = {t for t in content_terms(question) if not t[0].isdigit() and t[0] != "£"}
    if not q_terms or not passages:
        return best_cos, 0.0
    sentences = [content_terms(s.text) for p in passages for s in quotable_sentences(p.text)]
    # A word no passage holds counts as the rarest there is: the question is about something else.
    weights = _weights(q_terms, sentences)
    top = max(weights.values(), default=0.0) or 1.0
    weights = {t: w or top for t, w in weights.items()}
    total = sum(weights.values())
    coverage = max(sum(weights[t] for t in q_terms & content_terms(p.text)) / total for p in passages)
    return best_cos, coverage


def is_supported(question: str, passages: Sequence[Passage], *, abstain_threshold: float) -> bool:
    """Whether the passages are evidence enough to answer (see the module docstring).

    Args:
        question: The question.
        passages: Retrieved passages.
        abstain_threshold: Cosine needed on semantic evidence alone.

    Returns:
        True to answer, False to abstain.
    """
    if not passages:
        return False
    best_cos, coverage = evidence(question, passages)
    if missing_key_phrases(question, passages):
        return best_cos >= abstain_threshold + KEY_PHRASE_MARGIN
    if best_cos >= abstain_threshold:
        return True
    return coverage >= MIN_COVERAGE and best_cos >= abstain_threshold - LEXICAL_MARGIN


def abstain(question: str, engine: str = "rules") -> Answer:
    """The answer that says the knowledge base does not cover the question."""
    return Answer(question=question, answer=NOT_FOUND, abstained=True, engine=engine)
