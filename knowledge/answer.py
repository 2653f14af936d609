"""Answer composition: the rules engine's extractive answer, abstention, and citation checks.

Decisions:

- **Extractive, never generated.** The rules engine answers with 1-3 sentences copied from the
  retrieved passages, each followed by its marker `[n]`; citation `n` carries the exact quote
  and its `[start, end)` span in the *source* text (`passage.start` + offset in the chunk), so
  `source_text[start:end] == quote` always holds and a reviewer can jump to it.
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
- **Sentence choice** scores each sentence of the top passages by IDF-weighted overlap with the
  question's content words (IDF over the candidate sentences, so words present everywhere
  count little), plus the overlap with its section heading, plus its passage's cosine (the
  closest section usually holds the answer), plus a bonus for a figure (amount, rate,
  duration, time) when the question asks how much / how long / when / what fee; and, when an
  embedding model is supplied, the sentence's own cosine. Heading lines quoted inline (PDF,
  HTML) are never candidates. The best sentence is kept; up to two more are added if they
  score well enough and add a content word, and a sentence ending in ":" brings the list
  items that follow it.
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
from dataclasses import dataclass
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

MAX_SENTENCES = 3
CANDIDATE_PASSAGES = 5

PASSAGE_COSINE_WEIGHT = 2.0
"""Weight of the passage's cosine to the question: sentences of the closest passage come first."""

HEADING_WEIGHT = 0.5
"""Weight of the question words found in a sentence's section heading (the section is on topic)."""

FIGURE_BONUS = 0.5
"""Added to sentences holding a figure when the question asks how much, how long, when..."""

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
# Questions after a quantity, a time or a deadline.
_WANTS_FIGURE = re.compile(
    r"\b(?:how (?:much|many|long|soon|quickly|often|far|early|late)|when|what (?:time|date|rate|fee|charge|age)"
    r"|deadline|latest|earliest|minimum|maximum|least|most|limit|notice|cost|charge|fee|rate)\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(
    r"£\s?\d|\d\s?%|\b\d+(?:[.,:]\d+)*\s*(?:am|pm|days?|weeks?|months?|years?|hours?|minutes?|business)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|thirty)\s+"
    r"(?:days?|weeks?|months?|years?|hours?|business)\b|\b\d[\d,.]*\b",
    re.IGNORECASE,
)


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


@dataclass
class _Candidate:
    passage_rank: int
    passage: Passage
    sentence: Sentence
    terms: set[str]
    score: float = 0.0


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


def _score_candidates(question: str, candidates: list[_Candidate], embeddings: Embeddings | None) -> None:
    q_terms = _content_terms(question)
    idf = _weights(q_terms, [c.terms for c in candidates])
    total = sum(idf.values()) or 1.0
    wants_figure = bool(_WANTS_FIGURE.search(question))
    similarities = np.zeros(len(candidates), dtype=np.float32)
    if embeddings is not None:
        q = np.asarray(embeddings.embed_query(question), dtype=np.float32)
        s = np.asarray(embeddings.embed_documents([c.sentence.text for c in candidates]), dtype=np.float32)
        similarities = s @ q
    for c, sim in zip(candidates, similarities, strict=True):
        heading_terms = _content_terms((c.passage.heading or "").split(">")[-1])
        overlap = sum(idf[t] for t in c.terms & q_terms) / total
        on_topic = HEADING_WEIGHT * sum(idf[t] for t in heading_terms & q_terms) / total
        figure = FIGURE_BONUS if wants_figure and _FIGURE.search(c.sentence.text) else 0.0
        # A small prior for the passage's rank breaks ties toward the better-retrieved chunk.
        closeness = PASSAGE_COSINE_WEIGHT * (c.passage.vector_score or 0.0)
        c.score = overlap + on_topic + figure + closeness + float(sim) + 0.05 / (1 + c.passage_rank)


def _choose(candidates: list[_Candidate], q_terms: set[str]) -> list[_Candidate]:
    ranked = sorted(candidates, key=lambda c: -c.score)
    best = ranked[0]
    chosen = [best]
    covered = best.terms & q_terms
    for c in ranked[1:]:
        if len(chosen) >= MAX_SENTENCES or c.score < 0.6 * best.score:
            break
        adds_term = bool((c.terms & q_terms) - covered)
        follows = any(
            c.passage.chunk_id == x.passage.chunk_id
            and 0 <= c.sentence.start - x.sentence.end <= 3
            and x.sentence.text.rstrip().endswith(":")
            for x in chosen
        )
        same_passage = c.passage.chunk_id == best.passage.chunk_id
        if adds_term or follows or (same_passage and c.score >= 0.8 * best.score):
            chosen.append(c)
            covered |= c.terms & q_terms
    # A sentence that introduces a list (ends with ":") brings its first items along.
    for x in list(chosen):
        if len(chosen) >= MAX_SENTENCES or not x.sentence.text.rstrip().endswith(":"):
            continue
        following = sorted(
            (c for c in candidates if c.passage.chunk_id == x.passage.chunk_id and c.sentence.start > x.sentence.end),
            key=lambda c: c.sentence.start,
        )
        for c in following:
            if len(chosen) >= MAX_SENTENCES:
                break
            if c not in chosen:
                chosen.append(c)
    # Read in document order: by passage rank, then position in the passage.
    return sorted(chosen, key=lambda c: (c.passage_rank, c.sentence.start))


def answer_with_rules(
    question: str,
    passages: Sequence[Passage],
    *,
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD,
    embeddings: Embeddings | None = None,
) -> Answer:
    """Answer from the passages by quoting their best sentences, or abstain.

    Args:
        question: The question as asked.
        passages: Retrieved passages, best first (from `HybridRetriever.retrieve`).
        abstain_threshold: Best-passage cosine needed to answer on semantic evidence alone.
        embeddings: Optional embedding model; when given, sentence choice also uses each
            sentence's cosine to the question.

    Returns:
        An `Answer` with `engine="rules"`: 1-3 quoted sentences each followed by `[n]`, with
        citations whose `span` indexes the source text; or `NOT_FOUND` with `abstained=True`.

    Raises:
        BackendError: The embedding model failed.
    """
    if not is_supported(question, passages, abstain_threshold=abstain_threshold):
        return _abstain(question)
    candidates = [
        _Candidate(rank, p, s, _content_terms(s.text))
        for rank, p in enumerate(passages[:CANDIDATE_PASSAGES])
        for s in split_sentences(p.text)
        if not _is_heading_text(s, p)
    ]
    q_terms = _content_terms(question)
    if not candidates:
        return _abstain(question)
    _score_candidates(question, candidates, embeddings)
    chosen = _choose(candidates, q_terms)

    parts: list[str] = []
    citations: list[Citation] = []
    documents: list[str] = []
    for n, c in enumerate(chosen, start=1):
        p, s = c.passage, c.sentence
        citations.append(
            Citation(
                id=n,
                source_id=p.source_id,
                source_title=p.source_title,
                heading=p.heading,
                quote=s.text,
                span=(p.start + s.start, p.start + s.end),
            )
        )
        parts.append(f"{_display(s.text)} [{n}]")
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
