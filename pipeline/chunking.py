"""Structure-aware chunking of a `LoadedDocument` for embedding and retrieval.

Chunks follow the loader's sections, because a section is a unit of meaning (a
heading's body, a speaker turn, a quoted message). The rules:

* A chunk never crosses a section boundary, except that small consecutive sections
  with the same heading, the same quoted/unquoted role and the same mbox message merge
  while they fit (several short turns, several paragraphs under one heading).
  Quoted email history therefore always gets chunks of its own.
* A section longer than `max_chars` is split at the last paragraph break in the
  window, else line break, else sentence end, else whitespace, else hard at the limit.
  Consecutive pieces overlap by about `overlap` characters, starting at a word.
* Every chunk is an exact slice: `chunk.text == doc.text[chunk.start:chunk.end]`, with
  no leading or trailing whitespace. Nothing is rewritten, so a retrieved chunk can be
  quoted and cited by offset.

Text that no section covers is chunked as if it were a section with no heading, so
nothing a loader forgot to label is lost. The output depends only on the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.documents import LoadedDocument, Section
from pipeline.text import SENTENCE_END

QUOTED_HEADING = "Quoted history"

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_LINE = re.compile(r"\n")


@dataclass(frozen=True)
class Chunk:
    """A retrievable slice of a document."""

    ordinal: int
    """Position of the chunk in the document, from 0."""
    text: str
    """Exactly `doc.text[start:end]`."""
    start: int
    """Offset of the first character in the document text."""
    end: int
    """Offset one past the last character."""
    heading: str | None
    """Heading path of the section(s) it came from; "Quoted history" for unheaded quotes."""
    speaker: str | None
    """The speaker when every turn in the chunk is by one speaker."""


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    heading: str | None
    quoted: bool
    message_index: int | None
    speaker: str | None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _units(doc: LoadedDocument) -> list[_Unit]:
    """Sections as trimmed, ordered, non-overlapping units, plus any uncovered text."""
    text = doc.text
    n = len(text)
    units: list[_Unit] = []
    cursor = 0

    def gap(until: int) -> None:
        s, e = _trim(text, cursor, until)
        if s < e:
            units.append(_Unit(s, e, None, False, None, None))

    sections: list[Section] = sorted(doc.sections, key=lambda s: (s.start, s.end))
    for sec in sections:
        # Clamp to the text and to what earlier sections already took.
        start, end = max(min(sec.start, n), cursor), min(sec.end, n)
        if end <= start:
            continue
        gap(start)
        s, e = _trim(text, start, end)
        if s < e:
            quoted = sec.role == "quoted"
            heading = sec.heading if sec.heading or not quoted else QUOTED_HEADING
            units.append(_Unit(s, e, heading, quoted, sec.message_index, sec.speaker))
        cursor = end
    gap(n)
    return units


def _break_point(text: str, start: int, limit: int, min_end: int) -> int:
    """Best place in `(min_end, limit]` to end a piece starting at `start`."""
    window = text[start:limit]
    floor = min_end - start
    # A sentence ends where whitespace follows it inside the window, not at the window's edge.
    sentences = [m.end() for m in SENTENCE_END.finditer(window) if m.end() < len(window)]
    for ends in ([m.start() for m in _PARAGRAPH.finditer(window)], [m.start() for m in _LINE.finditer(window)],
                 sentences):
        ends = [e for e in ends if e > floor]
        if ends:
            return start + ends[-1]
    space = max(window.rfind(" "), window.rfind("\t"))
    if space > floor:
        return start + space
    return limit


def _split(text: str, start: int, end: int, max_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Split one long span into overlapping pieces of at most `max_chars`."""
    pieces: list[tuple[int, int]] = []
    pos, previous_cut = start, start
    while pos < end:
        if end - pos <= max_chars:
            pieces.append((pos, end))
            break
        # No break in the first half (it would make many tiny pieces), and each piece
        # must reach past the previous one, or a large overlap could repeat a piece.
        cut = _break_point(text, pos, pos + max_chars, max(pos + max_chars // 2, previous_cut))
        s, e = _trim(text, pos, cut)
        if s < e:
            pieces.append((s, e))
        previous_cut = cut
        nxt = cut - overlap
        if nxt <= pos:
            nxt = cut
        # Start the overlap at a word, not mid-word.
        while nxt < cut and not text[nxt - 1].isspace():
            nxt += 1
        while nxt < end and text[nxt].isspace():
            nxt += 1
        pos = nxt
    return pieces


def chunk_document(doc: LoadedDocument, *, max_chars: int = 1200, overlap: int = 200) -> list[Chunk]:
    """Cut a loaded document into chunks along its structure.

    Args:
        doc: The loaded document.
        max_chars: Longest chunk, in characters.
        overlap: About how many characters consecutive pieces of one long section
            share; capped at half of `max_chars`.

    Returns:
        Chunks in document order, numbered from 0; none is whitespace-only.

    Raises:
        ValueError: `max_chars` below 1, or `overlap` negative.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    if overlap < 0:
        raise ValueError("overlap must be at least 0")
    # A small max_chars with the default overlap would otherwise be all overlap.
    overlap = min(overlap, max_chars // 2)
    text = doc.text
    groups: list[list[_Unit]] = []
    for unit in _units(doc):
        last = groups[-1] if groups else None
        if (
            last is not None
            and last[-1].heading == unit.heading
            and last[-1].quoted == unit.quoted
            and last[-1].message_index == unit.message_index
            and unit.end - last[0].start <= max_chars
        ):
            last.append(unit)
        else:
            groups.append([unit])

    chunks: list[Chunk] = []
    for group in groups:
        speakers = {u.speaker for u in group}
        speaker = speakers.pop() if len(speakers) == 1 else None
        first, last_unit = group[0], group[-1]
        if len(group) > 1:
            spans = [(first.start, last_unit.end)]
        else:
            spans = _split(text, first.start, first.end, max_chars, overlap)
        for s, e in spans:
            chunks.append(Chunk(len(chunks), text[s:e], s, e, first.heading, speaker))
    return chunks
