"""PDF and DOCX loaders."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from pipeline.errors import (
    MalformedDocument,
)
from pipeline.loaders import load_document, load_path
from tests.pipeline.loaders.helpers import SECRET, assert_offsets_valid, assert_refused, span


def make_pdf(pages: list[list[str]]) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_load_pdf_sections_by_heading() -> None:
    data = make_pdf(
        [
            ["Overdraft Charges", "An unarranged overdraft costs 5 pounds a day.", "It is capped monthly."],
            ["2. Card Fees", "Cards are free to replace once a year."],
        ]
    )
    doc = load_document(data, "tariff.pdf")
    assert doc.media_type == "application/pdf"
    assert doc.kind == "kb"
    assert [s.heading for s in doc.sections] == ["Overdraft Charges", "2. Card Fees"]
    assert "capped monthly." in span(doc, doc.sections[0])
    assert span(doc, doc.sections[1]).startswith("2. Card Fees")
    assert doc.metadata["pages"] == "2"
    assert doc.metadata["page_starts"] == f"0,{doc.sections[1].start}"
    assert_offsets_valid(doc)


DEMO_KB = Path(__file__).resolve().parents[3] / "clientloop" / "demo_data" / "kb"


def test_load_pdf_demo_payee_change_headings_by_font() -> None:
    doc = load_path(DEMO_KB / "payee-change-procedure.pdf")
    title = "Procedure: Payee and Bank Detail Changes"
    assert doc.title == title
    leaves = list(dict.fromkeys((s.heading or "").split(" > ")[-1] for s in doc.sections))
    assert leaves == [
        title,
        "Requests we accept",
        "Warning signs",
        "Call-back verification",
        "Processing the change",
        "High-value payments after a change",
        "If fraud is suspected",
        "Record keeping",
    ]
    assert all(s.heading == title or (s.heading or "").startswith(title + " > ") for s in doc.sections)
    callback = next(s for s in doc.sections if (s.heading or "").endswith("Call-back verification"))
    assert span(doc, callback).startswith("Call-back verification\n\n")
    assert_offsets_valid(doc)


def test_load_pdf_wrapped_bold_title_joined() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=17)
    pdf.multi_cell(60, 8, "Procedure: Lost and Stolen Cards and Disputed Transactions", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10.5)
    pdf.multi_cell(0, 5.5, "Applies to every card we issue, personal or business.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", style="B", size=13)
    pdf.multi_cell(0, 7, "blocking a card", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10.5)
    pdf.multi_cell(0, 5.5, "Block the card at once. Replacement Cards Arrive Quickly", new_x="LMARGIN", new_y="NEXT")
    doc = load_document(bytes(pdf.output()), "cards.pdf")
    title = "Procedure: Lost and Stolen Cards and Disputed Transactions"
    assert doc.title == title
    # Lower-case heading found by font; a Title Case body line is not taken for one.
    assert [s.heading for s in doc.sections] == [title, f"{title} > blocking a card"]
    assert "Replacement Cards Arrive Quickly" in span(doc, doc.sections[1])
    assert_offsets_valid(doc)


def test_load_pdf_broken_raises_malformed() -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(b"%PDF-1.4\n" + SECRET.encode() + b"\ntruncated", "broken.pdf")
    assert_refused(exc, "broken.pdf")


def test_load_pdf_encrypted_raises_malformed() -> None:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, SECRET)
    with pytest.raises(MalformedDocument) as exc:
        load_document(bytes(pdf.output()), "locked.pdf")
    assert_refused(exc, "locked.pdf")


def test_load_pdf_extension_on_other_content_raises_malformed() -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(f"plain {SECRET}".encode(), "fake.pdf")
    assert_refused(exc, "fake.pdf")


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Savings Guide", style="Title")
    document.add_paragraph("Intro before any heading.")
    document.add_heading("Rates", level=1)
    document.add_paragraph("Easy access pays 3%.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Term", "Rate"
    table.cell(1, 0).text, table.cell(1, 1).text = "1 year", "4%"
    document.add_heading("Bonus", level=2)
    document.add_paragraph("Bonus rates last 12 months.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_load_docx_heading_styles_and_tables() -> None:
    doc = load_document(make_docx(), "guide.docx")
    assert doc.title == "Savings Guide"
    assert [s.heading for s in doc.sections] == [None, "Rates", "Rates > Bonus"]
    rates = span(doc, doc.sections[1])
    assert rates.startswith("Rates\n\nEasy access pays 3%.")
    assert "Term | Rate\n1 year | 4%" in rates
    assert span(doc, doc.sections[2]) == "Bonus\n\nBonus rates last 12 months."
    assert_offsets_valid(doc)


def test_load_docx_broken_zip_raises_malformed() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", SECRET)
    with pytest.raises(MalformedDocument) as exc:
        load_document(buffer.getvalue(), "bad.docx")
    assert_refused(exc, "bad.docx")


def test_load_docx_not_a_zip_raises_malformed() -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(SECRET.encode(), "old.docx")
    assert_refused(exc, "old.docx")


def test_load_path_docx_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "guide.docx"
    path.write_bytes(make_docx())
    assert load_path(path).title == "Savings Guide"
