"""The sentences of a passage that an answer may quote.

Splitting is `pipeline.text.sentence_spans` in Markdown mode (knowledge documents are
Markdown, HTML, PDF and DOCX rendered as text with Markdown-style headings, lists and
tables): wrapped lines stay one sentence, and a blank line or the start of a list item,
heading or table row ends one. On top of that, what is never quoted is left out: heading
lines, table separator rows and fragments without a letter or digit.
"""

from __future__ import annotations

import re

from pipeline.text import Span, sentence_spans

Sentence = Span
"""A sentence of a text, as exact offsets into it."""

_WORD = re.compile(r"[^\W_]", re.UNICODE)


def quotable_sentences(text: str) -> list[Sentence]:
    """The sentences of a passage (or an answer), keeping exact offsets.

    Leading list markers (`- `, `1. `) and surrounding whitespace are outside each span, so
    `text[s.start:s.end] == s.text`. Markdown headings, table separator rows and fragments
    without a letter or digit are left out.

    Args:
        text: Chunk or answer text.

    Returns:
        Sentences in text order.
    """
    return [
        s for s in sentence_spans(text, markdown=True)
        if not s.text.startswith("#") and _WORD.search(s.text) and not set(s.text) <= set("|-: ")
    ]  # fmt: skip
