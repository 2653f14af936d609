"""What a reviewer and a caller are told about a draft's review: status, holds, and one reason per flag.

The policy records every match (one `FlagRecord` per rule and span: that is the audit
trail). People should not read eleven lines of "rule fees_pricing.lexicon matched", so
`flag_reasons` folds the matches into one entry per flag: a reason in words with the
sentence it comes from ("mentions moving an amount of money: “Please move £15,000 to
the new payee…”"), plus every span for whoever wants to see them all.

`review_state` is the one view of a draft's review item that `clientloop draft --json`
and `GET /v1/jobs/{id}` return, so both say the same thing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from review.models import FlagRecord, ReviewItem


class FlagSpan(BaseModel):
    """One match behind a flag."""

    rule_id: str
    """The policy rule (or `model`) that raised it."""
    where: str
    """`source` or `draft`."""
    start: int | None
    """Start offset in the source (or the draft field)."""
    end: int | None
    """End offset (exclusive)."""
    matched: str | None
    """The matched text, exactly."""


class FlagReason(BaseModel):
    """One sensitivity flag, with one reason in words and every span behind it."""

    flag: str
    """The flag name (`money_movement`, ...)."""
    severity: str
    """`high` or `medium`, from the policy."""
    reason: str
    """Why, in words, quoting the sentence of the most telling match."""
    mentions: int = Field(description="How many distinct spans raised this flag.")
    spans: list[FlagSpan]
    """Every match, source first, in text order."""


class HoldReason(BaseModel):
    """A reason the draft waits for a checker that is not a flag (e.g. `instruction_in_text`), with its span."""

    reason: str
    """The hold reason, e.g. `instruction_in_text`."""
    rule_id: str
    """The instruction rule that matched."""
    where: str
    """source, draft, hidden, filename, title or participant."""
    field: str | None = None
    """Which draft field, participant or hidden fragment, when not the source."""
    start: int
    """Start offset of the span in that text."""
    end: int
    """End offset (exclusive)."""
    matched: str
    """Exactly the text of the span."""
    explanation: str
    """What the reviewer is told, in words."""


class ReviewState(BaseModel):
    """Where a draft stands in review: the item's status, why it is held, and its flags with their reasons."""

    review_id: str
    status: str = Field(description="awaiting_author, in_review, approved, rejected, released...")
    requires_checker: bool = Field(description="True when someone other than the author must approve.")
    required_role: str | None = Field(description="The role that checker needs (reviewer or admin).")
    holds: list[HoldReason] = Field(description="Reasons to hold apart from flags, each with its span.")
    flags: list[FlagReason] = Field(description="One entry per flag, with its reason and spans.")


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


_HEADER = re.compile(r"[“\"](?:Subject|From|To|Cc|Date|Sent|Re)\s*:", re.IGNORECASE)
_FIGURE = re.compile(r"[£$€]\s?\d|\d[\d,.]*\s?(?:%|pounds|euros|dollars)", re.IGNORECASE)


def _rank(row: Any) -> tuple[int, int, int, int, int]:
    # The most telling match: in the source (what the client said), not in a header line
    # ("Subject: RE: Standing order..." names a topic, not what was asked), the longest
    # span (specific patterns match more words than lone lexicon terms), in a sentence
    # with an amount, then the earliest.
    start = _get(row, "start")
    length = (_get(row, "end") or 0) - (start or 0)
    reason = str(_get(row, "reason") or "")
    return (0 if _get(row, "where") == "source" else 1, 1 if _HEADER.search(reason) else 0, -length,
            0 if _FIGURE.search(reason) else 1, start if start is not None else 1 << 30)


def flag_reasons(rows: Iterable[Any]) -> list[FlagReason]:
    """Fold per-match flags (stored `FlagRecord`s or the gate's flag dicts) into one entry per flag.

    Args:
        rows: Flags with `flag`, `rule_id`, `severity`, `reason`, `where`, `start`, `end`, `matched`.

    Returns:
        One `FlagReason` per flag name, high severity first, then by name.
    """
    by_flag: dict[str, list[Any]] = {}
    for row in rows:
        by_flag.setdefault(_get(row, "flag"), []).append(row)
    out = []
    for name, matches in by_flag.items():
        ordered = sorted(matches, key=_rank)
        best = ordered[0]
        spans, seen = [], set()
        for m in sorted(matches, key=lambda r: (_get(r, "where") != "source", _get(r, "start") or 0)):
            key = (_get(m, "where"), _get(m, "start"), _get(m, "end"))
            if key not in seen:
                seen.add(key)
                spans.append(FlagSpan(rule_id=_get(m, "rule_id"), where=_get(m, "where") or "source",
                                      start=_get(m, "start"), end=_get(m, "end"), matched=_get(m, "matched")))
        reason = _get(best, "reason") or f"mentions {name.replace('_', ' ')}: \u201c{_get(best, 'matched')}\u201d"
        out.append(FlagReason(flag=name, severity=_get(best, "severity") or "medium", reason=reason,
                              mentions=len(spans), spans=spans))
    return sorted(out, key=lambda f: (f.severity != "high", f.flag))


def hold_reasons(holds: Iterable[Mapping[str, Any]]) -> list[HoldReason]:
    """Stored holds (`ReviewItem.holds_json` entries) as the public view."""
    return [HoldReason(reason=h["reason"], rule_id=h["rule_id"], where=h["where"], field=h.get("field"),
                       start=h["start"], end=h["end"], matched=h["text"], explanation=h["explanation"])
            for h in holds]


def review_state(session: Session, *, lineage_id: str) -> ReviewState | None:
    """The review item of a draft lineage, its holds and its flags with reasons; None before the gate ran."""
    item = session.exec(select(ReviewItem).where(ReviewItem.lineage_id == lineage_id)).first()
    if item is None:
        return None
    rows = session.exec(select(FlagRecord).where(FlagRecord.lineage_id == lineage_id)
                        .order_by(col(FlagRecord.created_at))).all()
    return ReviewState(review_id=item.id, status=item.status, requires_checker=item.requires_checker,
                       required_role=item.required_role, holds=hold_reasons(json.loads(item.holds_json or "[]")),
                       flags=flag_reasons(rows))
