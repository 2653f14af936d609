"""The rules engine's extractive answer: quote the best section of the knowledge base, or abstain.

Decisions:

- **Extractive, never generated.** The rules engine answers with one contiguous run of
  sentences copied from the best retrieved section (and at most `MAX_RUNS` in all: a second
  section of the same document, and the best section for each ask of a question that asks two
  things), each run followed by its marker `[n]`; citation `n` carries
  the run's exact text and its `[start, end)` span in the *source* text (`passage.start` +
  offset in the chunk), so `source_text[start:end] == quote` always holds and a reviewer can
  jump to it. Whether to answer at all is `knowledge.answerability`'s decision (a near miss
  gets `knowledge.near_miss`'s honest abstention).
- **Answer from the best section, not from scattered sentences.** Sentences picked one by one
  across passages read incoherently. Each retrieved passage is scored as a section: its fused
  retrieval score (relative to the best), the question words in its own heading (document
  title words left out), its cosine, and its best and second-best sentence scores
  (`knowledge.relevance`); a document's introduction (text above the first heading) loses
  `INTRO_PENALTY` when one of its sections was retrieved too, since it states scope, not
  steps. The best section is quoted; the next section of the same document is quoted too
  (shorter) when it scores within `SECOND_SECTION_FRACTION` of the best. Runs are shown most
  relevant first, not in document order.
- **A strong sentence is not lost to the run.** A sentence of the best section outside the quoted
  run that scores `STANDOUT_FRACTION` of the section's best (a procedure step far below the
  lead-in: "If the customer cannot be reached after two attempts...") is quoted too, cited on
  its own.
- **A question that asks two things gets both answers** ("How much was the fee, and can I
  refund it myself?", split by `knowledge.near_miss.split_asks`): each ask ranks the sections on
  its own words, and its best section, when not already quoted and holding a sentence that scores
  `ASK_MIN_SCORE` for it, adds a run, from whichever document it comes. When that section is
  already quoted, the best section of another document takes its place if it scores within
  `FALLBACK_FRACTION` of it (the second ask is usually another document's) and holds the whole
  question's words nearly as well (`FALLBACK_COVERAGE_FRACTION`): a section matching a short ask
  ("when is the money paid") in another case is not the second document.
- **The quote is a contiguous run in document order.** Each sentence counts its score less
  `LEAD_IN_FRACTION` of the section's best; the run with the most relevance within `MAX_CHARS`
  wins, so a scope or boilerplate sentence is skipped when a more specific one scores higher.
  Following sentences are then added while they fit (they continue the procedure), and a run
  ending in a sentence that introduces a list (":") brings its items (up to `LIST_BUDGET`), or
  drops that sentence. Heading lines quoted inline (PDF, HTML) are never quoted.
- **Sentences keep exact offsets** (`knowledge.sentences`). The quote is the exact source
  text; the answer text shows it on one line, with list markers, table pipes and Markdown
  emphasis (`**`) removed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import NamedTuple

from langchain_core.embeddings import Embeddings

from knowledge.abstention import DEFAULT_ABSTAIN_THRESHOLD, abstain, is_supported
from knowledge.answerability import DEFAULT_CUTOFF, assess
from knowledge.bm25 import content_terms
from knowledge.near_miss import near_miss_answer, split_asks
from knowledge.relevance import sentence_scores, share, term_weights
from knowledge.schemas import Answer, Citation, Passage
from knowledge.sentences import Sentence, quotable_sentences

__all__ = ["CANDIDATE_PASSAGES", "DEFAULT_ABSTAIN_THRESHOLD", "DEFAULT_CUTOFF", "answer_with_rules"]

CANDIDATE_PASSAGES = 5

MAX_CHARS = 450
"""Length budget of the quoted run from the best section (characters as displayed)."""

LIST_BUDGET = 650
"""A run ending in a sentence that introduces a list (":") may grow to this to bring its items."""

SECOND_MAX_CHARS = 250
"""Length budget of the run from a second section of the same source."""

SECOND_SECTION_FRACTION = 0.85
"""A second section is quoted only when it scores at least this share of the best one."""

RANK_WEIGHT = 0.5
"""Weight of the fused retrieval score (relative to the best passage's) in a section's score.

Fusion with a small RRF constant (`knowledge.retrieval.RRF_K`) spreads the relative scores
(the fifth passage scores about half the first), so the rank weighs less than the passage's own
evidence: at 2.0 the top-ranked passage was quoted even when a lower one held the answer."""

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

ASK_MIN_SCORE = 0.4
"""A section answers one ask of a two-part question only if a sentence scores this much for that ask."""

STANDOUT_FRACTION = 0.5
"""A sentence of the best section outside the quoted run is quoted too when it scores this share of the best."""

FALLBACK_FRACTION = 0.9
"""An ask whose best section is already quoted takes another document's best section scoring this share of it.

On train and dev, 0.6 to 0.9 right the same two-document question; a lower share adds more
wrong-document runs (citation precision train 0.92 at 0.9, 0.89 with no floor)."""

FALLBACK_MIN_SCORE = 0.6
"""The stand-in section must also hold a sentence scoring this much for the ask, more than
`ASK_MIN_SCORE`: at 0.5 a vague ask ("and how far ahead?") took a mortgage section on the demo set."""

FALLBACK_COVERAGE_FRACTION = 0.75
"""The stand-in section must also hold this share of the whole question's words that the quoted best section holds
(IDF-weighted, `knowledge.relevance.share`): the second document of a two-part question is about the same case.

On train and dev the one right stand-in held 0.87 of them, the three wrong ones (a credit-card section for a
debit-card dispute, an Easy Saver section for another account's closure) 0.56 to 0.61; 0.7 to 0.85 keep the same
answers (citation precision train 0.923 -> 0.952, dev 0.897 -> 0.921)."""

MAX_RUNS = 4
"""Most quoted runs in one answer."""

_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _display(text: str) -> str:
    """A quoted sentence as shown to the reader: one line, no Markdown emphasis or table pipes."""
    text = _EMPHASIS.sub("", text)
    if text.lstrip().startswith("|"):
        text = " | ".join(cell.strip() for cell in text.strip().strip("|").split("|") if cell.strip())
    return _tidy(text)


def _is_heading_text(sentence: Sentence, passage: Passage) -> bool:
    """True for a heading line quoted as if it were a sentence (PDF, HTML and DOCX keep them inline)."""
    parts = {_tidy(h).casefold() for h in (passage.heading or "").split(">")}
    return _tidy(_EMPHASIS.sub("", sentence.text)).rstrip(":").casefold() in parts


class _Section(NamedTuple):
    """A retrieved passage as an answer candidate: its rank, score and quotable sentences."""

    rank: int
    passage: Passage
    score: float
    sentences: list[Sentence | None]
    """The passage's sentences in order; None for a heading line, which a quote may not cross."""
    sentence_scores: list[float]
    """Relevance of each sentence to the question (`knowledge.relevance.sentence_scores`)."""


def _section_terms(heading: str | None) -> set[str]:
    """Content words of a passage's own heading, less those of the document title above it."""
    parts = (heading or "").split(">")
    return content_terms(parts[-1]) - content_terms(parts[0]) if len(parts) > 1 else set()


def _rank_sections(
    question: str, passages: Sequence[Passage], weights: dict[str, float], embeddings: Embeddings | None
) -> list[_Section]:
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
        sentences = [None if _is_heading_text(s, p) else s for s in quotable_sentences(p.text)]
        scores = sentence_scores(question, sentences, weights, embeddings)
        top_two = [*sorted(scores, reverse=True), 0.0, 0.0][:2]
        score = (
            RANK_WEIGHT * p.score / top
            + SECTION_HEADING_WEIGHT * share(heading_weights, _section_terms(p.heading))
            + COSINE_WEIGHT * (p.vector_score or 0.0)
            + BEST_SENTENCE_WEIGHT * top_two[0]
            + SECOND_SENTENCE_WEIGHT * top_two[1]
            - (INTRO_PENALTY if intro else 0.0)
        )
        sections.append(_Section(rank, p, score, sentences, scores))
    return sorted(sections, key=lambda x: (-x.score, x.rank))


def _window(section: _Section, budget: int) -> tuple[int, int] | None:
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
    sizes = [len(_display(s.text)) + 1 if s is not None else 0 for s in sentences]
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


def _standout_run(section: _Section, window: tuple[int, int]) -> tuple[int, int] | None:
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
    end, used = best, len(_display(section.sentences[best].text))  # type: ignore[union-attr]
    while end + 1 < len(section.sentences) and end + 1 != window[0]:
        following = section.sentences[end + 1]
        if following is None or used + len(_display(following.text)) + 1 > SECOND_MAX_CHARS:
            break
        end, used = end + 1, used + len(_display(following.text)) + 1
    return best, end


def _join_display(sentences: Sequence[Sentence]) -> str:
    """The sentences as one line; list items and table rows without end punctuation get a ";"."""
    parts = [_display(s.text) for s in sentences]
    return " ".join(part if i == len(parts) - 1 or part[-1] in ".!?:;" else part + ";" for i, part in enumerate(parts))


def _can_stand_in(section: _Section, floor: float, coverage: float, question_weights: dict[str, float]) -> bool:
    """Whether another document's section may answer an ask whose best section is already quoted.

    It must score `floor` for the ask, hold a sentence scoring `FALLBACK_MIN_SCORE` for it, and cover the
    whole question's words (`share`) at least `coverage`.
    """
    return (
        section.score >= floor
        and max(section.sentence_scores, default=0.0) >= FALLBACK_MIN_SCORE
        and share(question_weights, content_terms(section.passage.text)) >= coverage
    )


def _ask_runs(
    question: str,
    asks: Sequence[str],
    passages: Sequence[Passage],
    embeddings: Embeddings | None,
    cited: set[str],
) -> list[tuple[_Section, tuple[int, int]]]:
    """For a question that asks two things, a run from the best section for each ask not yet cited.

    Each ask ("How much was the fee", "can I refund it myself") ranks the sections on its own
    words, so the second half of a question is answered from whichever document
    holds it. When an ask's best section is already quoted, the best section of a document not
    yet quoted is taken instead if it scores `FALLBACK_FRACTION` of it, holds a sentence
    scoring `FALLBACK_MIN_SCORE` for the ask and `FALLBACK_COVERAGE_FRACTION` of the question's words
    the quoted section holds.
    """
    runs: list[tuple[_Section, tuple[int, int]]] = []
    question_weights = term_weights(question, passages)
    for ask in asks:
        ranked = _rank_sections(ask, passages, term_weights(ask, passages), embeddings)
        best = ranked[0]
        if best.passage.chunk_id in cited:
            # A question asking two things often needs a second document, whose section ranks
            # close behind for this ask: take it rather than add nothing.
            quoted = {s.passage.source_id for s in ranked if s.passage.chunk_id in cited}
            floor = FALLBACK_FRACTION * best.score
            coverage = FALLBACK_COVERAGE_FRACTION * share(question_weights, content_terms(best.passage.text))
            best = next(
                (
                    s
                    for s in ranked
                    if s.passage.source_id not in quoted and _can_stand_in(s, floor, coverage, question_weights)
                ),
                best,
            )
        if best.passage.chunk_id in cited or max(best.sentence_scores, default=0.0) < ASK_MIN_SCORE:
            continue
        window = _window(best, SECOND_MAX_CHARS)
        if window is not None:
            cited.add(best.passage.chunk_id)
            runs.append((best, window))
    return runs


def _compose(
    question: str,
    passages: Sequence[Passage],
    embeddings: Embeddings | None,
) -> list[tuple[Passage, list[Sentence]]]:
    """The quoted runs, most relevant first.

    The best section, the next one of its source if close behind, and for a question that asks
    two things the best section of each ask.
    """
    weights = term_weights(question, passages)
    sections = _rank_sections(question, passages, weights, embeddings)
    best = sections[0]
    window = _window(best, MAX_CHARS)
    if window is None:
        return []
    runs: list[tuple[_Section, tuple[int, int]]] = [(best, window)]
    standout = _standout_run(best, window)
    if standout is not None:
        runs.append((best, standout))
    for other in sections[1:]:
        if other.passage.source_id != best.passage.source_id:
            continue
        if other.score >= SECOND_SECTION_FRACTION * best.score:
            window = _window(other, SECOND_MAX_CHARS)
            if window is not None:
                runs.append((other, window))
        break
    runs += _ask_runs(question, split_asks(question), passages, embeddings, {sec.passage.chunk_id for sec, _ in runs})
    return [(sec.passage, [s for s in sec.sentences[a : b + 1] if s is not None]) for sec, (a, b) in runs[:MAX_RUNS]]


def answer_with_rules(
    question: str,
    passages: Sequence[Passage],
    *,
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD,
    answerability_cutoff: float | None = DEFAULT_CUTOFF,
    embeddings: Embeddings | None = None,
    vocabulary: Collection[str] | None = None,
) -> Answer:
    """Answer from the passages by quoting the best section's most relevant sentences, or abstain.

    Args:
        question: The question as asked.
        passages: Retrieved passages, best first (from `HybridRetriever.retrieve`).
        abstain_threshold: Best-passage cosine needed to answer on semantic evidence alone, when
            `answerability_cutoff` is None (the cosine-and-coverage rule of `knowledge.abstention`).
        answerability_cutoff: Answer when `knowledge.answerability.assess` estimates the
            probability that the passages answer the question at this or more (the knowledge
            base's measured decision); None for the cosine rule alone (other corpora).
        embeddings: Optional embedding model; when given, sentence choice also uses each
            sentence's cosine to the question.
        vocabulary: Every term of the knowledge base, for the answerability veto on a thing it
            never mentions (`knowledge.answerability.assess`).

    Returns:
        An `Answer` with `engine="rules"`: one or two quoted runs of contiguous sentences, each
        followed by `[n]`, with citations whose `span` indexes the source text; or `NOT_FOUND`
        with `abstained=True`.

    Raises:
        BackendError: The embedding model failed.
    """
    if answerability_cutoff is None:
        probability = None
        if not is_supported(question, passages, abstain_threshold=abstain_threshold):
            return abstain(question)
    else:
        decision = assess(question, passages, vocabulary=vocabulary)
        probability = decision.probability
        if not passages or probability < answerability_cutoff:
            return near_miss_answer(question, passages, decision)
    runs = _compose(question, passages[:CANDIDATE_PASSAGES], embeddings)
    if not runs:
        return abstain(question).model_copy(update={"answerability": probability})

    parts: list[str] = []
    citations: list[Citation] = []
    documents: list[str] = []
    for n, (p, sentences) in enumerate(runs, start=1):
        start, end = sentences[0].start, sentences[-1].end
        citations.append(
            Citation(
                id=n,
                source_id=p.source_id,
                source_title=p.source_title,
                heading=p.heading,
                quote=p.text[start:end],
                span=(p.start + start, p.start + end),
            )
        )
        parts.append(f"{_join_display(sentences)} [{n}]")
        if p.source_title not in documents:
            documents.append(p.source_title)
    return Answer(
        question=question,
        answer=" ".join(parts),
        abstained=False,
        citations=citations,
        documents=documents,
        engine="rules",
        answerability=probability,
    )
