"""Answer composition: the rules engine's extractive answer, abstention, and citation checks.

Decisions:

- **Extractive, never generated.** The rules engine answers with one contiguous run of
  sentences copied from the best retrieved section (and at most one more run from a second
  section of the same document), each run followed by its marker `[n]`; citation `n` carries
  the run's exact text and its `[start, end)` span in the *source* text (`passage.start` +
  offset in the chunk), so `source_text[start:end] == quote` always holds and a reviewer can
  jump to it.
- **Abstention uses two independent signals and a veto.** Retrieval always returns
  *something*, so the answerer decides whether it is evidence:
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
- **Answer from the best section, not from scattered sentences.** Sentences picked one by one
  across passages read incoherently. Each retrieved passage is scored as a section: its fused
  retrieval score (relative to the best), the question words in its own heading (document
  title words left out), its cosine, and its best and second-best sentence scores; a
  document's introduction (text above the first heading) loses `INTRO_PENALTY` when one of its
  sections was retrieved too, since it states scope, not steps. A sentence scores the
  IDF-weighted share of the question's content words it holds (a word also matches a longer
  word it begins, 5+ letters), plus `FIGURE_BONUS` for a figure of the kind asked for (a
  duration, time or date for how long / when / deadline; an amount, rate or count for how much
  / fee / limit), plus its own cosine when an embedding model is given. The best section is
  quoted; the next section of the same document is quoted too (shorter) when it scores within
  `SECOND_SECTION_FRACTION` of the best.
- **The quote is a contiguous run in document order.** Each sentence counts its score less
  `LEAD_IN_FRACTION` of the section's best; the run with the most relevance within `MAX_CHARS`
  wins, so a scope or boilerplate sentence is skipped when a more specific one scores higher.
  Following sentences are then added while they fit (they continue the procedure), and a run
  ending in a sentence that introduces a list (":") brings its items (up to `LIST_BUDGET`), or
  drops that sentence. Heading lines quoted inline (PDF, HTML) are never quoted.
- **Sentences keep exact offsets.** Splitting happens on `.`/`!`/`?` followed by space, on blank
  lines, and before Markdown block starts (bullets, numbered items, headings, table rows);
  wrapped lines inside one sentence stay one sentence. Headings and table separators are never
  quoted. The quote is the exact source text; the answer text shows it on one line, with list
  markers, table pipes and Markdown emphasis (`**`) removed.
- **`validate_citations` is the grounding step of the LLM path**: a model may cite only what
  was retrieved, and every sentence it writes must carry a valid citation or it is moved to
  `Answer.unsupported`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.bm25 import tokenize
from knowledge.schemas import NOT_FOUND, Answer, Citation, Passage

DEFAULT_ABSTAIN_THRESHOLD = 0.45
"""Minimum best-passage cosine (MiniLM) for an answer on semantic evidence alone."""

LEXICAL_MARGIN = 0.05
"""How far below the threshold the cosine may fall when the question's words are well covered."""

MIN_COVERAGE = 0.5
"""IDF-weighted share of the question's content words a passage must contain to count as lexical evidence."""

KEY_PHRASE_MARGIN = 0.15
"""How far above the threshold the cosine must be to answer although a key phrase is missing."""

CANDIDATE_PASSAGES = 5

PREFIX_MATCH = 5
"""Shortest word that matches the longer words it begins (and the shorter ones that begin it)."""

MAX_CHARS = 450
"""Length budget of the quoted run from the best section (characters as displayed)."""

LIST_BUDGET = 650
"""A run ending in a sentence that introduces a list (":") may grow to this to bring its items."""

SECOND_MAX_CHARS = 250
"""Length budget of the run from a second section of the same source."""

SECOND_SECTION_FRACTION = 0.85
"""A second section is quoted only when it scores at least this share of the best one."""

RANK_WEIGHT = 1.0
"""Weight of the fused retrieval score (relative to the best passage's) in a section's score."""

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

SENTENCE_COSINE_WEIGHT = 1.0
"""Weight of a sentence's own cosine to the question, when an embedding model is given."""

FIGURE_BONUS = 0.5
"""Added to sentences holding a figure when the question asks how much, how long, when..."""

LEAD_IN_FRACTION = 0.3
"""A sentence before the best one joins the run only if it scores at least this share of it."""

# A sentence ends at . ! ? (plus closing quotes/brackets and any [n] markers) before whitespace.
_SENT_END = re.compile(r"[.!?]+[\"'’”)\]]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s|$)")
# Block boundaries: a blank line, or a newline that starts a list item, heading or table row.
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*+•]\s|\d+[.)]\s|#|\|))")
_LEAD_MARKER = re.compile(r"^(?:[-*+•]\s+|\d+[.)]\s+|>\s*|\[[ xX]\]\s+)+")
_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_WORD = re.compile(r"[^\W_]", re.UNICODE)
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
# Hyphenated compounds name one specific thing ("buy-to-let", "1-year", "same-day").
_KEY_PHRASE = re.compile(r"[^\W_]+(?:-[^\W_]+)+", re.UNICODE)
# Questions after a time, a duration or a deadline; and questions after an amount, a rate or a count.
_WANTS_TIME = re.compile(
    r"\b(?:how (?:long|soon|quickly|often|early|late)|when|what (?:time|date)|deadline|latest|earliest|notice)\b",
    re.IGNORECASE,
)
_WANTS_AMOUNT = re.compile(
    r"\b(?:how (?:much|many|far)|what (?:rate|fee|charge|age)|minimum|maximum|least|most|limit|cost|charge|fee"
    r"|rate)\b",
    re.IGNORECASE,
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|thirty|first|second|third|fourth|fifth"
    r"|next|same|\d+(?:[.,:]\d+)*(?:st|nd|rd|th)?)"
)
_TIME_FIGURE = re.compile(
    rf"\b{_NUMBER_WORD}(?:\s*(?:to|-|–)\s*{_NUMBER_WORD})?\s*(?:am|pm|days?|weeks?|months?|years?|hours?|minutes?"
    r"|business|calendar|working)\b|\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b",
    re.IGNORECASE,
)
_AMOUNT_FIGURE = re.compile(r"£\s?\d|\d\s?%|\b\d[\d,.]*\b")


class Sentence(NamedTuple):
    """A sentence of a text, as exact offsets into it."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences, keeping exact offsets.

    Leading list markers (`- `, `1. `) and surrounding whitespace are trimmed from each
    sentence's span, so `text[s.start:s.end] == s.text`. Markdown headings, table separator
    rows and fragments without a letter or digit are left out.

    Args:
        text: Chunk or answer text.

    Returns:
        Sentences in text order.
    """
    blocks: list[tuple[int, int]] = []
    pos = 0
    for m in _BLOCK_BREAK.finditer(text):
        blocks.append((pos, m.start()))
        pos = m.end()
    blocks.append((pos, len(text)))

    out: list[Sentence] = []
    for b_start, b_end in blocks:
        block = text[b_start:b_end]
        stripped = block.lstrip()
        if stripped.startswith("#"):
            continue
        marker = _LEAD_MARKER.match(stripped)
        if marker:  # so "1. " is not taken for the end of a sentence
            b_start += len(block) - len(stripped) + marker.end()
            block = text[b_start:b_end]
        cut = 0
        pieces = []
        for m in _SENT_END.finditer(block):
            pieces.append((cut, m.end()))
            cut = m.end()
        pieces.append((cut, len(block)))
        for p_start, p_end in pieces:
            piece = block[p_start:p_end]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            marker = _LEAD_MARKER.match(piece)
            if marker:
                lead += marker.end()
                piece = piece[marker.end() :]
            if not _WORD.search(piece) or set(piece) <= set("|-: "):
                continue
            start = b_start + p_start + lead
            out.append(Sentence(start, start + len(piece), piece))
    return out


def _content_terms(text: str) -> set[str]:
    return set(tokenize(text))


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _display(text: str) -> str:
    """A quoted sentence as shown to the reader: one line, no Markdown emphasis or table pipes."""
    text = _EMPHASIS.sub("", text)
    if text.lstrip().startswith("|"):
        text = " | ".join(cell.strip() for cell in text.strip().strip("|").split("|") if cell.strip())
    return _tidy(text)


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
    q_terms = {t for t in _content_terms(question) if not t[0].isdigit() and t[0] != "£"}
    if not q_terms or not passages:
        return best_cos, 0.0
    sentences = [_content_terms(s.text) for p in passages for s in split_sentences(p.text)]
    # A word no passage holds counts as the rarest there is: the question is about something else.
    weights = _weights(q_terms, sentences)
    top = max(weights.values(), default=0.0) or 1.0
    weights = {t: w or top for t, w in weights.items()}
    total = sum(weights.values())
    coverage = max(sum(weights[t] for t in q_terms & _content_terms(p.text)) / total for p in passages)
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


def _abstain(question: str, engine: str = "rules") -> Answer:
    return Answer(question=question, answer=NOT_FOUND, abstained=True, engine=engine)


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
    """Relevance of each sentence to the question (see `_sentence_scores`)."""


def _holds(terms: set[str], word: str) -> bool:
    """Whether `terms` hold the question word, or a word it begins or that begins it.

    Both words need `PREFIX_MATCH` letters: the stemmer leaves "withdraw" and "withdrawal",
    "complain" and "complaint" apart.
    """
    if word in terms:
        return True
    if len(word) < PREFIX_MATCH or word[0].isdigit() or word[0] == "£":
        return False
    return any(len(t) >= PREFIX_MATCH and (t.startswith(word) or word.startswith(t)) for t in terms)


def _term_weights(question: str, passages: Sequence[Passage]) -> dict[str, float]:
    """IDF of the question's content words over the passages' sentences (0 when none holds it)."""
    sentences = [_content_terms(s.text) for p in passages for s in split_sentences(p.text)]
    n = len(sentences)
    out = {}
    for word in _content_terms(question):
        df = sum(1 for terms in sentences if _holds(terms, word))
        out[word] = math.log(1.0 + n / df) if df else 0.0
    return out


def _share(weights: dict[str, float], terms: set[str]) -> float:
    """IDF-weighted share of the question's words found in `terms`."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if w and _holds(terms, t)) / total if total else 0.0


def _sentence_scores(
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
        f for f, wants in ((_TIME_FIGURE, _WANTS_TIME), (_AMOUNT_FIGURE, _WANTS_AMOUNT)) if wants.search(question)
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
        score = _share(weights, _content_terms(s.text)) + SENTENCE_COSINE_WEIGHT * similarities[k]
        if any(f.search(s.text) for f in figures):
            score += FIGURE_BONUS
        out.append(score)
        k += 1
    return out


def _section_terms(heading: str | None) -> set[str]:
    """Content words of a passage's own heading, less those of the document title above it."""
    parts = (heading or "").split(">")
    return _content_terms(parts[-1]) - _content_terms(parts[0]) if len(parts) > 1 else set()


def _rank_sections(
    question: str, passages: Sequence[Passage], weights: dict[str, float], embeddings: Embeddings | None
) -> list[_Section]:
    """The candidate passages as sections, best first (see the module docstring)."""
    top = max((p.score for p in passages), default=0.0) or 1.0
    sectioned = {p.source_id for p in passages if ">" in (p.heading or "")}
    sections = []
    for rank, p in enumerate(passages):
        intro = p.source_id in sectioned and ">" not in (p.heading or "")
        sentences = [None if _is_heading_text(s, p) else s for s in split_sentences(p.text)]
        scores = _sentence_scores(question, sentences, weights, embeddings)
        top_two = [*sorted(scores, reverse=True), 0.0, 0.0][:2]
        score = (
            RANK_WEIGHT * p.score / top
            + SECTION_HEADING_WEIGHT * _share(weights, _section_terms(p.heading))
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


def _join_display(sentences: Sequence[Sentence]) -> str:
    """The sentences as one line; list items and table rows without end punctuation get a ";"."""
    parts = [_display(s.text) for s in sentences]
    return " ".join(part if i == len(parts) - 1 or part[-1] in ".!?:;" else part + ";" for i, part in enumerate(parts))


def _compose(
    question: str,
    passages: Sequence[Passage],
    embeddings: Embeddings | None,
) -> list[tuple[Passage, list[Sentence]]]:
    """The quoted runs: from the best section, and from the next one of the same source if close behind."""
    weights = _term_weights(question, passages)
    sections = _rank_sections(question, passages, weights, embeddings)
    best = sections[0]
    window = _window(best, MAX_CHARS)
    if window is None:
        return []
    runs: list[tuple[_Section, tuple[int, int]]] = [(best, window)]
    for other in sections[1:]:
        if other.passage.source_id != best.passage.source_id:
            continue
        if other.score >= SECOND_SECTION_FRACTION * best.score:
            window = _window(other, SECOND_MAX_CHARS)
            if window is not None:
                runs.append((other, window))
        break
    # Read in document order when both runs come from one source.
    runs.sort(key=lambda r: (r[0].passage.start, r[1][0]) if len(runs) > 1 else 0)
    return [(sec.passage, [s for s in sec.sentences[a : b + 1] if s is not None]) for sec, (a, b) in runs]


def answer_with_rules(
    question: str,
    passages: Sequence[Passage],
    *,
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD,
    embeddings: Embeddings | None = None,
) -> Answer:
    """Answer from the passages by quoting the best section's most relevant sentences, or abstain.

    Args:
        question: The question as asked.
        passages: Retrieved passages, best first (from `HybridRetriever.retrieve`).
        abstain_threshold: Best-passage cosine needed to answer on semantic evidence alone.
        embeddings: Optional embedding model; when given, sentence choice also uses each
            sentence's cosine to the question.

    Returns:
        An `Answer` with `engine="rules"`: one or two quoted runs of contiguous sentences, each
        followed by `[n]`, with citations whose `span` indexes the source text; or `NOT_FOUND`
        with `abstained=True`.

    Raises:
        BackendError: The embedding model failed.
    """
    if not is_supported(question, passages, abstain_threshold=abstain_threshold):
        return _abstain(question)
    runs = _compose(question, passages[:CANDIDATE_PASSAGES], embeddings)
    if not runs:
        return _abstain(question)

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
    )


class ValidatedAnswer(NamedTuple):
    """Result of `validate_citations`."""

    text: str
    """The answer with only supported sentences, markers renumbered 1..n ("" if none survive)."""
    citations: list[Citation]
    """Valid, referenced citations, renumbered in order of first use, spans recomputed."""
    unsupported: list[str]
    """Sentences dropped because no valid citation marker supported them."""


def _locate(citation: Citation, passages: Sequence[Passage]) -> Citation | None:
    quote = citation.quote.strip()
    if not quote:
        return None
    for p in passages:
        if p.source_id != citation.source_id:
            continue
        at = p.text.find(quote)
        if at < 0:
            # Models re-flow whitespace; match on collapsed whitespace, then map back.
            pattern = r"\s+".join(re.escape(w) for w in quote.split())
            m = re.search(pattern, p.text)
            if m is None:
                continue
            at, quote = m.start(), m.group()
        return citation.model_copy(
            update={
                "quote": quote,
                "span": (p.start + at, p.start + at + len(quote)),
                "source_title": p.source_title,
                "heading": p.heading if citation.heading is None else citation.heading,
            }
        )
    return None


def validate_citations(answer_text: str, citations: Sequence[Citation], passages: Sequence[Passage]) -> ValidatedAnswer:
    """Keep only citations to retrieved text, and only sentences that carry one.

    A citation is valid when its `source_id` belongs to a retrieved passage and its `quote`
    occurs in one of that source's retrieved passages (whitespace may differ); its quote and
    span are then reset to the exact passage text and its position in the source. Each
    sentence of `answer_text` keeps its markers `[n]` (also `[1, 2]`) that point to valid
    citations; a sentence left with none is removed and reported as unsupported. Surviving
    citations are renumbered 1..m in order of first use and the markers rewritten to match.

    Args:
        answer_text: Model-written answer with `[n]` markers after the sentences they support.
        citations: The citations the model produced, numbered as in the text.
        passages: The passages the model was given.

    Returns:
        `ValidatedAnswer(text, citations, unsupported)`.
    """
    valid: dict[int, Citation] = {}
    for c in citations:
        located = _locate(c, passages)
        if located is not None and c.id not in valid:
            valid[c.id] = located

    renumber: dict[int, int] = {}
    kept_citations: list[Citation] = []
    kept: list[str] = []
    unsupported: list[str] = []
    for sentence in split_sentences(answer_text):
        refs = [int(x) for m in _MARKERS.finditer(sentence.text) for x in re.split(r"\s*,\s*", m.group(1))]
        good = [r for r in dict.fromkeys(refs) if r in valid]
        bare = _tidy(_MARKERS.sub("", sentence.text)).replace(" .", ".")
        if not good:
            if bare:
                unsupported.append(bare)
            continue
        for r in good:
            if r not in renumber:
                renumber[r] = len(renumber) + 1
                kept_citations.append(valid[r].model_copy(update={"id": renumber[r]}))

        def _rewrite(m: re.Match[str]) -> str:
            ids = [renumber[int(x)] for x in re.split(r"\s*,\s*", m.group(1)) if int(x) in renumber]
            return "".join(f"[{i}]" for i in dict.fromkeys(ids))

        kept.append(_tidy(_MARKERS.sub(_rewrite, sentence.text)).replace(" .", "."))
    return ValidatedAnswer(" ".join(kept), kept_citations, unsupported)


def answer_from_validated(question: str, validated: ValidatedAnswer, *, engine: str = "llm") -> Answer:
    """Build the `Answer` for a validated model answer (abstaining if nothing survived).

    Args:
        question: The question as asked.
        validated: Output of `validate_citations`.
        engine: Engine name recorded on the answer.

    Returns:
        The answer, or `NOT_FOUND` with the dropped sentences in `unsupported`.
    """
    if not validated.text or not validated.citations:
        return _abstain(question, engine).model_copy(update={"unsupported": validated.unsupported})
    documents = list(dict.fromkeys(c.source_title for c in validated.citations))
    return Answer(
        question=question,
        answer=validated.text,
        abstained=False,
        citations=validated.citations,
        documents=documents,
        engine=engine,
        unsupported=validated.unsupported,
    )
