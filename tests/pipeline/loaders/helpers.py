"""Shared checks for the loader tests."""

from __future__ import annotations

import pytest

from pipeline.documents import LoadedDocument, Section
from pipeline.errors import InputError

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
