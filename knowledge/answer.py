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
- **Where the parts live.** How a section is scored and which run of it is quoted (the weights,
  `LEAD_IN_FRACTION`, `LIST_BUDGET`, `STANDOUT_FRACTION`) are in `knowledge.sections`.
- **Sentences keep exact offsets** (`knowledge.sentences`). The quote is the exact source
  text; the answer text shows it on one line, with list markers, table pipes and Markdown
  emphasis (`**`) removed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from langchain_core.embeddings import Embeddings

from knowledge.abstention import DEFAULT_ABSTAIN_THRESHOLD, abstain, is_supported
from knowledge.answerability import DEFAULT_CUTOFF, assess
from knowledge.bm25 import content_terms
from knowledge.near_miss import near_miss_answer, split_asks
from knowledge.relevance import FIGURE_STEMS, share, term_weights, wanted_figure
from knowledge.schemas import Answer, Citation, Passage
from knowledge.sections import SECOND_MAX_CHARS, Section, join_display, quote_window, rank_sections, standout_run
from knowledge.sentences import Sentence

__all__ = ["CANDIDATE_PASSAGES", "DEFAULT_ABSTAIN_THRESHOLD", "DEFAULT_CUTOFF", "answer_with_rules"]

CANDIDATE_PASSAGES = 5

MAX_CHARS = 450
"""Length budget of the quoted run from the best section (characters as displayed)."""

SECOND_SECTION_FRACTION = 0.85
"""A second section is quoted only when it scores at least this share of the best one."""

ASK_MIN_SCORE = 0.4
"""A section answers one ask of a two-part question only if a sentence scores this much for that ask."""

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

def _ask_support(section: Section, weights: dict[str, float]) -> float:
    """How well a section answers one ask: its best sentence's score plus the ask's words in its headings.

    A section's heading and its document's title say what its sentences are about ("6. Tax and
    regulatory forms" in "New Customer Onboarding" answers "what tax detail must we collect during
    onboarding?" though its rows name neither).
    """
    heading = content_terms(section.passage.heading or section.passage.source_title)
    return max(section.sentence_scores, default=0.0) + share(weights, heading)


def _answered(
    ask: str, weights: dict[str, float], runs: Sequence[tuple[Section, tuple[int, int]]], *, figure_only: bool
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


def _section_words(section: Section) -> set[str]:
    """The content words of a section's text and headings."""
    return content_terms(f"{section.passage.heading or section.passage.source_title} {section.passage.text}")


def _quoted_terms(runs: Sequence[tuple[Section, tuple[int, int]]]) -> set[str]:
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
    runs: Sequence[tuple[Section, tuple[int, int]]],
    ask_passages: Mapping[str, Sequence[Passage]],
) -> list[tuple[Section, tuple[int, int]]]:
    """For a question that asks two things, a run from the best section for each ask the quote does not answer.

    Each ask ("How much was the fee", "can I refund it myself") ranks the sections on its own
    words, among its own retrieved passages (`HybridRetriever.retrieve_asks`) and the question's, so the
    second half of a question is answered from whichever document holds it. When an ask's best section is
    already quoted but the quoted text (sentences and headings) holds less than `ANSWERED_SHARE` of the ask's
    words, the ask is not answered yet: the best section of a document not yet quoted is taken instead if it
    scores `FALLBACK_FRACTION` of the best and its `_ask_support` reaches `FALLBACK_MIN_SCORE`.
    """
    added: list[tuple[Section, tuple[int, int]]] = []
    cited = {section.passage.chunk_id for section, _ in runs}
    question_weights = term_weights(question, passages)
    for ask in asks:
        # The ask's own retrieval brings the documents not yet quoted; the quoted ones are ranked as retrieved
        # for the whole question (a situation's product pulls its other sections up: "Key features" of the card).
        quoted = {section.passage.source_id for section, _ in [*runs, *added]}
        own = _merged([p for p in ask_passages.get(ask, ()) if p.source_id not in quoted], passages)
        weights = term_weights(ask, own)
        ranked = rank_sections(ask, own, weights, embeddings)
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
        window = quote_window(best, SECOND_MAX_CHARS)
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
    sections = rank_sections(question, passages, weights, embeddings)
    best = sections[0]
    window = quote_window(best, MAX_CHARS)
    if window is None:
        return []
    runs: list[tuple[Section, tuple[int, int]]] = [(best, window)]
    standout = standout_run(best, window)
    if standout is not None:
        runs.append((best, standout))
    for other in sections[1:]:
        if other.passage.source_id != best.passage.source_id:
            continue
        if other.score >= SECOND_SECTION_FRACTION * best.score:
            window = quote_window(other, SECOND_MAX_CHARS)
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
        parts.append(f"{join_display(sentences)} [{n}]")
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
