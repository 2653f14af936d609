"""Regions of a text that raise no sensitivity flag, and the sentence scope for negation.

Masked: email header lines and addresses (they name people, not topics), signature blocks
(a sign-off line such as "Kind regards," and the lines after it up to a blank line: names,
job titles, team names such as "Payments Operations"), and the firm's own boilerplate
(sentences such as "This email does not constitute investment advice", fraud and risk
warnings, open-ended offers such as "if you ever need to move money, just give me a ring",
and whole disclaimer paragraphs). Nothing else is masked. Quoted email history is not:
flags apply to every party and every part of the text. Text addressed to an AI or a
reviewer is not either: it never lowers or hides a flag (it holds the draft instead,
see `instructions.py`).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from review.policy.spec import ContextSpec

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n")
_PARAGRAPH = re.compile(r"\S.*?(?=\n[ \t>]*\n|\Z)", re.DOTALL)


def sentences(text: str) -> list[tuple[int, int]]:
    """Split into sentences (and lines): a cheap clause scope for context and negation."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


class Context:
    """Masked regions of one normalised text, and its sentence boundaries."""

    def __init__(self, text: str, spec: ContextSpec) -> None:
        self.sentences = sentences(text)
        self._starts = [s for s, _ in self.sentences]
        masked: list[tuple[int, int, str]] = []
        for line in re.finditer(r"[^\n]+", text):
            if any(p.match(line.group()) for p in spec._lines):
                masked.append((line.start(), line.end(), "header"))
        for p in spec._spans:
            masked += [(m.start(), m.end(), "address") for m in p.finditer(text)]
        for line in re.finditer(r"[^\n]+", text):
            if any(p.fullmatch(line.group().strip(" \t>")) for p in spec._signoffs):
                blank = re.compile(r"\n[ \t>]*\n").search(text, line.end())
                masked.append((line.start(), blank.start() if blank else len(text), "signature"))
        for para in _PARAGRAPH.finditer(text):
            if any(p.match(para.group().lstrip("> \t")) for p in spec._blocks):
                masked.append((para.start(), para.end(), "boilerplate"))
        for s, e in self.sentences:
            if any(p.search(text[s:e]) for p in spec._boilerplate):
                masked.append((s, e, "boilerplate"))
        self.masked = masked

    def masked_reason(self, start: int, end: int) -> str | None:
        """Why the span is masked (it overlaps a masked region), or None."""
        for s, e, why in self.masked:
            if start < e and s < end:
                return why
        return None

    def sentence_start(self, pos: int) -> int:
        """Start of the sentence holding `pos`."""
        i = bisect_right(self._starts, pos)
        return self._starts[i - 1] if i else 0
