"""Source text with evidence and flag spans marked, built as safe HTML.

The source is untrusted text. It is cut at every span boundary and each piece is
escaped on its own before any markup is put around it, so no character of the upload
can open or close a tag. Offsets are never taken on trust: a span is used only when the
source really holds its text at those offsets (or, failing that, where the text is first
found); otherwise it is left out and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """A range of the source to mark.

    Attributes:
        start: Offset of the first character.
        end: Offset one past the last character.
        css: `evidence` or `flag`.
        label: Short text for the mark's tooltip, e.g. "Action 2 evidence".
        anchor: An element id for the first mark of the span (links from the draft jump to it).
    """

    start: int
    end: int
    css: str
    label: str
    anchor: str | None = None


def locate(text: str, start: int | None, end: int | None, quote: str | None) -> tuple[int, int] | None:
    """Where `quote` sits in `text`: at the given offsets when they hold it, else its first occurrence."""
    if not quote:
        return None
    if start is not None and end is not None and 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    found = text.find(quote)
    return (found, found + len(quote)) if found >= 0 else None


def evidence_marks(evidence: list[dict[str, Any]], text: str) -> list[Span]:
    """Marks for the actions' evidence (`review.queue.evidence_spans` output)."""
    spans = []
    for e in evidence:
        where = locate(text, e.get("start"), e.get("end"), e.get("text"))
        if where:
            n = e["action"] + 1
            spans.append(Span(where[0], where[1], "evidence", f"Action {n} evidence", f"ev-{n}"))
    return spans


def flag_marks(flags: list[Any], text: str) -> list[Span]:
    """Marks for flags raised on the source, each on its matched span."""
    spans = []
    for i, f in enumerate(flags, start=1):
        if f.where != "source":
            continue
        where = locate(text, f.start, f.end, f.matched)
        if where:
            spans.append(Span(where[0], where[1], "flag", f"Flag: {f.flag} ({f.rule_id})", f"flag-{i}"))
    return spans


def highlight(text: str, spans: list[Span]) -> Markup:
    """The text as HTML with each span wrapped in `<mark>`; overlapping spans share a mark."""
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    anchored: set[str] = set()
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = escape(text[a:b])
        covering = [s for s in spans if s.start <= a and b <= s.end]
        if not covering:
            out.append(piece)
            continue
        classes = " ".join(sorted({s.css for s in covering}))
        title = "; ".join(dict.fromkeys(s.label for s in covering))
        ids = [s.anchor for s in covering if s.anchor and s.start == a and s.anchor not in anchored]
        anchored.update(ids)
        # One element id per mark; a second span starting here gets an empty anchor element of its own.
        extra = "".join(f'<span id="{escape(i)}"></span>' for i in ids[1:])
        id_attr = f' id="{escape(ids[0])}"' if ids else ""
        out.append(f'{extra}<mark class="{escape(classes)}"{id_attr} title="{escape(title)}">{piece}</mark>')
    return Markup("".join(out))
