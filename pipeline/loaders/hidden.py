"""Content a reader of the original would not see: HTML comments, hidden HTML, white or tiny Word text.

A loader's text is what a person reads. Some formats can also carry text nobody reads:
HTML comments and elements styled away (`display:none`, zero font size, white text) in
an email body, and hidden (`w:vanish`), white or tiny runs in a Word document. That is
where an instruction meant for a model or an automated reviewer hides, so the review
gate must see it even when the text does not.

The seam is one metadata entry, `LoadedDocument.metadata["hidden_content"]`: a JSON
list of `{"kind", "text"}` fragments in document order, present only when there is
any. The loader's `text` is unchanged by this module (hidden-styled HTML and Word runs
stay in it, comments stay out of it as before); the fragments only say what was
hidden and how. Kinds: `html_comment`, `hidden_html` (styled or marked hidden, or in a
`<template>`/`<noscript>`), `markup` (`<style>`/`<script>` text), `hidden_text`
(Word's hidden property), `white_text`, `tiny_text`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any, Literal

from bs4 import BeautifulSoup
from bs4.element import Comment, Tag

from pipeline.loaders._text import collapse_spaces

HIDDEN_CONTENT_KEY = "hidden_content"
"""The `LoadedDocument.metadata` key holding the JSON list of hidden fragments."""

HiddenKind = Literal["html_comment", "hidden_html", "markup", "hidden_text", "white_text", "tiny_text"]

MAX_HIDDEN_CHARS = 100_000
"""Stop collecting past this many characters: enough to hold any instruction, bounded for storage."""

_TINY_PT = 4.0
"""Text smaller than this (in points) is unreadable in print and on screen."""

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|opacity\s*:\s*0(\.0+)?\s*(;|$)"
    r"|font-size\s*:\s*[0-3](\.\d+)?\s*(px|pt)?\s*(;|$)|max-height\s*:\s*0(px)?\s*(;|$)"
    r"|(?<![-\w])color\s*:\s*(#fff\b|#ffffff\b|white\b|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))",
    re.IGNORECASE,
)
_UNSEEN_TAGS = ("template", "noscript")
_MARKUP_TAGS = ("style", "script")


def _fragment(kind: HiddenKind, text: str) -> dict[str, str] | None:
    text = collapse_spaces(text)
    return {"kind": kind, "text": text} if text else None


def _comment_text(comment: str) -> str:
    # Conditional comments (`<!--[if mso]>...`) wrap markup: keep what it would display.
    return BeautifulSoup(comment, "lxml").get_text(" ") if "<" in comment else comment


def _is_hidden_element(tag: Tag) -> bool:
    if tag.name in _UNSEEN_TAGS or tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


def html_hidden(data: str | bytes) -> list[dict[str, str]]:
    """Find the text of an HTML document or fragment that a reader would not see.

    Args:
        data: HTML source (an email body part or a page).

    Returns:
        Fragments `{"kind", "text"}` in document order; an element hidden inside another
        hidden element is reported once, with its outermost ancestor.
    """
    soup = BeautifulSoup(data, "lxml")
    found: list[dict[str, str] | None] = []
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        found.append(_fragment("html_comment", _comment_text(str(comment))))
    for tag in soup.find_all(_MARKUP_TAGS):
        found.append(_fragment("markup", tag.get_text(" ")))
    for tag in soup.find_all(_is_hidden_element):
        if any(_is_hidden_element(parent) for parent in tag.parents if isinstance(parent, Tag)):
            continue
        found.append(_fragment("hidden_html", tag.get_text(" ")))
    return [f for f in found if f]


def message_hidden(msg: EmailMessage) -> list[dict[str, str]]:
    """Hidden content of every HTML part of an email, including alternatives its body did not use.

    Args:
        msg: The parsed message.

    Returns:
        Fragments as `html_hidden` gives them, part by part.
    """
    fragments: list[dict[str, str]] = []
    for part in msg.walk():
        if part.get_content_type() != "text/html" or part.is_attachment():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        # Bytes, not the decoded string: lxml honours a declared charset, and a wrong one
        # in the header must not stop the check.
        content = payload.decode(part.get_content_charset() or "utf-8", "replace") if _known(part) else payload
        fragments += html_hidden(content)
    return fragments


def _known(part: EmailMessage) -> bool:
    try:
        codecs.lookup(part.get_content_charset() or "utf-8")
    except LookupError:
        return False
    return True


def _effective(run: Any, paragraph: Any, attribute: str) -> Any:
    """A run's font attribute as Word shows it: the run, then its character style, then the paragraph style chain."""
    value = getattr(run.font, attribute)
    if value is not None:
        return value
    styles = [run.style, paragraph.style]
    for style in styles:
        while style is not None:
            value = getattr(style.font, attribute, None)
            if value is not None:
                return value
            style = style.base_style
    return None


def _run_kind(run: Any, paragraph: Any) -> HiddenKind | None:
    if _effective(run, paragraph, "hidden"):
        return "hidden_text"
    size = _effective(run, paragraph, "size")
    if size is not None and size.pt < _TINY_PT:
        return "tiny_text"
    color = _effective(run, paragraph, "color")
    rgb = getattr(color, "rgb", None) if color is not None else None
    if rgb is not None and all(channel >= 0xF0 for channel in rgb):
        return "white_text"
    return None


def docx_hidden(paragraphs: Iterable[Any]) -> list[dict[str, str]]:
    """Find runs of Word paragraphs that print invisibly: hidden, white or tiny text.

    Args:
        paragraphs: python-docx `Paragraph` objects, in document order (body and table cells).

    Returns:
        Fragments `{"kind", "text"}`; consecutive runs of one kind in a paragraph form one fragment.
    """
    found: list[dict[str, str] | None] = []
    for paragraph in paragraphs:
        current: HiddenKind | None = None
        parts: list[str] = []
        for run in paragraph.runs:
            kind = _run_kind(run, paragraph)
            if kind != current and current is not None:
                found.append(_fragment(current, "".join(parts)))
                parts = []
            current = kind
            if kind is not None:
                parts.append(run.text)
        if current is not None:
            found.append(_fragment(current, "".join(parts)))
    return [f for f in found if f]


def encode_hidden(fragments: Iterable[dict[str, str]]) -> dict[str, str]:
    """The metadata entry for hidden fragments (empty when there are none), capped at `MAX_HIDDEN_CHARS`.

    Args:
        fragments: What `html_hidden` / `docx_hidden` found.

    Returns:
        `{HIDDEN_CONTENT_KEY: json}` or `{}`.
    """
    kept: list[dict[str, str]] = []
    total = 0
    for fragment in fragments:
        if total >= MAX_HIDDEN_CHARS:
            break
        text = fragment["text"][: MAX_HIDDEN_CHARS - total]
        kept.append({"kind": fragment["kind"], "text": text})
        total += len(text)
    return {HIDDEN_CONTENT_KEY: json.dumps(kept, ensure_ascii=False)} if kept else {}


def decode_hidden(metadata: dict[str, str]) -> list[dict[str, str]]:
    """Read the hidden fragments back from a document's metadata (empty when absent or unreadable).

    Args:
        metadata: `LoadedDocument.metadata` (or a source's stored metadata).

    Returns:
        The fragments, each with a string `kind` and `text`.
    """
    try:
        raw = json.loads(metadata.get(HIDDEN_CONTENT_KEY) or "[]")
    except (TypeError, ValueError):
        return []
    if not isinstance(raw, list):
        return []
    return [
        {"kind": str(f.get("kind") or "hidden"), "text": str(f.get("text") or "")}
        for f in raw
        if isinstance(f, dict) and f.get("text")
    ]
