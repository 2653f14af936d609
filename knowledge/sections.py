"""Retrieved passages scored as sections, and the run of sentences to quote from one.

`knowledge.answer` decides what to quote and how to cite it; this module holds how a section
is scored against the question (`rank_sections`) and which contiguous run of its sentences is
quoted (`quote_window`, `standout_run`), with the displayed form of a quoted sentence. The
reasons for each weight are in its docstring; the answer module's docstring gives the whole
design.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from langchain_core.embeddings import Embeddings

from knowledge.bm25 import content_terms
from knowledge.relevance import sentence_scores, share
from knowledge.schemas import Passage
from knowledge.sentences import Sentence, quotable_sentences

LIST_BUDGET = 650
"""A run ending in a sentence that introduces a list (":") may grow to this to bring its items."""

SECOND_MAX_CHARS = 250
"""Length budget of the run from a second section of the same source."""

RANK_WEIGHT = 0.5
"""Weight of the fused retrieval score (relative to the best passage's) in a section's score.

Fusion with a small RRF constant (`knowledge.retrieval.RRF_K`) spreads the relative scores
(the fifth passage scores about half the first), so the rank weighs less than the passage's own
evidence: at 2.0 the top-ranked passage was quoted even when a lower one held the answer.

A grid over the five section weights on the blind train split (rank 0.25 to 2, heading 0.25 to 1.5, cosine
2 to 6, best sentence 0.75 to 2.5, second 0 to 1) found (2, 0.5, 3, 2.5, 1): train first citation 0.810 ->
0.833 and fact 0.881 -> 0.905, dev and demo the same answers (precision up), but the test split's fact
0.711 -> 0.689 and precision 0.892 -> 0.862. Not shipped: no held-out gain in what it aims at."""

SECTION_HEADING_WEIGHT = 0.5
"""Weight of the question words (IDF-weighted share) found in the section's own heading."""

COSINE_WEIGHT = 3.0
"""Weight of the passage's cosine to the question."""

BEST_SENTENCE_WEIGHT = 1.5
"""Weight of the section's best sentence score (question words it covers, figure bonus)."""

SECOND_SENTENCE_WEIGHT = 0.5
"""Weight of its second-best sentence: a section with two relevant sentences beats a lone match."""

INTRO_PENALTY = 0.5
"""Taken from a document's introduction (the text above its first section heading) when one of its
sections was retrieved too: an introduction says what the document covers (owner, version, scope),
a section says what to do."""

LEAD_IN_FRACTION = 0.3
"""A sentence before the best one joins the run only if it scores at least this share of it."""

STANDOUT_FRACTION = 0.5
"""A sentence of the best section outside the quoted run is quoted too when it scores this share of the best."""

_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def tidy(text: str) -> str:
    """The text on one line, runs of whitespace as one space."""
    return " ".join(text.split())


def display(text: str) -> str:
    """A quoted sentence as shown to the reader: one line, no Markdown emphasis or table pipes."""
    text = _EMPHASIS.sub("", text)
    if text.lstrip().startswith("|"):
        text = " | ".join(cell.strip() for cell in text.strip().strip("|").split("|") if cell.strip())
    return tidy(text)


def is_heading_text(sentence: Sentence, passage: Passage) -> bool:
    """True for a heading line quoted as if it were a sentence (PDF, HTML and DOCX keep them inline)."""
    parts = {tidy(h).casefold() for h in (passage.heading or "").split(">")}
    return tidy(_EMPHASIS.sub("", sentence.text)).rstrip(":").casefold() in parts


class Section(NamedTuple):
    """A retrieved passage as an answer candidate: its rank, score and quotable sentences."""

    rank: int
    passage: Passage
    score: float
    sentences: list[Sentence | None]
    """The passage's sentences in order; None for a heading line, which a quote may not cross."""
    sentence_scores: list[float]
    """Relevance of each sentence to the question (`knowledge.relevance.sentence_scores`)."""


def section_terms(heading: str | None) -> set[str]:
    """Content words of a passage's own heading, less those of the document title above it."""
    parts = (heading or "").split(">")
    return content_terms(parts[-1]) - content_terms(parts[0]) if len(parts) > 1 else set()


def rank_sections(
    question: str, passages: Sequence[Passage], weights: dict[str, float], embeddings: Embeddings | None
) -> list[Section]:
    """The candidate passages as sections, best first (see the module docstring)."""
    top = max((p.score for p in passages), default=0.0) or 1.0
    # A question word that only a heading holds ("Standard complaints") has no sentence IDF; it weighs
    # as much as the rarest word, as in `knowledge.abstention.evidence`.
    rarest = max(weights.values(), default=0.0)
    heading_weights = {t: w or rarest for t, w in weights.items()}
    sectioned = {p.source_id for p in passages if ">" in (p.heading or "")}
    sections = []
    for rank, p in enumerate(passages):
        intro = p.source_id in sectioned and ">" not in (p.heading or "")
        sentences = [None if is_heading_text(s, p) else s for s in quotable_sentences(p.text)]
        scores = sentence_scores(question, sentences, weights, embeddings)
        top_two = [*sorted(scores, reverse=True), 0.0, 0.0][:2]
        score = (
            RANK_WEIGHT * p.score / top
            + SECTION_HEADING_WEIGHT * share(heading_weights, section_terms(p.heading))
            + COSINE_WEIGHT * (p.vector_score or 0.0)
            + BEST_SENTENCE_WEIGHT * top_two[0]
            + SECOND_SENTENCE_WEIGHT * top_two[1]
            - (INTRO_PENALTY if intro else 0.0)
        )
        sections.append(Section(rank, p, score, sentences, scores))
    return sorted(sections, key=lambda x: (-x.score, x.rank))


def quote_window(section: Section, budget: int) -> tuple[int, int] | None:
    """The most relevant contiguous run of sentences `[a, b]` of a section, within `budget` characters.

    Each sentence counts its score less `LEAD_IN_FRACTION` of the best sentence's, so a
    run takes in a neighbour only when it is relevant in its own right: a scope or
    introduction line is skipped when a more specific sentence follows. The run with the most
    relevance that fits the budget wins (the earliest on ties); sentences that follow it are
    then added while they fit, since they continue the passage. A run that ends with a
    sentence introducing a list (":") brings the items that fit in `LIST_BUDGET`, or loses
    that sentence. A run never crosses a heading line.
    """
    sentences, scores = section.sentences, section.sentence_scores
    sizes = [len(display(s.text)) + 1 if s is not None else 0 for s in sentences]
    quotable = [i for i, s in enumerate(sentences) if s is not None]
    if not quotable:
        return None
    floor = LEAD_IN_FRACTION * max(scores[i] for i in quotable)
    best: tuple[float, int, int] | None = None
    for a in quotable:
        value, used = 0.0, 0
        for b in range(a, len(sentences)):
            if sentences[b] is None or (used + sizes[b] > budget and b > a):
                break
            value, used = value + scores[b] - floor, used + sizes[b]
            if best is None or value > best[0] + 1e-9:
                best = (value, a, b)
    assert best is not None
    _, a, b = best
    used = sum(sizes[a : b + 1])
    while b + 1 < len(sentences) and sentences[b + 1] is not None and used + sizes[b + 1] <= budget:
        b, used = b + 1, used + sizes[b + 1]
    if sentences[b].text.rstrip().endswith(":"):  # type: ignore[union-attr]
        while b + 1 < len(sentences) and sentences[b + 1] is not None and used + sizes[b + 1] <= LIST_BUDGET:
            b, used = b + 1, used + sizes[b + 1]
        if b > a and sentences[b].text.rstrip().endswith(":"):  # type: ignore[union-attr]
            b -= 1
    return a, b


def standout_run(section: Section, window: tuple[int, int]) -> tuple[int, int] | None:
    """A strong sentence the window left out (and what follows it within `SECOND_MAX_CHARS`), if any.

    A window is the most relevant *run*; a procedure step far below it ("If the customer cannot
    be reached after two attempts...") can answer the question on its own. The best sentence
    outside the window is quoted too when it scores at least `STANDOUT_FRACTION` of the
    section's best.
    """
    scores = section.sentence_scores
    outside = [i for i, s in enumerate(section.sentences) if s is not None and not window[0] <= i <= window[1]]
    best = max(outside, key=lambda i: (scores[i], -i), default=None)
    if best is None or scores[best] < STANDOUT_FRACTION * max(scores):
        return None
    end, used = best, len(display(section.sentences[best].text))  # type: ignore[union-attr]
    while end + 1 < len(section.sentences) and end + 1 != window[0]:
        following = section.sentences[end + 1]
        if following is None or used + len(display(following.text)) + 1 > SECOND_MAX_CHARS:
            break
        end, used = end + 1, used + len(display(following.text)) + 1
    return best, end


def join_display(sentences: Sequence[Sentence]) -> str:
    """The sentences as one line; list items and table rows without end punctuation get a ";"."""
    parts = [display(s.text) for s in sentences]
    return " ".join(part if i == len(parts) - 1 or part[-1] in ".!?:;" else part + ";" for i, part in enumerate(parts))
