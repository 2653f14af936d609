"""Text primitives every package shares: sentences, normalisation, stopwords, quote location.

Design decisions:

- **Offsets, never copies.** Every function here answers with offsets into the text it was
  given, so whatever a caller builds on them (evidence, a citation, a flag's span) is an
  exact slice of the source: `text[span.start:span.end] == span.text`.
- **One sentence rule.** A sentence ends at a run of `.`, `!`, `?` or `…`, with any closing
  quotes or brackets and any citation markers (`[1]`, `[2, 3]`) that follow, before
  whitespace or the end of the text. A list marker at the start of a sentence (`- `, `• `,
  `1. `, `> `, `[x] `) belongs to no sentence. Line breaks end sentences in plain text
  (transcripts, notes, emails, where a line is a turn or a bullet); in Markdown only blank
  lines and the start of a block (a list item, a heading, a table row) do, because prose
  there is wrapped, and a heading is a line of its own. Abbreviations ("e.g. the form") are
  not special-cased: every caller so far prefers a clause cut too early to one run together.
- **Normalisation keeps a map back.** Matching is done on a folded copy (hidden characters
  removed, compatibility forms and typographic quotes and dashes folded, optionally
  case-folded and whitespace-collapsed), folded one source character at a time so that
  each folded character knows the source character it came from. A match in the copy is
  turned back into an exact source span with `Normalised.source_span`.
- **Quotes are found, then reported exactly.** `locate_quote` tries the quote verbatim, then
  tolerant of whitespace, case and quote style, and always answers with the source's own
  span: what a model or a person copied loosely becomes the words the source really says.
- **One stopword list** (`STOPWORDS`, English function words, question words and request
  verbs that carry no topic) for every bag-of-words comparison; speech fillers
  (`FILLERS`) are a separate list for transcripts of speech.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "FILLERS",
    "SENTENCE_END",
    "STOPWORDS",
    "Normalised",
    "Span",
    "is_hidden",
    "locate_quote",
    "normalise",
    "sentence_spans",
    "strip_hidden",
]


class Span(NamedTuple):
    """A piece of a text as exact offsets into it: `source[start:end] == text`."""

    start: int
    end: int
    text: str


# --- sentences ----------------------------------------------------------------------------

SENTENCE_END = re.compile(r"[.!?…]+[\"'’”)\]]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s|$)")
"""The end of a sentence: its match ends just after the last character of the sentence."""

# Dashes, bullets, quote prefixes and dots lead a line with or without a space; `*` and `+`
# only with one, so Markdown emphasis ("**Fees**") stays part of its sentence.
_LIST_MARKER = re.compile(r"(?:[-–—•·>.…]+\s*|[*+]+\s+|\d{1,3}[.)]\s+|\[[ xX]\]\s+)+")
_LINE = re.compile(r"[^\n]+")
# Markdown: a blank line, or a line that opens a list item, heading or table row, starts a block.
_BLOCK_START = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*+•]\s|\d+[.)]\s|#|\|))")
_HEADING_LINE = re.compile(r"[ \t]*#[^\n]*")


def _skip_lead(text: str, pos: int, end: int) -> int:
    """The first offset at or after `pos` that is neither whitespace nor a list marker."""
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        marker = _LIST_MARKER.match(text, pos, end)
        if not marker or marker.end() == pos:
            return pos
        pos = marker.end()


def _blocks(text: str, start: int, end: int, markdown: bool) -> list[tuple[int, int, bool]]:
    """Ranges no sentence crosses, each with whether it is a heading line (never cut inside).

    Plain text: its lines. Markdown: its blocks, with a heading line a block of its own.
    """
    if not markdown:
        return [(m.start(), m.end(), False) for m in _LINE.finditer(text, start, end)]
    blocks: list[tuple[int, int, bool]] = []
    pos = start
    for m in [*_BLOCK_START.finditer(text, start, end), None]:
        b_end = m.start() if m else end
        heading = _HEADING_LINE.match(text, pos, b_end)
        if heading:
            blocks.append((pos, heading.end(), True))
            if heading.end() < b_end:  # the text under the heading, before the next block
                blocks.append((heading.end(), b_end, False))
        else:
            blocks.append((pos, b_end, False))
        pos = m.end() if m else end
    return blocks


def sentence_spans(text: str, start: int = 0, end: int | None = None, *, markdown: bool = False) -> list[Span]:
    """The sentences of `text[start:end]`, as exact spans (see the module docstring for the rule).

    Spans are in text order, never overlap, hold no leading or trailing whitespace and no
    leading list marker; every other character of the range is in exactly one span.

    Args:
        text: The whole text; offsets are into it.
        start: First offset to consider.
        end: One past the last offset to consider (default: the end of the text).
        markdown: Treat the text as Markdown: single line breaks are wrapping, not sentence ends.

    Returns:
        The sentence spans.
    """
    end = len(text) if end is None else end
    spans: list[Span] = []
    for b_start, b_end, heading in _blocks(text, start, end, markdown):
        # Past the block's list marker first, so "1. " is not taken for the end of a sentence.
        cursor = _skip_lead(text, b_start, b_end)
        cuts = [] if heading else [m.end() for m in SENTENCE_END.finditer(text, cursor, b_end)]
        for cut in [*cuts, b_end]:
            s, e = _skip_lead(text, cursor, cut), cut
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                spans.append(Span(s, e, text[s:e]))
            cursor = cut
    return spans


# --- normalisation --------------------------------------------------------------------------

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    }
)  # fmt: skip


def is_hidden(ch: str) -> bool:
    """Whether a character is invisible to a reader but not to a program.

    Args:
        ch: One character.

    Returns:
        True for format characters (zero-width spaces and joiners, bidirectional controls,
        the byte-order mark, soft hyphens, Unicode tag characters), variation selectors,
        and C0 control characters other than tab, newline and carriage return.
    """
    cp = ord(ch)
    if cp < 0x20:
        return ch not in "\t\n\r"
    if cp < 0x80:
        return False
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return unicodedata.category(ch) == "Cf"


def strip_hidden(text: str) -> str:
    """Remove the characters a reader would not see but a model would (see `is_hidden`).

    Args:
        text: Any text.

    Returns:
        The text without them; tab, newline and carriage return are kept.
    """
    return "".join(ch for ch in text if not is_hidden(ch))


@dataclass(frozen=True)
class Normalised:
    """A folded copy of a text with, for each of its characters, the source offset it came from."""

    text: str
    """The folded text."""
    index: tuple[int, ...]
    """`index[i]` is the source offset of `text[i]`; a final entry holds the source's length."""

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The exact source span that `text[start:end]` was folded from.

        Args:
            start: Offset into the folded text.
            end: One past the last offset into the folded text.

        Returns:
            `(source_start, source_end)`; an empty range maps to an empty source range.
        """
        if end <= start:
            return self.index[start], self.index[start]
        return self.index[start], self.index[end - 1] + 1


def _fold(ch: str, table: Mapping[int, str] | None) -> str:
    if table is not None:
        ch = ch.translate(table)
    ch = unicodedata.normalize("NFKC", ch).translate(_TYPOGRAPHIC)
    return ch.translate(table) if table is not None else ch


def normalise(
    text: str,
    *,
    casefold: bool = False,
    collapse_whitespace: bool = False,
    lookalikes: Mapping[int, str] | None = None,
) -> Normalised:
    """Fold a text for matching, one character at a time, keeping a map back to the source.

    Hidden characters are removed; compatibility forms (NFKC: full-width letters, ligatures,
    non-breaking spaces) and typographic quotes and dashes are folded to their plain forms.

    Args:
        text: The source text.
        casefold: Also fold case.
        collapse_whitespace: Also turn each run of whitespace into one space and drop the
            whitespace at the start.
        lookalikes: A `str.translate` table applied before and after NFKC, e.g. Cyrillic
            letters that look Latin.

    Returns:
        The folded text and its index map.
    """
    out: list[str] = []
    index: list[int] = []
    previous_space = True
    for i, ch in enumerate(text):
        if is_hidden(ch):
            continue
        folded = ch if ch.isascii() else _fold(ch, lookalikes)
        if casefold:
            folded = folded.casefold()
        for c in folded:
            if is_hidden(c):
                continue
            if collapse_whitespace and c.isspace():
                if previous_space:
                    continue
                c, previous_space = " ", True
            else:
                previous_space = False
            out.append(c)
            index.append(i)
    index.append(len(text))
    return Normalised("".join(out), tuple(index))


# --- quotes ---------------------------------------------------------------------------------


def locate_quote(quote: str, source: str, start_hint: int = 0, *, min_chars: int = 8) -> tuple[int, int] | None:
    """Where a quote is in a source, as the source's own span.

    First verbatim (searching from `start_hint`, then from the start), then ignoring
    whitespace, case, hidden characters, compatibility forms and quote and dash style.

    Args:
        quote: The words as copied (by a model or a person).
        source: The text they should come from.
        start_hint: Where to look first, e.g. the window the quote was taken from.
        min_chars: Shortest folded quote matched tolerantly: a short phrase matched loosely
            could land anywhere.

    Returns:
        `(start, end)` with `source[start:end]` the words the source really says, or None.
    """
    if not quote.strip():
        return None
    for origin in (start_hint, 0):
        found = source.find(quote, origin)
        if found >= 0:
            return found, found + len(quote)
    target = normalise(quote, casefold=True, collapse_whitespace=True).text.strip()
    if len(target) < min_chars:
        return None
    folded = normalise(source, casefold=True, collapse_whitespace=True)
    found = folded.text.find(target)
    if found < 0:
        return None
    return folded.source_span(found, found + len(target))


# --- stopwords ------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be been before being below
    between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me
    more most my no nor not of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself please tell know need want get got may might
    must shall let us onto less many much send sent
    """.split()
)
"""Words that carry no topic: function words, question words and the verbs of asking."""

FILLERS = frozenset(
    """um uh um-hum mm hmm oh yeah okay ok well like right yes gonna kinda sort think mean really actually""".split()
)
"""The fillers of spoken English, for transcripts of speech (with `STOPWORDS`)."""


WRAP = re.compile(r"[ \t]*\n[ \t>]*|[ \t]{2,}")
"""A line break with the indentation or `>` marks around it, or a run of spaces: what `unwrapped` flattens."""


def unwrapped(text: str) -> tuple[str, list[int]]:
    r"""`text` with each line break (and its indentation or `>` quote marks) or run of spaces as one space.

    Hard-wrapped email lines are read as one line this way ("within a\n   fortnight"), and each
    character of the flattened text keeps the offset it came from, so what is found in it maps
    back to an exact span of the original.

    Returns:
        The flattened text and, for each of its characters, the offset it came from.
    """
    out: list[str] = []
    where: list[int] = []
    cursor = 0
    for m in WRAP.finditer(text):
        out.append(text[cursor : m.start()] + " ")
        where.extend(range(cursor, m.start() + 1))
        cursor = m.end()
    out.append(text[cursor:])
    where.extend(range(cursor, len(text)))
    return "".join(out), where
