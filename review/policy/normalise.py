"""Text as the policy reads it: hidden characters out, look-alikes folded, with a map back to the original.

Two readings of one text:

- `normalise` (for sensitivity flags) removes zero-width and other format characters
  (Unicode category Cf, including the tag block U+E0000-U+E007F) and variation
  selectors, folds compatibility forms (NFKC, per character) and common Cyrillic and
  Greek look-alikes to Latin. Hidden characters cannot break a word apart.
- `reveal` (for instructions addressed to an AI) reads the text the way a model's
  tokenizer would: tag characters *decode* to the ASCII they shadow (an invisible
  sentence becomes visible), accents are dropped (patterns are written without them),
  and line breaks, `>` quote markers and runs of spaces become one space, so an
  instruction split across lines or quoted reads as one sentence. Paragraph breaks stay.

Both return the new text and, for each of its characters, the index of the original
character it came from, plus a final entry equal to `len(text)`.

`unwrap` (for sensitivity flags, after `normalise`) joins the lines of hard-wrapped
paragraphs (plain-text email wrapped at a fixed width, with or without `>` quote markers),
so a sentence broken across lines reads as one: patterns, negation and boilerplate see the
whole sentence. Lines that start like a transcript turn, a header or a list item are never
joined, and neither are short lines (meeting notes): only paragraphs whose lines all fill
the wrap width are.
"""

from __future__ import annotations

import re
import unicodedata

_LOOKALIKES = str.maketrans(
    {
        # Cyrillic and Greek letters that render like Latin ones.
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "А": "A", "В": "B", "Е": "E",
        "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
        "ο": "o", "α": "a", "ν": "v", "ι": "i", "Ο": "O", "Α": "A", "Β": "B", "Ε": "E",
        # Typographic quotes and dashes, so "can’t" and "can't" match alike.
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    }
)  # fmt: skip

TAG_FIRST, TAG_LAST = 0xE0020, 0xE007E
"""Unicode tag characters that shadow printable ASCII (U+E0020 is a tag space)."""


def is_hidden(ch: str) -> bool:
    """Whether a character renders as nothing: format characters (Cf) and variation selectors."""
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return True
    return unicodedata.category(ch) == "Cf"  # zero-width, bidi controls, soft hyphen, tags


def _fold(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch.translate(_LOOKALIKES)).translate(_LOOKALIKES)


def normalise(text: str) -> tuple[str, list[int]]:
    """Remove hidden characters and fold look-alikes, keeping a map back to `text`.

    Returns:
        The normalised text and, for each of its characters, the index of the original
        character it came from (plus a final entry equal to `len(text)`).
    """
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            index.append(i)
            continue
        if is_hidden(ch):
            continue
        for c in _fold(ch):
            if not is_hidden(c):
                out.append(c)
                index.append(i)
    index.append(len(text))
    return "".join(out), index


def _reveal_char(ch: str) -> str:
    if ch.isascii():
        return ch
    cp = ord(ch)
    if TAG_FIRST <= cp <= TAG_LAST:
        return chr(cp - 0xE0000)
    if is_hidden(ch):
        return ""
    decomposed = unicodedata.normalize("NFKD", _fold(ch))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not is_hidden(c))


_LINE_JOIN = re.compile(r"[ \t]*\n(?:[ \t>]*\n)*[ \t>]*|[ \t]{2,}")


def _depth_changes(flat: str, m: re.Match[str]) -> bool:
    """Whether a line break moves into or out of quoted history (`>` markers): that ends a sentence."""
    if "\n" not in m.group():
        return False
    line = flat[flat.rfind("\n", 0, m.start()) + 1 : m.start()]
    before = line[: len(line) - len(line.lstrip("> \t"))].count(">")
    after = m.group().rsplit("\n", 1)[1].count(">")
    return before != after


def reveal(text: str, *, separators: str = "") -> tuple[str, list[int]]:
    """Read `text` as a model would: tag characters decoded, accents and hidden characters dropped, lines joined.

    Args:
        text: Any text (a source, a draft field, a file name, a participant's name).
        separators: Characters read as spaces (`"_-.+"` for file names).

    Returns:
        The revealed text and its map back to `text` (one entry per character, plus `len(text)`).
    """
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _reveal_char(" " if ch in separators else ch):
            chars.append(c)
            index.append(i)
    flat = "".join(chars)
    # One line break (with any quote markers after it) reads as a space; a blank line
    # still ends the paragraph, so unrelated paragraphs do not run together.
    out: list[str] = []
    kept: list[int] = []
    pos = 0
    for m in _LINE_JOIN.finditer(flat):
        out.append(flat[pos : m.start()])
        kept += index[pos : m.start()]
        joined = "\n" if m.group().count("\n") > 1 or _depth_changes(flat, m) else " "
        out.append(joined)
        kept.append(index[m.start()])
        pos = m.end()
    out.append(flat[pos:])
    kept += index[pos:]
    kept.append(len(text))
    return "".join(out), kept


_WRAP_MIN, _WRAP_MAX = 45, 80
"""Lines of a hard-wrapped paragraph (all but its last) are this long, quote markers aside."""
_LINE = re.compile(r"[^\n]*")
_QUOTE = re.compile(r"[ \t]*(>[ \t]?)*")
_STARTS_TURN = re.compile(r"\s*([-*\u2022]\s|\d+[.)]\s|[A-Z][\w'.-]*( [A-Z][\w'.-]*){0,3}:\s|[\w-]+:\s*$)")


def _joins(lines: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """The line breaks of one paragraph to join: (start, end) of the break and the next line's quote markers.

    A paragraph is width-limited when no line is longer than the wrap width; in one, a line
    that fills the width (and does not end in a colon) joins the next, unless the next line
    starts like a transcript turn, a header or a list item.
    """
    bodies = [line[_QUOTE.match(line).end():].rstrip() for _, line in lines]  # type: ignore[union-attr]
    if len(lines) < 2 or max(len(b) for b in bodies) > _WRAP_MAX:
        return []
    joins = []
    for k in range(len(lines) - 1):
        body, (start, line), (nxt, nline) = bodies[k], lines[k], lines[k + 1]
        if len(body) >= _WRAP_MIN and not body.endswith(":") and not _STARTS_TURN.match(bodies[k + 1]):
            joins.append((start + len(line.rstrip()), nxt + _QUOTE.match(nline).end()))  # type: ignore[union-attr]
    return joins


def unwrap(text: str) -> tuple[str, list[int]]:
    """Join the lines of hard-wrapped paragraphs with one space, keeping a map back to `text`.

    Returns:
        The unwrapped text and, for each of its characters, the index in `text` it came
        from (plus a final entry equal to `len(text)`).
    """
    paragraphs: list[list[tuple[int, str]]] = [[]]
    for m in _LINE.finditer(text):
        if m.start() and text[m.start() - 1] != "\n":
            continue  # the empty match after a line's end
        if m.group().strip(" \t>"):
            paragraphs[-1].append((m.start(), m.group()))
        elif paragraphs[-1]:
            paragraphs.append([])
    joins = [j for para in paragraphs for j in _joins(para)]
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for start, end in joins:
        out.append(text[pos:start])
        index += range(pos, start)
        out.append(" ")
        index.append(start)
        pos = end
    out.append(text[pos:])
    index += range(pos, len(text))
    index.append(len(text))
    return "".join(out), index
