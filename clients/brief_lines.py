"""Numbered brief lines and the links that tie each line to its record."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from clients.brief_book import RecentInteraction
from clients.brief_models import BriefLine, SourceLink
from clients.models import Alert, Holding
from records.tables import Client
from review.models import RecordAction

DEFAULT_CADENCE_DAYS = 30
"""Days between contacts when the profile records no cadence."""
KIND_LABEL = {"transcript": "call", "note": "meeting notes", "email": "email"}
_DATE_FIELDS = (("rate_fixed_until", "fixed rate ends"), ("renewal_on", "renewal"), ("review_on", "review"),
                ("maturity_on", "maturity"))

_SENTENCE = re.compile(r"[^\n.!?]+[.!?]?")


def quote_of(text: str, *, min_words: int = 5, max_chars: int = 220) -> tuple[int, int, str] | None:
    """The first informative sentence of a text, as (start, end, exact substring)."""
    first = None
    for m in _SENTENCE.finditer(text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if not stripped:
            continue
        start = m.start() + chunk.index(stripped[0])
        end = start + len(stripped)
        if end - start > max_chars:
            cut = text.rfind(" ", start, start + max_chars)
            end = cut if cut > start else start + max_chars
        candidate = (start, end, text[start:end])
        first = first or candidate
        if len(stripped.split()) >= min_words and ":" not in stripped[:12]:
            return candidate
    return first


def money(minor: int | None, currency: str = "GBP") -> str:
    """An amount in minor units as `£1,234` (`n/a` when unknown)."""
    if minor is None:
        return "n/a"
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, currency + " ")
    return f"{symbol}{minor / 100:,.0f}"


def days_text(n: int) -> str:
    """`1 day`, `5 days`."""
    return f"{n} day" + ("" if abs(n) == 1 else "s")


class LineNumbers:
    """Numbers lines across the whole brief."""

    def __init__(self) -> None:
        self.n = 0

    def line(self, text: str, source: SourceLink, **kw: Any) -> BriefLine:
        """The next numbered line."""
        self.n += 1
        return BriefLine(id=f"L{self.n}", text=text, source=source, **kw)


def client_link(c: Client) -> SourceLink:
    """A link to the client record itself."""
    return SourceLink(kind="client", id=c.id)


def record_link(i: RecentInteraction) -> SourceLink:
    """A link to an interaction, with the span and quote of its first informative sentence."""
    found = quote_of(i.source.text or "")
    if found is None:
        return SourceLink(kind="record", id=i.record.id, source_id=i.source.id)
    start, end, quote = found
    return SourceLink(kind="record", id=i.record.id, source_id=i.source.id, span=(start, end), quote=quote)


def action_link(a: RecordAction) -> SourceLink:
    """A link to an action, with its evidence span when it has one."""
    if a.evidence_start is not None and a.evidence_end is not None:
        return SourceLink(kind="action", id=a.id, source_id=a.source_id, span=(a.evidence_start, a.evidence_end),
                          quote=a.evidence_text)
    return SourceLink(kind="action", id=a.id, source_id=a.source_id)


def alert_link(alert: Alert) -> SourceLink:
    """A link to what an advisory alert is about (an account or the client)."""
    return SourceLink(kind="account" if alert.subject_kind == "holding" else "client", id=alert.subject_id)


def key_dates(h: Holding, as_of: date) -> list[tuple[date, str]]:
    """The holding's renewal, review, maturity and fixed-rate dates, with labels."""
    return [(d, label) for name, label in _DATE_FIELDS if (d := getattr(h, name)) is not None]
