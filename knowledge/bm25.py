"""Okapi BM25 keyword scoring, with a tokenizer tuned for bank knowledge articles.

Decisions:

- **Why our own BM25**: the index is small (thousands of chunks), is rebuilt in memory from
  the vector store, and must be deterministic and dependency-free; forty lines of numpy-free
  Python do it in milliseconds.
- **Tokenizer**: lowercase; words are runs of letters and digits; money and rates stay whole
  (`£25`, `3.5%`, `1,000`) because "the £25 fee" and "the 25 day limit" are different facts;
  a short English stopword list is dropped; a light suffix stemmer folds plurals and -ed/-ing
  forms ("changes", "changed", "changing" -> "chang") without Porter's aggressive merges.
  A hyphenated compound (`same-day`, `buy-to-let`, `5-year`) yields its parts *and* itself
  as one term: its parts are often stopwords or everyday words ("same", "let"), while the
  compound names one specific thing and is rare, so it carries the match.
- **Scoring**: Okapi BM25 with k1 = 1.5, b = 0.75 and the non-negative IDF
  `ln(1 + (N - df + 0.5) / (df + 0.5))`, so terms in every document score low but never
  negative.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from pipeline.text import STOPWORDS

_TOKEN = re.compile(r"£?\d+(?:[.,]\d+)*%?|[^\W_]+", re.UNICODE)
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+", re.UNICODE)


def _stem(word: str) -> str:
    if word[0].isdigit() or word[0] == "£" or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # "transferred" -> "transfer"
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]  # "change"/"changed"/"changing" meet at "chang"
    return word


def tokenize(text: str) -> list[str]:
    """Split text into normalised index terms.

    Args:
        text: Any text.

    Returns:
        Lowercased, stopword-free, lightly stemmed terms in text order.
    """
    text = text.lower()
    terms = []
    compounds = {m.end(): m.group() for m in _COMPOUND.finditer(text)}
    for match in _TOKEN.finditer(text):
        word = match.group()
        if not (word in STOPWORDS or (len(word) == 1 and not word.isdigit())):
            terms.append(_stem(word))
        if match.end() in compounds:
            terms.append(_stem(compounds[match.end()]))
    return terms


def content_terms(text: str) -> set[str]:
    """The distinct index terms of a text (`tokenize` as a set).

    Args:
        text: Any text.

    Returns:
        Its terms.
    """
    return set(tokenize(text))


class BM25Index:
    """An in-memory Okapi BM25 index over a fixed list of documents."""

    def __init__(self, documents: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        """Index the documents.

        Args:
            documents: Document texts; results refer to them by position.
            k1: Term-frequency saturation.
            b: Length normalisation strength.
        """
        self.k1 = k1
        self.b = b
        self._tfs: list[Counter[str]] = [Counter(tokenize(doc)) for doc in documents]
        self._lengths = [sum(tf.values()) for tf in self._tfs]
        self._avg_len = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        self._postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self._tfs):
            for term in tf:
                self._postings.setdefault(term, []).append(i)
        n = len(self._tfs)
        self._idf = {
            term: math.log(1.0 + (n - len(docs) + 0.5) / (len(docs) + 0.5)) for term, docs in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self._tfs)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a (tokenized) term; 0 for unknown terms."""
        return self._idf.get(term, 0.0)

    def scores(self, query: str) -> dict[int, float]:
        """BM25 scores of every document sharing at least one term with the query.

        Args:
            query: Query text (tokenized like the documents; repeated terms count once).

        Returns:
            Document position to score (> 0).
        """
        out: dict[int, float] = {}
        avg = self._avg_len or 1.0
        for term in dict.fromkeys(tokenize(query)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for i in self._postings[term]:
                tf = self._tfs[i][term]
                norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self._lengths[i] / avg))
                out[i] = out.get(i, 0.0) + idf * norm
        return out

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The `k` best documents for the query.

        Args:
            query: Query text.
            k: How many results at most.

        Returns:
            `(document position, score)` pairs, best first; ties keep document order.
        """
        ranked = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return ranked[:k]
