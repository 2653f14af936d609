"""Encodings, refusals and loading from disk."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.errors import (
    DocumentTooLarge,
    EmptyDocument,
    UndecodableDocument,
    UnsupportedFormat,
)
from pipeline.loaders import load_document, load_path
from tests.pipeline.loaders.helpers import SECRET, assert_refused


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


def test_load_path_reads_file_and_checks_size(tmp_path: Path) -> None:
    path = tmp_path / "kb.md"
    path.write_bytes(b"# Heading\n\nBody text.")
    doc = load_path(path)
    assert doc.filename == "kb.md"
    assert doc.title == "Heading"
    with pytest.raises(DocumentTooLarge):
        load_path(path, max_bytes=5)
