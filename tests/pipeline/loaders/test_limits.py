"""Decompression bombs and oversized documents are refused before they cost time or memory."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from fastapi.testclient import TestClient

from clientloop.api import create_app
from pipeline.errors import DocumentTooLarge, MalformedDocument
from pipeline.loaders import load_document
from pipeline.loaders.limits import Budget, ParseLimits, check_zip
from tests.factories import auth_headers, make_client, make_user


def _bomb(expanded: int = 200_000_000) -> bytes:
    """A .docx-shaped zip whose document.xml inflates to `expanded` bytes of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"0" * 1_000_000
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


BOMB = _bomb()


def test_a_docx_bomb_is_refused_in_under_a_second() -> None:
    assert len(BOMB) < 1_000_000  # small on the wire
    started = time.monotonic()
    with pytest.raises(DocumentTooLarge, match="expands to"):
        load_document(BOMB, "statement.docx")
    assert time.monotonic() - started < 1.0


def test_a_high_ratio_under_the_size_limit_is_still_refused() -> None:
    with pytest.raises(DocumentTooLarge, match="decompression bomb"):
        check_zip(_bomb(20_000_000), "small-bomb.docx")


def test_a_broken_zip_is_malformed() -> None:
    with pytest.raises(MalformedDocument):
        check_zip(b"PK\x03\x04 not really a zip", "broken.docx")


def test_the_budget_stops_runaway_text_and_time() -> None:
    budget = Budget("big.pdf", ParseLimits(max_chars=10))
    budget.spend(8)
    with pytest.raises(DocumentTooLarge, match="characters"):
        budget.spend(5)
    slow = Budget("slow.pdf", ParseLimits(max_parse_seconds=0.0))
    with pytest.raises(DocumentTooLarge, match="took over"):
        slow.spend(1)


def test_the_api_answers_a_bomb_with_413_quickly(container) -> None:
    make_client(container)
    _u, key = make_user(container, "priya", "rm")
    api = TestClient(create_app(container))
    started = time.monotonic()
    r = api.post(
        "/v1/documents",
        headers=auth_headers(key),
        data={"client": "Daniel Okafor"},
        files={"file": ("statement.docx", BOMB, "application/octet-stream")},
    )
    assert r.status_code == 413 and "expands to" in r.text
    assert time.monotonic() - started < 2.0
