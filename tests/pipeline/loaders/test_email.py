"""Email loaders: .eml, mbox and pasted text emails."""

from __future__ import annotations

import pytest

from pipeline.errors import (
    MalformedDocument,
)
from pipeline.loaders import load_document
from tests.pipeline.loaders.helpers import SECRET, assert_offsets_valid, assert_refused, by_role, span

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
