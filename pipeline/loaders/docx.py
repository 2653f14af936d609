"""Word (.docx) documents.

The body is walked in document order, paragraphs and tables interleaved (python-docx's
`doc.paragraphs` alone would lose where tables sit). Paragraphs styled `Heading N`
open a section with a heading path; the `Title` style gives the document title. Table
rows become ` | `-joined lines; cells merged across columns appear once. Hidden, white
and tiny runs stay in the text and are also listed in the metadata (`hidden.py`).
"""

from __future__ import annotations

import io
import re

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.errors import MalformedDocument
from pipeline.loaders._text import TextBuilder, collapse_spaces
from pipeline.loaders.hidden import docx_hidden, encode_hidden
from pipeline.loaders.limits import check_zip

_HEADING_STYLE = re.compile(r"^Heading\s+(\d)$", re.IGNORECASE)


def _open(data: bytes, filename: str) -> DocxDocument:
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own types
        raise MalformedDocument(
            f"the Word file could not be opened ({type(exc).__name__}); re-save it as .docx and upload again",
            filename=filename,
        ) from None


def _table_rows(table: Table) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        seen: set[int] = set()
        cells: list[str] = []
        for cell in row.cells:
            # Merged cells are returned once per grid column; keep the first.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = collapse_spaces(cell.text)
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def parse_docx(data: bytes, builder: TextBuilder, filename: str) -> tuple[str | None, dict[str, str]]:
    """Read a .docx into the builder, one section per heading.

    Args:
        data: The file bytes.
        builder: Receives text and sections.
        filename: For error messages.

    Returns:
        The title (core properties, `Title` paragraph or first heading) and metadata.

    Raises:
        MalformedDocument: Not a readable Word document.
        DocumentTooLarge: The document would expand past the limits (a decompression bomb).
    """
    check_zip(data, filename)  # before python-docx inflates anything
    document = _open(data, filename)
    stack: list[tuple[int, str]] = []
    heading: str | None = None
    title: str | None = None
    first_heading: str | None = None
    lines: list[str] = []
    read: list[Paragraph] = []  # every paragraph read, in order, for the hidden-text check

    def close() -> None:
        if lines:
            builder.add("\n\n".join(lines), heading=heading)
            lines.clear()

    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            table = Table(element, document)
            cells = {id(c._tc): c for row in table.rows for c in row.cells}  # merged cells repeat
            read += [p for cell in cells.values() for p in cell.paragraphs]
            rows = _table_rows(table)
            if rows:
                lines.append("\n".join(rows))
            continue
        if tag != "p":
            continue
        paragraph = Paragraph(element, document)
        read.append(paragraph)
        text = paragraph.text.strip()
        if not text:
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        match = _HEADING_STYLE.match(style or "")
        if style == "Title":
            title = title or collapse_spaces(text)
        if match:
            close()
            level = int(match.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, collapse_spaces(text)))
            heading = " > ".join(t for _, t in stack)
            first_heading = first_heading or collapse_spaces(text)
        lines.append(text)
    close()
    core_title = (document.core_properties.title or "").strip()
    return core_title or title or first_heading, encode_hidden(docx_hidden(read))
