"""Plain text, Markdown and HTML loaders."""

from __future__ import annotations

from pipeline.loaders import load_document
from tests.pipeline.loaders.helpers import assert_offsets_valid, span


def test_load_prose_txt_is_one_kb_section() -> None:
    doc = load_document(b"Card fees\r\n\r\nThe ATM fee is \xc2\xa32.\r\n", "fees.txt")
    assert doc.kind == "kb"
    assert doc.media_type == "text/plain"
    assert doc.text == "Card fees\n\nThe ATM fee is £2.\n"
    assert [span(doc, s) for s in doc.sections] == ["Card fees\n\nThe ATM fee is £2."]
    assert doc.title == "fees"


def test_load_text_normalises_to_nfc() -> None:
    doc = load_document("Chloe\u0301 wrote this.".encode(), "note.txt")
    assert doc.text == "Chloé wrote this."
    assert span(doc, doc.sections[0]) == "Chloé wrote this."


def test_load_markdown_heading_paths_and_offsets() -> None:
    source = (
        "Intro line.\n\n# Fees\n\nGeneral fees.\n\n## ATM\n\nATM fee is £2.\n\n"
        "```\n# not a heading\n```\n\n## Transfers\n\nFree.\n\n# Cards\n\nLost cards.\n"
    )
    doc = load_document(source.encode(), "kb.md")
    assert doc.text == source
    assert doc.title == "Fees"
    assert doc.media_type == "text/markdown"
    headings = [s.heading for s in doc.sections]
    assert headings == [None, "Fees", "Fees > ATM", "Fees > Transfers", "Cards"]
    atm = doc.sections[2]
    assert span(doc, atm).startswith("## ATM")
    assert "# not a heading" in span(doc, atm)
    assert span(doc, doc.sections[4]) == "# Cards\n\nLost cards."
    assert_offsets_valid(doc)


def test_load_html_drops_furniture_and_keeps_structure() -> None:
    html = b"""<html><head><title>Card help</title><style>p{}</style></head><body>
    <nav>Home | Login</nav><script>var x = 1;</script>
    <h1>Cards</h1><p>Report a   lost card at once.</p>
    <h2>Fees</h2><ul><li>ATM: 2 GBP</li><li>Abroad: 3%</li></ul>
    <table><tr><th>Fee</th><th>Amount</th></tr><tr><td>Replacement</td><td>5 GBP</td></tr></table>
    </body></html>"""
    doc = load_document(html, "help.html")
    assert doc.title == "Card help"
    assert "Home" not in doc.text and "var x" not in doc.text
    assert [s.heading for s in doc.sections] == ["Cards", "Cards > Fees"]
    assert span(doc, doc.sections[0]) == "Cards\n\nReport a lost card at once."
    fees = span(doc, doc.sections[1])
    assert "ATM: 2 GBP\nAbroad: 3%" in fees
    assert "Fee | Amount\nReplacement | 5 GBP" in fees
    assert_offsets_valid(doc)


def test_load_html_title_falls_back_to_first_h1() -> None:
    doc = load_document(b"<body><h2>Sub</h2><h1>Main</h1><p>x</p></body>", "page.htm")
    assert doc.title == "Main"
