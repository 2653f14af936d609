from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.text import (
    FILLERS,
    STOPWORDS,
    is_hidden,
    locate_quote,
    normalise,
    sentence_spans,
    strip_hidden,
)

# Text built from the pieces sentences are made of: words, sentence ends, closing quotes,
# citation markers, list markers, line breaks, headings, hidden and typographic characters.
_PIECES = st.sampled_from(
    ["Send", "the", "form", "£1.50", "e.g.", "10.30", "3 October", ".", "!", "?", "…", "...", '"', "”", ")",
     "[1]", "[2, 3]", " ", "  ", "\t", "\n", "\n\n", "- ", "* ", "1. ", "12) ", "> ", "[x] ", "# Fees", "| a |",
     "**Note**", "-", "—", "\u200b", "\u00a0", "ﬁ", "Ａ", "É", "can’t", "\r\n"]
)
TEXTS = st.lists(_PIECES, max_size=40).map("".join)
_GAP = re.compile(r"(?:\s|[-–—•·>.…*+]|\d{1,3}[.)]|\[[ xX]\])*")


def _check_cover(text: str, spans, start: int = 0, end: int | None = None) -> None:
    end = len(text) if end is None else end
    cursor = start
    for s in spans:
        assert cursor <= s.start < s.end <= end
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
        # Between sentences there is only whitespace and the list markers that lead a sentence.
        assert _GAP.fullmatch(text[cursor : s.start]), (text, text[cursor : s.start])
        cursor = s.end
    assert text[cursor:end].strip() == "" or _GAP.fullmatch(text[cursor:end])


@given(TEXTS, st.booleans())
def test_sentence_spans_cover_the_text_exactly(text, markdown):
    _check_cover(text, sentence_spans(text, markdown=markdown))


@given(TEXTS, st.integers(0, 60), st.integers(0, 60))
def test_sentence_spans_of_a_range_stay_inside_it(text, a, b):
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    _check_cover(text, sentence_spans(text, start, end), start, end)


def test_sentence_spans_cut_at_ends_with_closers_and_markers():
    text = 'He said "yes." Then [1] we left! Fees are £1.50 [2, 3]. Done… ok'
    assert [s.text for s in sentence_spans(text)] == [
        'He said "yes."', "Then [1] we left!", "Fees are £1.50 [2, 3].", "Done…", "ok",
    ]


def test_sentence_spans_of_plain_text_end_at_every_line_and_skip_list_markers():
    text = "- I'll send the form.\n2. Call Ada\n-----Original Message-----\nok"
    assert [s.text for s in sentence_spans(text)] == [
        "I'll send the form.", "Call Ada", "Original Message-----", "ok",
    ]


def test_sentence_spans_of_markdown_keep_wrapped_lines_and_heading_lines_whole():
    text = "## 2. Screening\n- Wraps\n  onto a line. Next!\nLazy line\n\n| a | b |\n1. Item."
    assert [s.text for s in sentence_spans(text, markdown=True)] == [
        "## 2. Screening", "Wraps\n  onto a line.", "Next!", "Lazy line", "| a | b |", "Item.",
    ]


@given(TEXTS, st.booleans(), st.booleans())
def test_normalise_index_maps_every_character_back_to_its_source(text, casefold, collapse):
    n = normalise(text, casefold=casefold, collapse_whitespace=collapse)
    assert len(n.index) == len(n.text) + 1 and n.index[-1] == len(text)
    assert list(n.index[:-1]) == sorted(n.index[:-1])
    for i, ch in enumerate(n.text):
        source = text[n.index[i]]
        assert not is_hidden(source)
        # Each folded character comes from the source character at its index.
        assert ch == " " and collapse or ch in normalise(source, casefold=casefold).text


@given(TEXTS, st.integers(0, 80), st.integers(0, 80))
def test_normalise_source_span_round_trips(text, a, b):
    n = normalise(text, casefold=True, collapse_whitespace=True)
    a, b = sorted((min(a, len(n.text)), min(b, len(n.text))))
    s, e = n.source_span(a, b)
    assert 0 <= s <= e <= len(text)
    # Folding the source span gives back the folded slice, up to the whitespace at its edges and
    # the rest of a character that folds to several ("ﬁ" -> "fi") when the slice ends inside it.
    folded = normalise(text[s:e], casefold=True, collapse_whitespace=True).text
    assert n.text[a:b].strip() in folded
    assert len(folded.strip()) <= len(n.text[a:b].strip()) + 2 * max(len(normalise(c, casefold=True).text)
                                                                     for c in text or " ")


def test_normalise_folds_hidden_compatibility_and_typographic_characters():
    n = normalise("Ca\u200bn’t\u00a0ﬁle ＡＢ", casefold=True)
    assert n.text == "can't file ab"
    assert n.source_span(6, 10) == (7, 10)  # "file" came from the ligature and "le"


def test_normalise_applies_a_lookalike_table():
    assert normalise("Сlаim", lookalikes=str.maketrans({"С": "C", "а": "a"})).text == "Claim"


def test_locate_quote_returns_the_source_span_for_a_loose_copy():
    source = "Olivia: I’ll send you the   PORTFOLIO\nreview by Friday."
    start, end = locate_quote("I'll send you the portfolio review", source)
    assert source[start:end] == "I’ll send you the   PORTFOLIO\nreview"


def test_locate_quote_prefers_an_exact_match_after_the_hint():
    source = "send it. later: send it."
    assert locate_quote("send it.", source, 5) == (16, 24)
    assert locate_quote("send it.", source) == (0, 8)


@pytest.mark.parametrize("quote", ["", "   ", "not there at all", "send"])
def test_locate_quote_is_none_when_absent_or_too_short_to_match_loosely(quote):
    assert locate_quote(quote, "We will SEND the form.") is None


@given(TEXTS, st.integers(0, 40), st.integers(1, 30))
def test_locate_quote_finds_any_slice_copied_loosely(text, a, size):
    quote = text[a : a + size]
    span = locate_quote(quote.upper().replace("’", "'"), text, min_chars=1)
    if normalise(quote, casefold=True, collapse_whitespace=True).text.strip():
        assert span is not None
        s, e = span
        assert normalise(text[s:e], casefold=True, collapse_whitespace=True).text.strip() == \
            normalise(quote, casefold=True, collapse_whitespace=True).text.strip()


def test_strip_hidden_keeps_whitespace_and_visible_unicode():
    text = "Zürich\tfee\r\n€5 – ok 😀"
    assert strip_hidden(text) == text


def test_strip_hidden_removes_tag_character_smuggled_instruction():
    smuggled = "hello" + "".join(chr(0xE0000 + ord(c)) for c in "approve")
    assert strip_hidden(smuggled) == "hello"


@pytest.mark.parametrize("hidden", ["\u200b", "\u00ad", "\ufe0f", "\U000e0041", "\u202e", "\x07", "\ufeff"])
def test_strip_hidden_removes_format_characters_and_controls(hidden):
    assert strip_hidden(f"ap{hidden}prove") == "approve"


def test_stopwords_and_fillers_are_lowercase_words_that_do_not_overlap():
    assert {"the", "how", "please", "send", "much"} <= STOPWORDS
    assert {"um", "yeah", "gonna"} <= FILLERS
    assert not STOPWORDS & FILLERS
    assert all(w == w.lower() and w.strip() == w for w in STOPWORDS | FILLERS)
