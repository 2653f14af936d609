"""Markdown and plain prose.

The markdown source is kept verbatim as the document text: offsets then need no
mapping, quotes match what the author wrote, and the heading lines stay inside their
sections so a chunk carries its own heading. Only ATX headings (`#` to `######`)
make sections; `#` lines inside fenced code blocks are ignored.

Plain prose (`.txt` that is neither an email nor a transcript) is one body section:
the chunker already splits at paragraph breaks, so finer sections would add nothing.
"""

from __future__ import annotations

import re

from pipeline.documents import Section
from pipeline.loaders._text import trim_span

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def parse_markdown(text: str) -> tuple[list[Section], str | None]:
    """Split markdown text into heading sections.

    Args:
        text: Normalised markdown.

    Returns:
        The sections (heading paths like ``"Fees > ATM"``) and the first heading's
        text, if any, for the title.
    """
    headings: list[tuple[int, int, str]] = []  # (offset, level, heading path)
    stack: list[tuple[int, str]] = []
    first: str | None = None
    in_fence = False
    offset = 0
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := _HEADING.match(line.rstrip("\n"))):
            level, title = len(m.group(1)), m.group(2).strip()
            if title:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, title))
                headings.append((offset, level, " > ".join(t for _, t in stack)))
                first = first or title
        offset += len(line)

    sections: list[Section] = []
    bounds = [(0, None)] + [(off, path) for off, _, path in headings]
    for i, (start, path) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
        s, e = trim_span(text, start, end)
        if s < e:
            sections.append(Section(start=s, end=e, heading=path))
    return sections, first


def parse_prose(text: str) -> list[Section]:
    """Make one body section covering the non-blank text.

    Args:
        text: Normalised plain text.

    Returns:
        A single-section list (empty if the text is blank).
    """
    s, e = trim_span(text, 0, len(text))
    return [Section(start=s, end=e)] if s < e else []
