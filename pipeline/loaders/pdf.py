"""PDF text extraction with headings found by font, or guessed line by line.

PDFs carry no reliable structure, so headings come from how lines are *set*:

- **By font first.** pypdf's `extract_text(visitor_text=...)` reports each text run with its
  font and size. The body style is the (size, bold) that sets the most characters; a line
  is a heading when it is set larger than the body, or in bold when the body is not, and
  does not read like a sentence. Heading sizes rank into levels (largest = 1), so the
  heading becomes a path like the Markdown and DOCX loaders give
  (`"Procedure: Payee Changes > Call-back verification"`). Consecutive heading lines in
  the same style and close together are one wrapped heading and are joined.
- **Line heuristic otherwise.** When no line stands out by font (one font throughout, or
  a producer whose runs pypdf cannot attribute), a line is a heading when it is short,
  unpunctuated and numbered ("2.1 Card fees") or Title Case ("Overdraft Charges").
- **Text is assembled, offsets by construction.** Each section is its heading lines, a
  blank line, then its body lines; a blank line also goes where the vertical gap between
  lines shows a new paragraph. Everything goes through `TextBuilder`, so section offsets
  index the final text exactly. A wrong guess only moves a section boundary.

Sections do not run across pages; page start offsets go into metadata["page_starts"] so a
citation can name the page. Encrypted files are opened with the empty password (many
"protected" PDFs use it); anything else that pypdf cannot read is a `MalformedDocument`.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject, PdfReader

from pipeline.errors import DocumentTooLarge, EmptyDocument, MalformedDocument
from pipeline.loaders._text import TextBuilder
from pipeline.loaders.limits import DEFAULT_LIMITS, Budget

_NUMBERED = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+\S")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "vs"}
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")

LARGER = 1.12
"""A line set this much larger than the body text is a heading."""

MAX_HEADING_WORDS = 16
"""Longer lines are body text, whatever their font."""

PARAGRAPH_GAP = 1.3
"""A vertical gap this many times the usual line spacing starts a new paragraph."""


def is_heading(line: str) -> bool:
    """Guess whether one extracted line is a heading, from its words alone.

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


@dataclass
class _Line:
    """One extracted line with the style that sets most of its characters."""

    text: str
    size: float = 0.0
    bold: bool = False
    y: float | None = None

    @property
    def style(self) -> tuple[float, bool]:
        return (round(self.size * 2) / 2, self.bold)


def _scale(matrix: Any) -> float:
    try:
        return math.sqrt(abs(float(matrix[0]) * float(matrix[3]) - float(matrix[1]) * float(matrix[2]))) or 1.0
    except (TypeError, ValueError, IndexError):
        return 1.0


def _page_lines(page: PageObject) -> list[_Line]:
    """The page's lines with font size, boldness and baseline, from pypdf's text visitor.

    The visitor's runs concatenate to exactly what `extract_text` returns; if they ever do
    not, the plain lines are returned without style and the line heuristic takes over.
    """
    runs: list[tuple[str, float, bool, float | None]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        name = str(font.get("/BaseFont", "")) if font else ""
        effective = float(size or 0.0) * _scale(tm) * _scale(cm)
        y = float(tm[5]) * _scale(cm) + float(cm[5]) if tm and cm else None
        runs.append((text, effective, any(b in name.lower() for b in _BOLD_NAMES), y))

    plain = page.extract_text(visitor_text=visit) or ""
    if "".join(r[0] for r in runs) != plain:
        return [_Line(raw) for raw in plain.splitlines()]

    lines: list[_Line] = []
    chars: Counter[tuple[float, bool]] = Counter()
    text: list[str] = []
    y: float | None = None

    def close() -> None:
        line = _Line("".join(text))
        if chars:
            (line.size, line.bold), _ = chars.most_common(1)[0]
        line.y = y
        lines.append(line)
        chars.clear()
        text.clear()

    for run, size, bold, run_y in runs:
        parts = run.split("\n")
        for i, part in enumerate(parts):
            if i:
                close()
                y = None
            text.append(part)
            weight = sum(1 for c in part if not c.isspace())
            if weight:
                chars[(size, bold)] += weight
                y = run_y if y is None else y
    close()
    return lines


def _tidy(line: _Line) -> _Line:
    line.text = " ".join(line.text.split())
    return line


def _reads_like_heading(text: str) -> bool:
    return any(c.isalpha() for c in text) and len(text.split()) <= MAX_HEADING_WORDS and text[-1] not in ".,;:"


def _heading_levels(pages: list[list[_Line]]) -> dict[tuple[float, bool], int]:
    """Heading styles by level (1 = largest); empty when no line stands out by font."""
    weight: Counter[tuple[float, bool]] = Counter()
    for line in (line for page in pages for line in page):
        if line.size:
            weight[line.style] += len(line.text)
    if not weight:
        return {}
    body_size, body_bold = weight.most_common(1)[0][0]
    styles = set()
    for line in (line for page in pages for line in page):
        size, bold = line.style
        if not size or not _reads_like_heading(line.text):
            continue
        if size >= body_size * LARGER or (bold and not body_bold and size >= body_size * 0.95):
            styles.add((size, bold))
    ranked = sorted(styles, key=lambda s: (-s[0], not s[1]))
    return {style: level for level, style in enumerate(ranked, start=1)}


_Heading = tuple[int, list[str]]


def _blocks(lines: list[_Line], levels: dict[tuple[float, bool], int]) -> Iterator[_Heading | _Line]:
    """Yield `(level, lines)` for each heading (a wrapped one is several lines), body lines as they are."""
    pending: list[_Line] = []

    def flush() -> Iterator[_Heading]:
        if pending:
            yield levels.get(pending[0].style, 1), [p.text for p in pending]
            pending.clear()

    for line in lines:
        is_head = line.style in levels and _reads_like_heading(line.text) if levels else is_heading(line.text)
        if not is_head:
            yield from flush()
            yield line
            continue
        if pending and levels:
            last = pending[-1]
            near = last.y is None or line.y is None or abs(last.y - line.y) <= 1.6 * max(line.size, 1.0)
            if line.style == last.style and near:
                pending.append(line)
                continue
        yield from flush()
        pending.append(line)
    yield from flush()


def _line_spacing(lines: list[_Line]) -> float | None:
    gaps = sorted(
        round(a.y - b.y, 1)
        for a, b in zip(lines, lines[1:], strict=False)
        if a.y is not None and b.y is not None and a.style == b.style and a.y > b.y
    )
    # The lower quartile: most gaps are plain line spacing, the rest are paragraph or list spacing.
    return gaps[len(gaps) // 4] if gaps else None


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
        if len(reader.pages) > DEFAULT_LIMITS.max_pdf_pages:
            raise DocumentTooLarge(f"the PDF has {len(reader.pages):,} pages, over the "
                                   f"{DEFAULT_LIMITS.max_pdf_pages:,}-page limit; split it", filename=filename)
        budget = Budget(filename)
        pages = []
        for page in reader.pages:
            lines = [_tidy(line) for line in _page_lines(page)]
            budget.spend(sum(len(line.text) for line in lines))
            pages.append(lines)
        info_title = (reader.metadata.title if reader.metadata else None) or None
    except (MalformedDocument, DocumentTooLarge):
        raise
    except Exception as exc:  # pypdf raises many unrelated types for broken files
        raise MalformedDocument(
            f"the PDF could not be read ({type(exc).__name__}); re-export it and upload again",
            filename=filename,
        ) from None

    levels = _heading_levels(pages)
    page_starts: list[str] = []
    stack: list[tuple[int, str]] = []
    first_heading: str | None = None
    head: list[str] = []
    body: list[str] = []

    def close() -> None:
        text = "\n".join(head) + "\n\n" + "\n".join(body) if head and body else "\n".join(head or body)
        if text.strip():
            builder.add(text, heading=" > ".join(t for _, t in stack) if stack else None)
        head.clear()
        body.clear()

    for lines in pages:
        before = len(builder.sections)
        lines = [line for line in lines if line.text]
        spacing = _line_spacing(lines)
        previous: _Line | None = None
        for block in _blocks(lines, levels):
            if isinstance(block, _Line):
                gap = previous.y - block.y if previous and previous.y is not None and block.y is not None else None
                if body and spacing and gap is not None and gap > spacing * PARAGRAPH_GAP:
                    body.append("")  # joins as a blank line: a paragraph break
                body.append(block.text)
                previous = block
                continue
            close()
            previous = None
            level, heading_lines = block
            heading = " ".join(heading_lines)
            # A heading ends every open heading at its level or deeper.
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading))
            first_heading = first_heading or heading
            head.extend(heading_lines)
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
