"""Tests for pipeline.chunking: structure, splitting, overlap and the exact-slice invariant."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.chunking import Chunk, chunk_document
from pipeline.documents import LoadedDocument, Section
from pipeline.loaders import load_document


def make_doc(text: str, sections: list[Section] | None = None) -> LoadedDocument:
    return LoadedDocument(
        filename="t.txt", media_type="text/plain", kind="kb", title="t", text=text, sections=sections or []
    )


def assert_exact(doc: LoadedDocument, chunks: list[Chunk]) -> None:
    for i, chunk in enumerate(chunks):
        assert chunk.ordinal == i
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text.strip() == chunk.text != ""


def test_chunk_short_sections_same_heading_merge() -> None:
    text = "A: hi.\nB: hello.\nA: bye."
    sections = [
        Section(start=0, end=6, role="turn", speaker="A"),
        Section(start=7, end=16, role="turn", speaker="B"),
        Section(start=17, end=23, role="turn", speaker="A"),
    ]
    chunks = chunk_document(make_doc(text, sections))
    assert [(c.text, c.speaker) for c in chunks] == [(text, None)]


def test_chunk_same_speaker_merge_keeps_speaker() -> None:
    text = "A: one.\nA: two."
    sections = [Section(start=0, end=7, speaker="A"), Section(start=8, end=15, speaker="A")]
    assert chunk_document(make_doc(text, sections))[0].speaker == "A"


def test_chunk_never_crosses_heading_boundary() -> None:
    doc = load_document(b"# Fees\n\nATM fee.\n\n# Cards\n\nLost card.", "kb.md")
    chunks = chunk_document(doc)
    assert [(c.heading, c.text) for c in chunks] == [
        ("Fees", "# Fees\n\nATM fee."),
        ("Cards", "# Cards\n\nLost card."),
    ]


def test_chunk_merge_stops_at_max_chars() -> None:
    paragraphs = ["x" * 50 for _ in range(5)]
    text = "\n\n".join(paragraphs)
    sections = []
    pos = 0
    for p in paragraphs:
        sections.append(Section(start=pos, end=pos + len(p)))
        pos += len(p) + 2
    chunks = chunk_document(make_doc(text, sections), max_chars=120, overlap=10)
    assert [len(c.text) for c in chunks] == [102, 102, 50]
    assert_exact(make_doc(text, sections), chunks)


def test_chunk_quoted_history_gets_own_chunks() -> None:
    eml = b"From: a@example.com\nSubject: s\n\nNew words.\n\n> old words\n> more old\n"
    doc = load_document(eml, "m.eml")
    chunks = chunk_document(doc)
    assert [c.heading for c in chunks] == ["s", "s > Quoted history"]
    assert chunks[-1].text == "> old words\n> more old"
    assert chunks[0].text.endswith("New words.")


def test_chunk_unheaded_quoted_section_gets_default_heading() -> None:
    text = "new\n\n> old"
    sections = [Section(start=0, end=3), Section(start=5, end=10, role="quoted")]
    chunks = chunk_document(make_doc(text, sections))
    assert [c.heading for c in chunks] == [None, "Quoted history"]


def test_chunk_long_section_splits_at_paragraphs() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 30 for i in range(6)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    doc = make_doc(text, [Section(start=0, end=len(text), heading="H")])
    chunks = chunk_document(doc, max_chars=400, overlap=0)
    assert len(chunks) > 1
    assert all(c.heading == "H" and len(c.text) <= 400 for c in chunks)
    assert all(c.text.startswith("Paragraph") for c in chunks)
    assert all(c.text.endswith("word") for c in chunks)
    assert_exact(doc, chunks)


def test_chunk_long_paragraph_splits_at_sentences_with_overlap() -> None:
    text = " ".join(f"Sentence number {i} says something useful." for i in range(60))
    doc = make_doc(text)
    chunks = chunk_document(doc, max_chars=300, overlap=60)
    assert len(chunks) > 3
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.text.endswith(".")
        shared = before.end - after.start
        assert 20 <= shared <= 60
        assert doc.text[after.start - 1] == " "  # overlap starts at a word
    assert_exact(doc, chunks)


def test_chunk_unbroken_text_hard_cut() -> None:
    doc = make_doc("x" * 1000)
    chunks = chunk_document(doc, max_chars=300, overlap=50)
    assert all(len(c.text) <= 300 for c in chunks)
    assert chunks[0].start == 0 and chunks[-1].end == 1000
    assert_exact(doc, chunks)


def test_chunk_skips_whitespace_and_covers_unsectioned_text() -> None:
    text = "  \n\nloose text\n\n   \n\nin section\n\n"
    doc = make_doc(text, [Section(start=20, end=32, heading="S")])
    chunks = chunk_document(doc)
    assert [(c.text, c.heading) for c in chunks] == [("loose text", None), ("in section", "S")]


def test_chunk_mbox_messages_do_not_merge() -> None:
    mbox = (
        b"From a@x Mon Sep  1 10:00:00 2025\nFrom: a@x\nSubject: s\n\nOne.\n\n"
        b"From b@x Mon Sep  1 11:00:00 2025\nFrom: b@x\nSubject: s\n\nTwo.\n"
    )
    chunks = chunk_document(load_document(mbox, "t.mbox"))
    assert len(chunks) == 2
    assert chunks[1].text.endswith("Two.")


def test_chunk_overlap_capped_at_half_of_max_chars() -> None:
    doc = make_doc("word " * 100)
    chunks = chunk_document(doc, max_chars=50, overlap=500)
    assert all(a.end - b.start <= 25 for a, b in zip(chunks, chunks[1:], strict=False))
    assert_exact(doc, chunks)


def test_chunk_deterministic() -> None:
    doc = make_doc(" ".join(f"w{i}." for i in range(800)))
    assert chunk_document(doc, max_chars=200) == chunk_document(doc, max_chars=200)


@pytest.mark.parametrize(("max_chars", "overlap"), [(0, 0), (100, -1)])
def test_chunk_bad_parameters_raise(max_chars: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        chunk_document(make_doc("text"), max_chars=max_chars, overlap=overlap)


_alphabet = st.sampled_from(list("ab c.\n!?\té—") + [" ", "\n"])


@st.composite
def documents(draw: st.DrawFn) -> LoadedDocument:
    text = draw(st.text(alphabet=_alphabet, max_size=600))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))))
    sections = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if draw(st.booleans()):
            sections.append(
                Section(
                    start=start,
                    end=end,
                    heading=draw(st.sampled_from([None, "A", "A > B"])),
                    role=draw(st.sampled_from(["body", "turn", "quoted", "header"])),
                    speaker=draw(st.sampled_from([None, "X", "Y"])),
                    message_index=draw(st.sampled_from([None, 0, 1])),
                )
            )
    return make_doc(text, sections)


@settings(max_examples=300, deadline=None)
@given(doc=documents(), max_chars=st.integers(1, 200), overlap_share=st.floats(0, 0.9))
def test_chunk_invariants_hold_on_random_documents(doc: LoadedDocument, max_chars: int, overlap_share: float) -> None:
    overlap = min(int(max_chars * overlap_share), max_chars - 1)
    chunks = chunk_document(doc, max_chars=max_chars, overlap=overlap)
    assert_exact(doc, chunks)
    assert all(len(c.text) <= max_chars for c in chunks)
    # Every non-whitespace character lands in some chunk.
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(doc.text) if not ch.isspace())
    # Chunks come in document order.
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
    assert chunks == chunk_document(doc, max_chars=max_chars, overlap=overlap)


@settings(max_examples=60, deadline=None)
@given(body=st.text(alphabet=_alphabet, min_size=1, max_size=400))
def test_chunk_invariants_hold_on_loaded_markdown(body: str) -> None:
    source = f"# Head\n\n{body}\n\n## Sub\n\n{body}"
    doc = load_document(source.encode(), "r.md")
    assert_exact(doc, chunk_document(doc, max_chars=80, overlap=20))
