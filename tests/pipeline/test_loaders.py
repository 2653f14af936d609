"""Tests for pipeline.loaders: every format, every refusal."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from pipeline.documents import LoadedDocument, Section
from pipeline.errors import (
    DocumentTooLarge,
    EmptyDocument,
    InputError,
    MalformedDocument,
    UndecodableDocument,
    UnsupportedFormat,
)
from pipeline.loaders import load_document, load_path

SECRET = "ACCT-99812-SECRET"


def span(doc: LoadedDocument, section: Section) -> str:
    return doc.text[section.start : section.end]


def by_role(doc: LoadedDocument, role: str) -> list[str]:
    return [span(doc, s) for s in doc.sections if s.role == role]


def assert_offsets_valid(doc: LoadedDocument) -> None:
    previous_end = 0
    for s in doc.sections:
        assert 0 <= s.start < s.end <= len(doc.text)
        assert s.start >= previous_end
        assert span(doc, s) == span(doc, s).strip()
        previous_end = s.end


def assert_refused(exc: pytest.ExceptionInfo[InputError], filename: str) -> None:
    message = str(exc.value)
    assert filename in message
    assert SECRET not in message
    assert exc.value.filename == filename


# --- plain text, markdown, html -------------------------------------------------------


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


# --- pdf, docx --------------------------------------------------------------------------


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


DEMO_KB = Path(__file__).resolve().parents[2] / "clientloop" / "demo_data" / "kb"


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


# --- email ------------------------------------------------------------------------------

EML = b"""From: Rosa Villanueva <rosa@example.com>
To: Kieran Doyle <kieran@bank.example>
Cc: Ops <ops@bank.example>
Date: Wed, 27 Aug 2025 14:05:51 +0100
Subject: Fees on my account
Message-ID: <abc@example.com>
Content-Type: text/plain; charset="utf-8"

Hi Kieran,

Please refund the fees by Friday.

Rosa

-----Original Message-----
From: Kieran Doyle
Sent: Tuesday, 26 August 2025 09:00
Subject: Fees

I will send the statement on Monday.
"""


def test_load_eml_header_body_and_original_message_split() -> None:
    doc = load_document(EML, "thread.eml")
    assert doc.kind == "email"
    assert doc.media_type == "message/rfc822"
    assert doc.title == "Fees on my account"
    assert doc.metadata["From"] == "Rosa Villanueva <rosa@example.com>"
    assert doc.metadata["Cc"] == "Ops <ops@bank.example>"
    assert doc.metadata["Message-ID"] == "<abc@example.com>"
    assert doc.occurred_at is not None and doc.occurred_at.isoformat() == "2025-08-27T14:05:51+01:00"
    assert doc.text.startswith("From: Rosa Villanueva <rosa@example.com>\nTo: ")
    header = by_role(doc, "header")
    assert header[0].endswith("Subject: Fees on my account")
    assert by_role(doc, "body") == ["Hi Kieran,\n\nPlease refund the fees by Friday.\n\nRosa"]
    quoted = by_role(doc, "quoted")
    assert len(quoted) == 1 and quoted[0].startswith("-----Original Message-----")
    assert quoted[0].endswith("statement on Monday.")
    assert "new_text_empty" not in doc.metadata
    assert_offsets_valid(doc)


def test_load_eml_gt_quoted_lines_and_on_wrote() -> None:
    eml = (
        b"From: a@example.com\nTo: b@example.com\nSubject: Re: rates\n\n"
        b"Yes, go ahead.\n\nOn Mon, 1 Sep 2025 at 10:00, B <b@example.com> wrote:\n"
        b"> Shall I fix the rate?\n>\n> B\n"
    )
    doc = load_document(eml, "reply.eml")
    assert by_role(doc, "body") == ["Yes, go ahead."]
    assert by_role(doc, "quoted") == [
        "On Mon, 1 Sep 2025 at 10:00, B <b@example.com> wrote:\n> Shall I fix the rate?\n>\n> B"
    ]
    quoted_section = next(s for s in doc.sections if s.role == "quoted")
    assert quoted_section.heading == "Re: rates > Quoted history"


def test_load_eml_inline_reply_keeps_new_text_after_quote() -> None:
    eml = b"From: a@example.com\nSubject: x\n\n> Question one?\n> More.\nAnswer one.\n> Question two?\nAnswer two.\n"
    doc = load_document(eml, "inline.eml")
    assert by_role(doc, "body") == ["Answer one.", "Answer two."]
    assert by_role(doc, "quoted") == ["> Question one?\n> More.", "> Question two?"]


def test_load_eml_only_quoted_history_marks_new_text_empty() -> None:
    eml = b"From: a@example.com\nTo: b@example.com\nSubject: Fwd\n\n-----Original Message-----\nFrom: c\nOld text.\n"
    doc = load_document(eml, "fwd.eml")
    assert doc.metadata["new_text_empty"] == "true"
    assert by_role(doc, "body") == []
    assert by_role(doc, "quoted") == ["-----Original Message-----\nFrom: c\nOld text."]


def test_load_eml_html_only_body_is_converted() -> None:
    eml = (
        b"From: a@example.com\nSubject: html\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        b"<html><body><p>Hello <b>there</b>.</p><script>bad()</script><p>Bye.</p></body></html>\n"
    )
    doc = load_document(eml, "html.eml")
    assert by_role(doc, "body") == ["Hello there .\n\nBye."]


def test_load_eml_prefers_plain_part_of_multipart() -> None:
    eml = (
        b"From: a@example.com\nSubject: alt\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/alternative; boundary="XX"\n\n'
        b"--XX\nContent-Type: text/plain; charset=utf-8\n\nPlain body.\n"
        b"--XX\nContent-Type: text/html; charset=utf-8\n\n<p>HTML body.</p>\n--XX--\n"
    )
    doc = load_document(eml, "alt.eml")
    assert by_role(doc, "body") == ["Plain body."]


def test_load_eml_without_headers_raises_malformed() -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(f"just some words {SECRET}\n\nmore".encode(), "nohead.eml")
    assert_refused(exc, "nohead.eml")


def mbox_message(n: int, subject: str, quoted: bool = False) -> bytes:
    body = f"Message {n} text.\nFrom the desk of B.\n"
    if quoted:
        body += "\n> older line\n> another\n"
    return (
        f"From sender{n}@example.com Mon Sep  1 10:0{n}:00 2025\n"
        f"From: sender{n}@example.com\nTo: rm@bank.example\n"
        f"Date: Mon, 1 Sep 2025 10:0{n}:00 +0000\nSubject: {subject}\n\n{body}\n"
    ).encode()


def test_load_mbox_three_messages_in_order() -> None:
    data = mbox_message(1, "First") + mbox_message(2, "Second", quoted=True) + mbox_message(3, "Third")
    doc = load_document(data, "thread.mbox")
    assert doc.kind == "email"
    assert doc.media_type == "application/mbox"
    assert doc.title == "First"
    assert doc.metadata["message_count"] == "3"
    assert [s.message_index for s in doc.sections if s.role == "header"] == [0, 1, 2]
    bodies = [(s.message_index, span(doc, s)) for s in doc.sections if s.role == "body"]
    # The "From the desk" line was escaped by nobody, but must not split a message.
    assert bodies == [(i, f"Message {i + 1} text.\nFrom the desk of B.") for i in range(3)]
    assert [(s.message_index, span(doc, s)) for s in doc.sections if s.role == "quoted"] == [
        (1, "> older line\n> another")
    ]
    assert doc.occurred_at is not None and doc.occurred_at.minute == 3
    assert_offsets_valid(doc)


def test_load_mbox_without_messages_raises_malformed() -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(f"no separator lines {SECRET}\n".encode(), "empty.mbox")
    assert_refused(exc, "empty.mbox")


TEXT_EMAIL = """From: Helena <helena@bank.example>
To: Kwame <kwame@example.com>
Date: Mon, 14 Jul 2025 15:22:10 +0100
Subject: RE: Complaint

Dear Mr Asante,

I will email you an update by Friday.

---
Footer note stays in the new text.

> From: Kwame
> Sent: Friday, July 11, 2025 7:48 PM
>
> I want to make a formal complaint.
"""


def test_load_text_email_detected_and_split() -> None:
    doc = load_document(TEXT_EMAIL.encode(), "dev-008.txt")
    assert doc.kind == "email"
    assert doc.text == TEXT_EMAIL
    assert doc.title == "RE: Complaint"
    assert doc.metadata["From"] == "Helena <helena@bank.example>"
    assert doc.occurred_at is not None and doc.occurred_at.day == 14
    assert by_role(doc, "header") == [TEXT_EMAIL.split("\n\n")[0]]
    assert by_role(doc, "body") == [
        "Dear Mr Asante,\n\nI will email you an update by Friday.\n\n---\nFooter note stays in the new text."
    ]
    assert by_role(doc, "quoted")[0].startswith("> From: Kwame")
    assert_offsets_valid(doc)


def test_load_text_email_outlook_from_sent_block_is_quoted() -> None:
    text = "From: a\nSubject: s\n\nThanks.\n\nFrom: B\nSent: Monday\nTo: a\n\nOld promise.\n"
    doc = load_document(text.encode(), "mail.txt")
    assert by_role(doc, "body") == ["Thanks."]
    assert by_role(doc, "quoted") == ["From: B\nSent: Monday\nTo: a\n\nOld promise."]


def test_load_meeting_note_with_date_line_is_prose() -> None:
    text = "Client: Mrs M. Delacroix\nDate: 02/05/25\nType: phone call\n\nSpoke to client, all good.\n"
    doc = load_document(text.encode(), "note.txt")
    assert doc.kind == "kb"
    assert doc.media_type == "text/plain"


# --- transcripts ------------------------------------------------------------------------


def test_load_plain_transcript_turns() -> None:
    text = "Olivia Mensah: Morning, Henrik.\nHenrik Lindqvist: Morning.\nit's noisy here.\nOlivia Mensah: Fine.\n"
    doc = load_document(text.encode(), "call.txt")
    assert doc.kind == "transcript"
    assert doc.text == text
    assert [(s.speaker, span(doc, s)) for s in doc.sections] == [
        ("Olivia Mensah", "Olivia Mensah: Morning, Henrik."),
        ("Henrik Lindqvist", "Henrik Lindqvist: Morning.\nit's noisy here."),
        ("Olivia Mensah", "Olivia Mensah: Fine."),
    ]
    assert all(s.role == "turn" for s in doc.sections)
    assert doc.metadata["speakers"] == "Olivia Mensah, Henrik Lindqvist"


VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.500
<v Priya Natarajan>Good morning, Graham.</v>

2
00:00:03.500 --> 00:00:05.000
<v Priya Natarajan>Is now a good time?

NOTE this is a comment

00:00:05.000 --> 00:01:02.250 align:start
Graham: Yes, <i>go on</i>.
"""


def test_load_vtt_voice_tags_merge_and_timestamps() -> None:
    doc = load_document(VTT.encode(), "call.vtt")
    assert doc.kind == "transcript"
    assert doc.media_type == "text/vtt"
    assert doc.text == "Priya Natarajan: Good morning, Graham. Is now a good time?\nGraham: Yes, go on ."
    first, second = doc.sections
    assert (first.speaker, first.start_time, first.end_time) == ("Priya Natarajan", 1.0, 5.0)
    assert (second.speaker, second.start_time, second.end_time) == ("Graham", 5.0, 62.25)
    assert span(doc, second) == "Graham: Yes, go on ."
    assert doc.metadata["speakers"] == "Priya Natarajan, Graham"


def test_load_vtt_without_speakers_marks_unknown() -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nHello there.\n\n00:02.000 --> 00:03.000\nGeneral Kenobi.\n"
    doc = load_document(vtt.encode(), "anon.vtt")
    assert doc.metadata["speakers"] == "unknown"
    assert [(s.speaker, span(doc, s)) for s in doc.sections] == [(None, "Hello there."), (None, "General Kenobi.")]


def test_load_vtt_without_header_raises_malformed() -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(f"00:01.000 --> 00:02.000\n{SECRET}\n".encode(), "nohead.vtt")
    assert_refused(exc, "nohead.vtt")
    assert "WEBVTT" in str(exc.value)


def test_load_srt_cues_and_speakers() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nAmira: Hello.\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\nDanny: Hi, it's Danny.\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\nDanny: About the loan.\n"
    )
    doc = load_document(srt.encode(), "call.srt")
    assert doc.media_type == "application/x-subrip"
    assert doc.text == "Amira: Hello.\nDanny: Hi, it's Danny. About the loan."
    assert [(s.speaker, s.start_time, s.end_time) for s in doc.sections] == [
        ("Amira", 1.0, 2.0),
        ("Danny", 2.5, 5.0),
    ]


def test_load_srt_bad_timestamp_names_cue() -> None:
    srt = f"1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:xx --> 00:00:04,000\n{SECRET}\n"
    with pytest.raises(MalformedDocument) as exc:
        load_document(srt.encode(), "bad.srt")
    assert_refused(exc, "bad.srt")
    assert "cue 2" in str(exc.value)


def test_load_json_transcript_segments() -> None:
    payload = {
        "segments": [
            {"speaker": "RM", "start": 0, "end": 2.5, "text": "Hello."},
            {"speaker": "Client", "start": 2.5, "end": 4, "text": "Hi."},
        ]
    }
    doc = load_document(json.dumps(payload).encode(), "call.json")
    assert doc.kind == "transcript"
    assert doc.text == "RM: Hello.\nClient: Hi."
    assert [(s.speaker, s.start_time, s.end_time, span(doc, s)) for s in doc.sections] == [
        ("RM", 0.0, 2.5, "RM: Hello."),
        ("Client", 2.5, 4.0, "Client: Hi."),
    ]


def test_load_json_transcript_list_and_qmsum_shape() -> None:
    doc = load_document(json.dumps({"meeting_transcripts": [{"speaker": "PM", "content": "Okay."}]}).encode(), "m.json")
    assert doc.text == "PM: Okay."
    doc = load_document(json.dumps([{"text": "No speaker."}]).encode(), "l.json")
    assert doc.metadata["speakers"] == "unknown"


@pytest.mark.parametrize(
    ("payload", "index"),
    [
        ([{"speaker": "A", "text": "ok"}, {"speaker": "B", "words": SECRET}], 1),
        ([{"text": "ok"}, {"text": "ok"}, SECRET], 2),
        ([{"text": "ok", "start": SECRET}], 0),
    ],
)
def test_load_json_transcript_bad_item_names_index(payload: object, index: int) -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(json.dumps(payload).encode(), "bad.json")
    assert_refused(exc, "bad.json")
    assert f"item {index}" in str(exc.value)


@pytest.mark.parametrize("payload", [f'{{"foo": "{SECRET}"}}', f'["{SECRET}"', '"just a string"'])
def test_load_json_transcript_wrong_shape_raises_malformed(payload: str) -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(payload.encode(), "shape.json")
    assert_refused(exc, "shape.json")


# --- encodings and refusals ---------------------------------------------------------------


def test_load_cp1252_text_falls_back() -> None:
    doc = load_document("Fee: £5 – café “quoted”".encode("cp1252"), "legacy.txt")
    assert doc.text == "Fee: £5 – café “quoted”"


def test_load_utf16_bom_text() -> None:
    data = codecs.BOM_UTF16_LE + "Olá, £10 fee.\r\nSecond line.".encode("utf-16-le")
    doc = load_document(data, "wide.txt")
    assert doc.text == "Olá, £10 fee.\nSecond line."


def test_load_utf8_bom_is_stripped() -> None:
    doc = load_document(codecs.BOM_UTF8 + b"# Title\n\nBody", "bom.md")
    assert doc.text == "# Title\n\nBody"
    assert doc.title == "Title"


def test_load_binary_with_txt_extension_raises_undecodable() -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + SECRET.encode() + bytes(range(256))
    with pytest.raises(UndecodableDocument) as exc:
        load_document(data, "image.txt")
    assert_refused(exc, "image.txt")
    assert "binary content in a text file" in str(exc.value)


def test_load_invalid_in_every_encoding_raises_undecodable() -> None:
    # 0x81 and 0x8d are undefined in cp1252, and the bytes are not UTF-8.
    with pytest.raises(UndecodableDocument) as exc:
        load_document(SECRET.encode() + b" \x81\x8d\xc3", "odd.txt")
    assert_refused(exc, "odd.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8 + b"  "])
def test_load_empty_or_whitespace_raises_empty(data: bytes) -> None:
    with pytest.raises(EmptyDocument) as exc:
        load_document(data, "blank.txt")
    assert_refused(exc, "blank.txt")


def test_load_over_max_bytes_raises_too_large_before_parsing() -> None:
    with pytest.raises(DocumentTooLarge) as exc:
        load_document(SECRET.encode() * 10, "big.exe", max_bytes=20)
    assert_refused(exc, "big.exe")


def test_load_unknown_extension_raises_unsupported_listing_formats() -> None:
    with pytest.raises(UnsupportedFormat) as exc:
        load_document(SECRET.encode(), "sheet.xlsx")
    assert_refused(exc, "sheet.xlsx")
    assert ".docx" in str(exc.value) and ".vtt" in str(exc.value)


def test_load_kind_override_and_vtt_sniffed_in_txt() -> None:
    doc = load_document(VTT.encode(), "call.txt", kind="note")
    assert doc.kind == "note"
    assert doc.sections[0].speaker == "Priya Natarajan"


def test_load_path_reads_file_and_checks_size(tmp_path: Path) -> None:
    path = tmp_path / "kb.md"
    path.write_bytes(b"# Heading\n\nBody text.")
    doc = load_path(path)
    assert doc.filename == "kb.md"
    assert doc.title == "Heading"
    with pytest.raises(DocumentTooLarge):
        load_path(path, max_bytes=5)


def test_load_path_docx_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "guide.docx"
    path.write_bytes(make_docx())
    assert load_path(path).title == "Savings Guide"
