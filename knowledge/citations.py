"""Citation checks for a model-written answer: only what was retrieved may be cited.

`validate_citations` keeps a citation only when its quote occurs in a retrieved passage of
its source (found tolerant of whitespace, case and quote style, then reset to the exact
passage text and its span in the source), and keeps a sentence of the answer only when it
carries a valid citation; everything else moves to `Answer.unsupported`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from knowledge.abstention import abstain
from knowledge.schemas import Answer, Citation, Passage
from knowledge.sentences import quotable_sentences
from pipeline.text import locate_quote

_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _tidy(text: str) -> str:
    return " ".join(text.split())


class ValidatedAnswer(NamedTuple):
    """Result of `validate_citations`."""

    text: str
    """The answer with only supported sentences, markers renumbered 1..n ("" if none survive)."""
    citations: list[Citation]
    """Valid, referenced citations, renumbered in order of first use, spans recomputed."""
    unsupported: list[str]
    """Sentences dropped because no valid citation marker supported them."""


def _locate(citation: Citation, passages: Sequence[Passage]) -> Citation | None:
    # Models re-flow whitespace and change case or quote style: find it, then quote the source.
    for p in passages:
        if p.source_id != citation.source_id:
            continue
        span = locate_quote(citation.quote.strip(), p.text, min_chars=1)
        if span is None:
            continue
        at, end = span
        return citation.model_copy(
            update={
                "quote": p.text[at:end],
                "span": (p.start + at, p.start + end),
                "source_title": p.source_title,
                "heading": p.heading if citation.heading is None else citation.heading,
            }
        )
    return None


def validate_citations(answer_text: str, citations: Sequence[Citation], passages: Sequence[Passage]) -> ValidatedAnswer:
    """Keep only citations to retrieved text, and only sentences that carry one.

    A citation is valid when its `source_id` belongs to a retrieved passage and its `quote`
    occurs in one of that source's retrieved passages (whitespace, case and quote style may differ); its quote and
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
    for sentence in quotable_sentences(answer_text):
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
        return abstain(question, engine).model_copy(update={"unsupported": validated.unsupported})
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
