"""Note quality: vague notes, actions without an owner or a date, follow-ups left open.

A note is usable when the next person could act on it without calling its author. The
checks are deliberately simple and explainable (each issue says what is missing), and
they run in three places: on a draft before review, in the weekly review, and in the
workflow measures (share of interactions with usable notes).

Design decisions:

- A note is vague when it is short *and* carries no specifics, or when it is mostly a
  stock phrase ("spoke to client, all good"). Length alone is not the test: "Sent the
  ISA transfer form, due back 14 March" is short and perfectly usable.
- Specifics are amounts, dates, numbers, product words and decision verbs; their absence
  is what makes a note unusable, so it is what the issue names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_VAGUE = re.compile(
    r"\b(all (?:good|fine|ok)|spoke (?:to|with) (?:the )?client|touched base|caught up|catch(?:ing)? up|"
    r"no issues|nothing to report|as discussed|will follow up|usual chat|general chat|checked in)\b",
    re.IGNORECASE,
)
_SPECIFIC = re.compile(
    r"(£|\$|€|\d|\b(?:mortgage|isa|pension|savings|loan|policy|premium|rate|fund|transfer|complaint|renewal|"
    r"statement|form|payment|account|card|cover|review|fee|contribution|allowance|agreed|decided|confirmed|"
    r"sent|send|asked|requested)\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
MIN_WORDS = 12


@dataclass(frozen=True)
class NoteAssessment:
    """Whether a note is usable, and what is wrong with it if not."""

    usable: bool
    issues: list[str] = field(default_factory=list)


def assess_note(text: str | None) -> NoteAssessment:
    """Judge one interaction note (or transcript).

    Args:
        text: The note's text.

    Returns:
        `usable`, and the issues found (empty when usable).
    """
    body = (text or "").strip()
    if not body:
        return NoteAssessment(False, ["the note is empty"])
    words = _WORD.findall(body)
    specifics = len(_SPECIFIC.findall(body))
    vague_hits = len(_VAGUE.findall(body))
    issues = []
    if len(words) < MIN_WORDS and specifics == 0:
        issues.append(f"vague: {len(words)} words and no specifics (amounts, dates, products, decisions)")
    elif vague_hits and specifics < 2 and len(words) < 3 * MIN_WORDS:
        issues.append("vague: stock phrases (e.g. 'all good', 'will follow up') with nothing the next person "
                      "can act on")
    return NoteAssessment(not issues, issues)


def assess_action(*, owner: str | None, due_kind: str | None, due_date: date | None, status: str = "open",
                  as_of: date | None = None) -> list[str]:
    """Problems with one action: no owner, no date, open past its due date."""
    issues = []
    if not (owner or "").strip():
        issues.append("no owner")
    if (due_kind or "none") == "none" and due_date is None:
        issues.append("no due date")
    if status == "open" and due_date is not None and as_of is not None and due_date < as_of:
        issues.append(f"open {(as_of - due_date).days} days past its due date")
    return issues


def assess_draft(content: dict[str, Any], source_text: str | None, *, as_of: date | None = None) -> dict[str, Any]:
    """Note-quality findings for a draft before it is reviewed.

    Args:
        content: The draft's content (an `InteractionDraft` as JSON data).
        source_text: The text of the interaction the draft came from.
        as_of: Today, for "past its due date".

    Returns:
        `{"note": {usable, issues}, "actions": [{ordinal, description, issues}], "ok": bool}`.
    """
    note = assess_note(source_text)
    actions = []
    for i, action in enumerate(content.get("actions") or []):
        due = action.get("due") or {}
        due_date = due.get("date") or due.get("end")
        issues = assess_action(owner=action.get("owner"), due_kind=due.get("kind"),
                               due_date=date.fromisoformat(due_date) if due_date else None,
                               status=action.get("status", "open"), as_of=as_of)
        if issues:
            actions.append({"ordinal": i, "description": action.get("description", ""), "issues": issues})
    return {"note": {"usable": note.usable, "issues": note.issues}, "actions": actions,
            "ok": note.usable and not actions}
