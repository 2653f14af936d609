"""How relevant a passage's sentences are to a question.

A sentence scores the IDF-weighted share of the question's content words it holds (a word
also matches a longer word it begins, `PREFIX_MATCH`+ letters), plus `FIGURE_BONUS` for a
figure of the kind asked for (a duration, time or date for how long / when / deadline; an
amount, rate or count for how much / fee / limit), plus its own cosine when an embedding
model is given. IDF is taken over the sentences of the retrieved passages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.bm25 import content_terms
from knowledge.schemas import Passage
from knowledge.sentences import Sentence, quotable_sentences

PREFIX_MATCH = 5
"""Shortest word that matches the longer words it begins (and the shorter ones that begin it)."""

SENTENCE_COSINE_WEIGHT = 1.0
"""Weight of a sentence's own cosine to the question, when an embedding model is given."""

FIGURE_BONUS = 0.5
"""Added to sentences holding a figure when the question asks how much, how long, when..."""

# Questions after a time, a duration or a deadline ("how far ahead" is a notice period); and questions
# after an amount, a rate or a count.
_WANTS_TIME = re.compile(
    r"\b(?:how (?:long|soon|quickly|often|early|late|far (?:ahead|in advance))|when|what (?:time|date)|deadline|latest"
    r"|earliest|notice)\b",
    re.IGNORECASE,
)
_WANTS_AMOUNT = re.compile(
    r"\b(?:how (?:much|many|far(?! ahead| in advance))|what (?:rate|fee|charge|age)|minimum|maximum|least|most|limit"
    r"|cost|charge|fee|rate)\b",
    re.IGNORECASE,
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|thirty|first|second|third|fourth|fifth"
    r"|next|same|\d+(?:[.,:]\d+)*(?:st|nd|rd|th)?)"
)
TIME_FIGURE = re.compile(
    rf"\b{_NUMBER_WORD}(?:\s*(?:to|-|–)\s*{_NUMBER_WORD})?\s*(?:am|pm|days?|weeks?|months?|years?|hours?|minutes?"
    r"|business|calendar|working)\b|\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b",
    re.IGNORECASE,
)
"""A duration, a time or a date ("14 days", "3:30pm", "the next business day", "7 October")."""
_AMOUNT_FIGURE = re.compile(r"£\s?\d|\d\s?%|\b\d[\d,.]*\b")


FIGURE_STEMS = frozenset(content_terms("time limit deadline long soon quickly fast date day when much many amount cap"))
"""Question words that ask for a figure and name nothing else ("what's the time limit?")."""


def wanted_figure(question: str) -> re.Pattern[str] | None:
    """The kind of figure a question asks for: a time (`TIME_FIGURE`), an amount, or None."""
    if _WANTS_TIME.search(question) or re.search(r"\btime limit\b|\bby when\b", question, re.IGNORECASE):
        return TIME_FIGURE
    return _AMOUNT_FIGURE if _WANTS_AMOUNT.search(question) else None


def holds(terms: set[str], word: str) -> bool:
    """Whether `terms` hold the question word, or a word it begins or that begins it.

    Both words need `PREFIX_MATCH` letters: the stemmer leaves "withdraw" and "withdrawal",
    "complain" and "complaint" apart.
    """
    if word in terms:
        return True
    if len(word) < PREFIX_MATCH or word[0].isdigit() or word[0] == "£":
        return False
    return any(len(t) >= PREFIX_MATCH and (t.startswith(word) or word.startswith(t)) for t in terms)


def term_weights(question: str, passages: Sequence[Passage]) -> dict[str, float]:
    """IDF of the question's content words over the passages' sentences (0 when none holds it)."""
    sentences = [content_terms(s.text) for p in passages for s in quotable_sentences(p.text)]
    n = len(sentences)
    out = {}
    for word in content_terms(question):
        df = sum(1 for terms in sentences if holds(terms, word))
        out[word] = math.log(1.0 + n / df) if df else 0.0
    return out


def share(weights: dict[str, float], terms: set[str]) -> float:
    """IDF-weighted share of the question's words found in `terms`."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if w and holds(terms, t)) / total if total else 0.0


def sentence_scores(
    question: str,
    sentences: Sequence[Sentence | None],
    weights: dict[str, float],
    embeddings: Embeddings | None,
) -> list[float]:
    """Relevance of each sentence to the question (-1 for heading lines).

    The IDF-weighted share of the question's words the sentence holds, plus `FIGURE_BONUS`
    for a figure when the question asks for one, plus (with an embedding model) the
    sentence's own cosine.
    """
    figures = [
        f for f, wants in ((TIME_FIGURE, _WANTS_TIME), (_AMOUNT_FIGURE, _WANTS_AMOUNT)) if wants.search(question)
    ]
    texts = [s.text for s in sentences if s is not None]
    similarities: list[float] = [0.0] * len(texts)
    if embeddings is not None and texts:
        q = np.asarray(embeddings.embed_query(question), dtype=np.float32)
        vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
        similarities = [float(x) for x in vectors @ q]
    out, k = [], 0
    for s in sentences:
        if s is None:
            out.append(-1.0)
            continue
        score = share(weights, content_terms(s.text)) + SENTENCE_COSINE_WEIGHT * similarities[k]
        if any(f.search(s.text) for f in figures):
            score += FIGURE_BONUS
        out.append(score)
        k += 1
    return out
