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
  its own words, among its own retrieved passages (`HybridRetriever.retrieve_asks`, which finds a
  second document the whole question's ranking leaves out) and the question's. Its best section,
  when not already quoted and answering it (`_ask_support`: its best sentence plus the ask's words
  in its headings, at least `ASK_MIN_SCORE`), adds a run, from whichever document it comes. An ask
  the quote already answers (`ANSWERED_SHARE` of its words shown, or the figure it asks for) adds
  nothing. When its best section is already quoted but the quote does not answer it, the best
  section of another document takes its place if it scores within `FALLBACK_FRACTION` of it and
  its support reaches `FALLBACK_MIN_SCORE`.
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
from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple

from langchain_core.embeddings import Embeddings

from knowledge.abstention import DEFAULT_ABSTAIN_THRESHOLD, abstain, is_supported
from knowledge.answerability import DEFAULT_CUTOFF, assess
from knowledge.bm25 import content_terms
from knowledge.near_miss import near_miss_answer, split_asks
from knowledge.relevance import FIGURE_STEMS, sentence_scores, share, term_weights, wanted_figure
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

ASK_MIN_SCORE = 0.4
"""A section answers one ask of a two-part question only if a sentence scores this much for that ask."""

STANDOUT_FRACTION = 0.5
"""A sentence of the best section outside the quoted run is quoted too when it scores this share of the best."""

FALLBACK_FRACTION = 0.8
"""An ask whose best section is already quoted takes another document's best section scoring this share of it.

At 0.9 the onboarding checklist's tax section (0.89 of the SIPP section for "what tax detail must we collect during
onboarding?") was left out; the `ANSWERED_SHARE` check keeps a lower share from adding documents to asks the quote
answers (two-document questions train 3/6 -> 4/6, citation precision 0.953 -> 0.954)."""

FALLBACK_MIN_SCORE = 0.6
"""The stand-in section's `_ask_support` for the ask must reach this, more than `ASK_MIN_SCORE`: at 0.5 a vague
ask ("and how far ahead?") took a mortgage section on the demo set."""

FALLBACK_COVERAGE_FRACTION = 0.75
"""The stand-in section must also hold this share of the whole question's words (IDF-weighted, text and headings)
that the quoted best section holds: the second document of a two-part question is about the same case (a
company's tax reference is not a SIPP customer's)."""

ANSWERED_SHARE = 0.7
"""An ask is answered by the quote already shown when the quoted sentences and headings hold this share of its
words (IDF-weighted); otherwise another document's section may answer it."""

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


def _ask_support(section: _Section, weights: dict[str, float]) -> float:
    """How well a section answers one ask: its best sentence's score plus the ask's words in its headings.

    A section's heading and its document's title say what its sentences are about ("6. Tax and
    regulatory forms" in "New Customer Onboarding" answers "what tax detail must we collect during
    onboarding?" though its rows name neither).
    """
    heading = content_terms(section.passage.heading or section.passage.source_title)
    return max(section.sentence_scores, default=0.0) + share(weights, heading)


def _answered(
    ask: str, weights: dict[str, float], runs: Sequence[tuple[_Section, tuple[int, int]]], *, figure_only: bool
) -> bool:
    """Whether the quote already shown answers an ask.

    An ask after a figure alone ("what's the time limit?", "by when?") is answered by a quoted figure of that
    kind; another, unless `figure_only`, by quoted sentences and headings holding `ANSWERED_SHARE` of its words.
    """
    if weights and all(t in FIGURE_STEMS for t in weights):
        figure = wanted_figure(ask)
        return figure is not None and any(
            s is not None and figure.search(s.text) for section, (a, b) in runs for s in section.sentences[a : b + 1]
        )
    # A word no retrieved sentence holds cannot be shown: it weighs as much as the rarest.
    rarest = max(weights.values(), default=0.0)
    filled = {t: w or rarest for t, w in weights.items()}
    return not figure_only and share(filled, _quoted_terms(runs)) >= ANSWERED_SHARE


def _section_words(section: _Section) -> set[str]:
    """The content words of a section's text and headings."""
    return content_terms(f"{section.passage.heading or section.passage.source_title} {section.passage.text}")


def _quoted_terms(runs: Sequence[tuple[_Section, tuple[int, int]]]) -> set[str]:
    """The words the reader already sees: the quoted sentences and their sections' headings."""
    terms: set[str] = set()
    for section, (a, b) in runs:
        terms |= content_terms(section.passage.heading or section.passage.source_title)
        for sentence in section.sentences[a : b + 1]:
            if sentence is not None:
                terms |= content_terms(sentence.text)
    return terms


def _ask_runs(
    question: str,
    asks: Sequence[str],
    passages: Sequence[Passage],
    embeddings: Embeddings | None,
    runs: Sequence[tuple[_Section, tuple[int, int]]],
    ask_passages: Mapping[str, Sequence[Passage]],
) -> list[tuple[_Section, tuple[int, int]]]:
    """For a question that asks two things, a run from the best section for each ask the quote does not answer.

    Each ask ("How much was the fee", "can I refund it myself") ranks the sections on its own
    words, among its own retrieved passages (`HybridRetriever.retrieve_asks`) and the question's, so the
    second half of a question is answered from whichever document holds it. When an ask's best section is
    already quoted but the quoted text (sentences and headings) holds less than `ANSWERED_SHARE` of the ask's
    words, the ask is not answered yet: the best section of a document not yet quoted is taken instead if it
    scores `FALLBACK_FRACTION` of the best and its `_ask_support` reaches `FALLBACK_MIN_SCORE`.
    """
    added: list[tuple[_Section, tuple[int, int]]] = []
    cited = {section.passage.chunk_id for section, _ in runs}
    question_weights = term_weights(question, passages)
    for ask in asks:
        # The ask's own retrieval brings the documents not yet quoted; the quoted ones are ranked as retrieved
        # for the whole question (a situation's product pulls its other sections up: "Key features" of the card).
        quoted = {section.passage.source_id for section, _ in [*runs, *added]}
        own = _merged([p for p in ask_passages.get(ask, ()) if p.source_id not in quoted], passages)
        weights = term_weights(ask, own)
        ranked = _rank_sections(ask, own, weights, embeddings)
        best = ranked[0]
        shown = [*runs, *added]
        if _answered(ask, weights, shown, figure_only=best.passage.chunk_id not in cited):
            continue
        if best.passage.chunk_id in cited:
            # A question asking two things often needs a second document, whose section ranks
            # close behind for this ask: take it rather than add nothing, if it is about the same case.
            coverage = FALLBACK_COVERAGE_FRACTION * share(question_weights, _section_words(best))
            best = next(
                (
                    s
                    for s in ranked
                    if s.passage.source_id not in quoted
                    and s.score >= FALLBACK_FRACTION * best.score
                    and _ask_support(s, weights) >= FALLBACK_MIN_SCORE
                    and share(question_weights, _section_words(s)) >= coverage
                ),
                best,
            )
        if best.passage.chunk_id in cited or _ask_support(best, weights) < ASK_MIN_SCORE:
            continue
        window = _window(best, SECOND_MAX_CHARS)
        if window is not None:
            cited.add(best.passage.chunk_id)
            added.append((best, window))
    return added


def _merged(first: Sequence[Passage], then: Sequence[Passage]) -> list[Passage]:
    """The passages of `first`, then those of `then` not among them (by chunk)."""
    seen = {p.chunk_id for p in first}
    return [*first, *(p for p in then if p.chunk_id not in seen)]


def _compose(
    question: str,
    passages: Sequence[Passage],
    embeddings: Embeddings | None,
    ask_passages: Mapping[str, Sequence[Passage]] | None = None,
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
    runs += _ask_runs(question, split_asks(question), passages, embeddings, runs, ask_passages or {})
    return [(sec.passage, [s for s in sec.sentences[a : b + 1] if s is not None]) for sec, (a, b) in runs[:MAX_RUNS]]


def answer_with_rules(
    question: str,
    passages: Sequence[Passage],
    *,
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD,
    answerability_cutoff: float | None = DEFAULT_CUTOFF,
    embeddings: Embeddings | None = None,
    vocabulary: Collection[str] | None = None,
    ask_passages: Mapping[str, Sequence[Passage]] | None = None,
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
        ask_passages: For a question that asks more than one thing, each ask's own retrieved passages
            (`HybridRetriever.retrieve_asks`): that ask's section is chosen among them and the question's.

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
    runs = _compose(question, passages[:CANDIDATE_PASSAGES], embeddings, ask_passages)
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
