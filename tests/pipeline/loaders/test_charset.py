"""One byte decoder: declared charset, else strict UTF-8, else detection; never a silent U+FFFD."""

from __future__ import annotations

import pytest

from pipeline.loaders import load_document
from pipeline.loaders._text import decode_bytes

BODY = "Dear Priya, please move £20,000 to my new account. We’ll call on Friday – thanks, Zoë."


def _eml(body: bytes, charset: str | None) -> bytes:
    ctype = "text/plain" + (f"; charset={charset}" if charset else "")
    return (
        b"From: Zoe Marsh <zoe@example.com>\nTo: priya@bank.example\nSubject: Transfer\n"
        b"Date: Thu, 20 Nov 2026 09:12:00 +0000\nMIME-Version: 1.0\n"
        + f"Content-Type: {ctype}\nContent-Transfer-Encoding: 8bit\n\n".encode()
        + body
        + b"\n"
    )


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [
        ("utf-8", None),  # undeclared UTF-8: the case that lost every £
        ("utf-8", "utf-8"),
        ("cp1252", "windows-1252"),
        ("cp1252", None),
        ("cp1252", "utf-8"),  # a wrong declaration: the bytes win
    ],
)
def test_emails_decode_without_replacement_characters(encoding, declared) -> None:
    doc = load_document(_eml(BODY.encode(encoding), declared), "mail.eml")
    assert "\ufffd" not in doc.text
    assert "£20,000" in doc.text and "We’ll" in doc.text and "Zoë" in doc.text


def test_latin1_email_keeps_its_pound_signs() -> None:
    body = "Please move £5,000 to the ISA, Zoë.".encode("latin-1")
    doc = load_document(_eml(body, "iso-8859-1"), "mail.eml")
    assert "£5,000" in doc.text and "Zoë" in doc.text


def test_plain_text_in_windows_1252_is_read_as_such() -> None:
    doc = load_document(BODY.encode("cp1252"), "note.txt")
    assert "£20,000" in doc.text and "\ufffd" not in doc.text


def test_declared_charset_is_used_first_and_unknown_ones_fall_back() -> None:
    assert decode_bytes("Grüße £5".encode("cp1252"), "cp1252", "x") == "Grüße £5"
    assert decode_bytes("Grüße £5".encode(), "x-unknown-charset", "x") == "Grüße £5"
