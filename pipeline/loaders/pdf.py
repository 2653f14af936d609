"""PDF text extraction with heuristic headings.

PDFs carry no reliable structure, so headings are guessed line by line: short, no
final full stop, and either numbered ("2.1 Card fees") or Title Case ("Overdraft
Charges"). A wrong guess only moves a section boundary; the text itself is untouched,
so offsets and quotes stay exact. Page start offsets go into metadata["page_starts"]
so a citation can name the page.

Encrypted files are opened with the empty password (many "protected" PDFs use it);
anything else that pypdf cannot read is a `MalformedDocument`.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from pipeline.errors import EmptyDocument, MalformedDocument
from pipeline.loaders._text import TextBuilder

_NUMBERED = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+\S")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "vs"}


def is_heading(line: str) -> bool:
    """Guess whether one extracted line is a heading.

    Args:
        line: A stripped line of page text.

    Returns:
        True for short, unpunctuated, numbered or Title Case lines.
    """
    if not line or len(line) > 80 or line[-1] in ".,;:!?" or not any(c.isalpha() for c in line):
        return False
    words = line.split()
    if len(words) > 10:
        return False
    if _NUMBERED.match(line):
        return True
    alpha = [w for w in words if w[0].isalpha()]
    if not alpha or not alpha[0][0].isupper():
        return False
    capitalised = sum(1 for w in alpha if w[0].isupper() or w.lower() in _SMALL_WORDS)
    return capitalised == len(alpha) and len(alpha) >= 1 and (len(words) > 1 or line.isupper())


def parse_pdf(data: bytes, builder: TextBuilder, filename: str) -> tuple[str | None, dict[str, str]]:
    """Extract a PDF's text into the builder, one section per detected heading.

    Args:
        data: The PDF bytes.
        builder: Receives text and sections.
        filename: For error messages.

    Returns:
        The title (document info title, else first heading) and metadata.

    Raises:
        MalformedDocument: Not a readable PDF, or encrypted with a password.
        EmptyDocument: No extractable text (a scan without OCR).
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise MalformedDocument("the PDF is password-protected; upload an unprotected copy", filename=filename)
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = (reader.metadata.title if reader.metadata else None) or None
    except MalformedDocument:
        raise
    except Exception as exc:  # pypdf raises many unrelated types for broken files
        raise MalformedDocument(
            f"the PDF could not be read ({type(exc).__name__}); re-export it and upload again",
            filename=filename,
        ) from None

    page_starts: list[str] = []
    heading: str | None = None
    first_heading: str | None = None
    para: list[str] = []

    def close() -> None:
        if para:
            builder.add("\n".join(para), heading=heading)
            para.clear()

    for page_text in pages:
        before = len(builder.sections)
        for raw in page_text.splitlines():
            line = " ".join(raw.split())
            if not line:
                continue
            if is_heading(line):
                close()
                heading = line
                first_heading = first_heading or line
            para.append(line)
        # Sections do not run across pages: a page break is the one boundary we know is real.
        close()
        added = builder.sections[before:]
        page_starts.append(str(added[0].start if added else builder.length))
    if not builder.text.strip():
        raise EmptyDocument(
            "the PDF has no extractable text (perhaps a scanned image); run OCR and upload again",
            filename=filename,
        )
    metadata = {"pages": str(len(pages)), "page_starts": ",".join(page_starts)}
    return (str(info_title).strip() or None) if info_title else first_heading, metadata
