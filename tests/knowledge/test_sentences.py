from __future__ import annotations

from knowledge.sentences import quotable_sentences


def test_quotable_sentences_keep_offsets_and_skip_markup() -> None:
    text = (
        "## Heading\n\n- First bullet wraps\n  onto a second line. Second sentence!\n"
        "- Next bullet\n\n| a | b |\n|---|---|\n| CHAPS | £25 |\n\n1. Numbered item. Then this."
    )
    sentences = quotable_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.text for s in sentences] == [
        "First bullet wraps\n  onto a second line.",
        "Second sentence!",
        "Next bullet",
        "| a | b |",
        "| CHAPS | £25 |",
        "Numbered item.",
        "Then this.",
    ]


def test_quotable_sentences_skip_a_numbered_heading_and_keep_the_text_under_it() -> None:
    text = "## 2. Screening\nSanctions screening comes first. Then PEP checks."
    assert [s.text for s in quotable_sentences(text)] == ["Sanctions screening comes first.", "Then PEP checks."]
