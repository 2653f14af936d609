"""HTML pages to text with heading sections.

The page is flattened into blocks (heading, paragraph, list item, table row) and the
text is rebuilt from them: one line per block, a blank line between paragraphs, single
newlines between consecutive list items or table rows so a list stays one paragraph
for the chunker. Script, style and navigation are dropped: they are page furniture, and
text in them would be retrieved as if it were knowledge.

The same flattening turns HTML-only email bodies into text (`html_to_text`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from pipeline.loaders._text import TextBuilder, collapse_spaces

_DROP = ("script", "style", "nav", "noscript", "template", "head", "svg", "iframe", "form", "button")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LEAF_BLOCKS = {"p", "pre", "dt", "dd", "caption", "figcaption", "address", "summary"}
_LINE_KINDS = {"li", "tr"}


@dataclass
class Block:
    """One flattened piece of a page."""

    kind: str  # "h", "p", "li" or "tr"
    text: str
    level: int = 0


def _parse(data: bytes | str) -> tuple[BeautifulSoup, str]:
    soup = BeautifulSoup(data, "lxml")
    title_tag = soup.find("title")
    title = collapse_spaces(title_tag.get_text(" ")) if title_tag else ""
    for tag in soup.find_all([*_DROP, "title"]):
        tag.decompose()
    return soup, title


_CONTAINERS = frozenset(
    "div section article main header footer aside body html ul ol dl blockquote figure details fieldset center".split()
)


class _BlockWalker:
    """Walks an element tree, emitting headings, paragraphs, list items and table rows in order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.inline: list[str] = []

    def flush(self) -> None:
        text = collapse_spaces(" ".join(self.inline))
        self.inline.clear()
        if text:
            self.blocks.append(Block("p", text))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.inline.append(str(child))
            elif isinstance(child, Tag):
                self._element(child)

    def _element(self, child: Tag) -> None:
        name = child.name
        if name == "br":
            self.inline.append("\n")
            self.flush()
            return
        if not (name in _HEADINGS or name in _LEAF_BLOCKS or name in _CONTAINERS or name in ("li", "table")):
            self.inline.append(child.get_text(" "))  # an inline element: part of the running text
            return
        self.flush()
        if name in _HEADINGS:
            self._text_block(child, "h", _HEADINGS[name])
        elif name in _LEAF_BLOCKS:
            self._text_block(child, "p")
        elif name == "li":
            self._item(child)
        elif name == "table":
            self._table(child)
        else:
            self.walk(child)
            self.flush()

    def _text_block(self, child: Tag, kind: str, level: int = 0) -> None:
        text = collapse_spaces(child.get_text(" "))
        if text:
            self.blocks.append(Block(kind, text, level))

    def _item(self, child: Tag) -> None:
        # A nested list is emitted after its parent item, not mashed into it.
        nested = child.find_all(["ul", "ol"], recursive=False)
        for lst in nested:
            lst.extract()
        self._text_block(child, "li")
        for lst in nested:
            self.walk(lst)

    def _table(self, child: Tag) -> None:
        for row in child.find_all("tr"):
            cells = [c for c in (collapse_spaces(c.get_text(" ")) for c in row.find_all(["td", "th"])) if c]
            if cells:
                self.blocks.append(Block("tr", " | ".join(cells)))


def _blocks(root: Tag) -> list[Block]:
    walker = _BlockWalker()
    walker.walk(root)
    walker.flush()
    return walker.blocks


def build_from_blocks(blocks: list[Block], builder: TextBuilder, **extra: object) -> str | None:
    """Append blocks to a builder, one section per heading's body.

    Args:
        blocks: Flattened page blocks.
        builder: Where text and sections go.
        **extra: Extra section fields (role, message_index) for every section.

    Returns:
        The first h1 heading (else first heading), for the title.
    """
    stack: list[tuple[int, str]] = []
    first_h1 = next((b.text for b in blocks if b.kind == "h" and b.level == 1), None)
    first_any = next((b.text for b in blocks if b.kind == "h"), None)
    lines: list[str] = []
    previous_kind = ""
    heading: str | None = None

    def close() -> None:
        if lines:
            builder.add("".join(lines), heading=heading, **extra)  # type: ignore[arg-type]
            lines.clear()

    for block in blocks:
        if block.kind == "h":
            close()
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
            heading = " > ".join(t for _, t in stack)
            lines.append(block.text)
            previous_kind = "h"
            continue
        if lines:
            same_run = block.kind in _LINE_KINDS and block.kind == previous_kind
            lines.append("\n" if same_run else "\n\n")
        lines.append(block.text)
        previous_kind = block.kind
    close()
    return first_h1 or first_any


def parse_html(data: bytes | str, builder: TextBuilder) -> str | None:
    """Flatten an HTML page into the builder.

    Args:
        data: The page (bytes let lxml honour the page's declared charset).
        builder: Receives text and sections.

    Returns:
        The title: `<title>`, else the first h1, else None.
    """
    soup, title = _parse(data)
    root = soup.body or soup
    first = build_from_blocks(_blocks(root), builder)
    return title or first


def html_to_text(data: str) -> str:
    """Convert an HTML fragment (e.g. an email body) to plain text.

    Args:
        data: HTML source.

    Returns:
        Text with one line per block and blank lines between paragraphs.
    """
    builder = TextBuilder()
    soup, _ = _parse(data)
    build_from_blocks(_blocks(soup.body or soup), builder)
    return builder.text
