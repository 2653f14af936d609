"""Limits checked before and during parsing, so a small hostile file cannot cost minutes or gigabytes.

A 37 KB `.docx` whose XML expands to gigabytes took 80-93 s of CPU and up to 1 GB of
memory to parse. Every zip-based format is therefore measured from its directory before a
parser sees it (total expanded size, expansion ratio, member count: reading the central
directory costs nothing), and PDFs are bounded by pages, extracted characters and time.
Over a size limit is `DocumentTooLarge` (HTTP 413); a structure no real document has is
`MalformedDocument` (422).
"""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass

from pipeline.errors import DocumentTooLarge, MalformedDocument


@dataclass(frozen=True)
class ParseLimits:
    """How far a parser may go on one upload."""

    max_expanded_bytes: int = 50_000_000
    """Total uncompressed size of a zip-based document (docx)."""
    max_ratio: float = 100.0
    """Uncompressed over compressed size; text compresses about 3-10x, bombs thousands of times."""
    max_members: int = 5_000
    max_pdf_pages: int = 1_000
    max_chars: int = 5_000_000
    """Characters of extracted text."""
    max_parse_seconds: float = 30.0


DEFAULT_LIMITS = ParseLimits()


def check_zip(data: bytes, filename: str, limits: ParseLimits = DEFAULT_LIMITS) -> None:
    """Refuse a zip container that would expand beyond the limits, from its directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise MalformedDocument("the file is not a readable Word document (its zip structure is broken); re-save it "
                                "and upload again", filename=filename) from None
    if len(members) > limits.max_members:
        raise MalformedDocument(f"the document holds {len(members):,} parts, more than any real document",
                                filename=filename)
    expanded = sum(max(m.file_size, 0) for m in members)
    if expanded > limits.max_expanded_bytes:
        raise DocumentTooLarge(f"the document expands to {expanded:,} bytes, over the "
                               f"{limits.max_expanded_bytes:,}-byte limit; split it or save it without embedded "
                               "media", filename=filename)
    if expanded > 1_000_000 and expanded / max(len(data), 1) > limits.max_ratio:
        raise DocumentTooLarge(f"the document expands {expanded / max(len(data), 1):,.0f} times its size, far beyond "
                               "any real document; it is refused as a decompression bomb", filename=filename)


class Budget:
    """A parse's running allowance of characters and time."""

    def __init__(self, filename: str, limits: ParseLimits = DEFAULT_LIMITS) -> None:
        self.filename = filename
        self.limits = limits
        self.chars = 0
        self.deadline = time.monotonic() + limits.max_parse_seconds

    def spend(self, chars: int) -> None:
        """Count extracted characters and check the clock; refuse once either runs out."""
        self.chars += chars
        if self.chars > self.limits.max_chars:
            raise DocumentTooLarge(f"the document holds over {self.limits.max_chars:,} characters of text; split it",
                                   filename=self.filename)
        if time.monotonic() > self.deadline:
            raise DocumentTooLarge(f"reading the document took over {self.limits.max_parse_seconds:.0f} s; split it "
                                   "or re-export it", filename=self.filename)
