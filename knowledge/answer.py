"""Answer composition: the rules engine's extractive answer, abstention, and citation checks.

Decisions:

- **Extractive, never generated.** The rules engine answers with 1-3 sentences copied from the
  retrieved passages, each followed by its marker `[n]`; citation `n` carries the exact quote
  and its `[start, end)` span in the *source* text (`passage.start` + offset in the chunk), so
  `source_text[start:end] == quote` always holds and a reviewer can jump to it.
- **Abstention uses two independent signals.** Retrieval always returns *something*, so the
  answerer decides whether it is evidence:
  1. semantic: the best passage's cosine similarity to the question (`vector_score`);
  2. lexical: the share of the question's content words (stopwords dropped, stemmed) found in
     the best-covered passage.
  It answers when the cosine reaches `abstain_threshold`, or when the cosine is within
  `LEXICAL_MARGIN` of it *and* most content words are covered (exact product names and
  figures that MiniLM under-weights). Otherwise it abstains with `NOT_FOUND`. Both signals are
  needed: unrelated questions share generic bank words with the knowledge base ("account",
  "customer"), and paraphrased answerable ones share few words.
- **Sentence choice** scores each sentence of the top passages by IDF-weighted overlap with the
  question's content words (IDF over the candidate sentences, so words present everywhere
  count little) plus, when an embedding model is supplied, its cosine to the question. The
  best sentence is kept; up to two more are added if they score at least half as well and add
  a content word or directly follow a chosen sentence.
- **Sentences keep exact offsets.** Splitting happens on `.`/`!`/`?` followed by space, on blank
  lines, and before Markdown block starts (bullets, numbered items, headings, table rows);
  wrapped lines inside one sentence stay one sentence. Headings and table separators are never
  quoted. The quote is the exact source text; the answer text shows it with whitespace and list
  markers tidied.
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

MIN_COVERAGE = 0.6
"""Share of the question's content words a passage must contain to count as lexical evidence."""

MAX_SENTENCES = 3
CANDIDATE_PASSAGES = 3

# A sentence ends at . ! ? (plus closing quotes/brackets and any [n] markers) before whitespace.
_SENT_END = re.compile(r"[.!?]+[\"'’”)\]]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s|$)")
# Block boundaries: a blank line, or a newline that starts a list item, heading or table row.
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*+•]\s|\d+[.)]\s|#|\|))")
_LEAD_MARKER = re.compile(r"^(?:[-*+•]\s+|\d+[.)]\s+|>\s*|\[[ xX]\]\s+)+")
_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_WORD = re.compile(r"[^\W_]", re.UNICODE)


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


@dataclass
class _Candidate:
    passage_rank: int
    passage: Passage
    sentence: Sentence
    terms: set[str]
    score: float = 0.0


def evidence(question: str, passages: Sequence[Passage]) -> tuple[float, float]:
    """The two abstention signals for a question and its retrieved passages.

    Args:
        question: The question.
        passages: Retrieved passages.

    Returns:
        `(best cosine, best coverage)`: the highest `vector_score`, and the highest share of
        the question's content words found in one passage (0 when the question has none).
    """
    best_cos = max((p.vector_score for p in passages if p.vector_score is not None), default=0.0)
    q_terms = _content_terms(question)
    if not q_terms:
        return best_cos, 0.0
    coverage = max((len(q_terms & _content_terms(p.text)) / len(q_terms) for p in passages), default=0.0)
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
    if best_cos >= abstain_threshold:
        return True
    return coverage >= MIN_COVERAGE and best_cos >= abstain_threshold - LEXICAL_MARGIN


def _abstain(question: str, engine: str = "rules") -> Answer:
    return Answer(question=question, answer=NOT_FOUND, abstained=True, engine=engine)


def _score_candidates(question: str, candidates: list[_Candidate], embeddings: Embeddings | None) -> None:
    q_terms = _content_terms(question)
    n = len(candidates)
    df: dict[str, int] = {}
    for c in candidates:
        for t in c.terms & q_terms:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log(1.0 + n / df.get(t, 1)) for t in q_terms}
    total = sum(idf.values()) or 1.0
    similarities = np.zeros(n, dtype=np.float32)
    if embeddings is not None:
        q = np.asarray(embeddings.embed_query(question), dtype=np.float32)
        s = np.asarray(embeddings.embed_documents([c.sentence.text for c in candidates]), dtype=np.float32)
        similarities = s @ q
    for c, sim in zip(candidates, similarities, strict=True):
        overlap = sum(idf[t] for t in c.terms & q_terms) / total
        # A small prior for the passage's rank breaks ties toward the better-retrieved chunk.
        c.score = overlap + float(sim) + 0.05 / (1 + c.passage_rank)


def _choose(candidates: list[_Candidate], q_terms: set[str]) -> list[_Candidate]:
    ranked = sorted(candidates, key=lambda c: -c.score)
    best = ranked[0]
    chosen = [best]
    covered = best.terms & q_terms
    for c in ranked[1:]:
        if len(chosen) >= MAX_SENTENCES or c.score < 0.5 * best.score:
            break
        adds_term = bool((c.terms & q_terms) - covered)
        follows = any(
            c.passage.chunk_id == x.passage.chunk_id and 0 <= c.sentence.start - x.sentence.end <= 3 for x in chosen
        )
        if adds_term or follows:
            chosen.append(c)
            covered |= c.terms & q_terms
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
        parts.append(f"{_tidy(s.text)} [{n}]")
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
