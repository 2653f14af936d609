"""Decisions the engine knows from its own actions: dates moved during the interaction, records agreed.

The labelling guide's decisions are "what was agreed or decided, including things done during
the interaction". `summary` finds the agreements and completions stated in words; two more
kinds come out of the action pass itself:

- **a date moved during the interaction**: an action first given one date and, by a later
  correction or confirmation, another ("by Monday... could it be Wednesday? Wednesday's
  fine") was re-agreed, written "<the action>, moved from Monday 3 November to Wednesday
  5 November";
- **a formal record or sign-off the firm takes on**: a firm-owned `case` action (logging a
  complaint or a claim, a payment trace or recall, a fraud referral) or `approval` action
  (seeking a fee waiver, a payment plan, a credit decision) is the firm's decision to
  proceed with it, written as the action's own description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from pipeline.rules.conversation import PendingAction
from pipeline.schemas import Action, Due

_DECIDING_TYPES = ("case", "approval")


def _day(due: Due | None) -> date | None:
    if due is None:
        return None
    return due.date or due.end


def _spoken(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def without_phrase(description: str, phrase: str) -> str:
    """The description with a date phrase it quotes taken out ("... report by Monday" -> "... report")."""
    if not phrase or phrase == "no date stated":
        return description
    lead = r"(?:(?:by|on|before|until|for|from|no later than|within)\s+|-\s+)?"
    tail = r"(?:\s+(?:morning|afternoon|evening|first thing|midday|at \w+))?"
    out = re.sub(rf",?\s*{lead}\b{re.escape(phrase)}\b{tail}", "", description, count=1, flags=re.IGNORECASE)
    out = re.sub(r"\s+(?:by|on|before|-)$", "", out.strip(" ,"))
    return out if len(out.split()) >= 3 else description


# Where a description goes on past its deliverable: a purpose, a second step, a list of extras.
_GIST_END = re.compile(r",|;|\s+(?:to (?:see|go|let|check|make|discuss|talk)|with|so|because|given|once|for the)\s")
_RECIPIENT = re.compile(r"^(?P<verb>\w+)\s+(?:[A-Z][\w'’-]+\s+){1,3}(?!a (?:ring|call|bell)\b)"
                        r"(?=[a-z])(?!(?:to|about|and|on|for|with|back|up|at|in|if|whether|that)\b)")
_LOOSE_END = re.compile(r"(?:\s+(?:a|an|the|to|of|on|for|and|or|by|with|in|at|from|that|this|\+))+$", re.IGNORECASE)


def _gist(description: str) -> str:
    """The deliverable a moved date belongs to, without what follows it ("Give Ann a ring to see how..." -> ring)."""
    # The deliverable, not who receives it: "Send Oskar Lindgren a few photos" -> "Send a few photos".
    description = _RECIPIENT.sub(r"\g<verb> ", description, count=1)
    cut = _GIST_END.search(description, 8)
    short = description[: cut.start()] if cut else description
    words = short.split()
    gist = _LOOSE_END.sub("", " ".join(words[:12]))
    return gist if len(gist.split()) >= 3 else description


def moved_dates(pairs: Iterable[tuple[PendingAction, Action]]) -> list[str]:
    """One decision per action whose date was changed during the interaction."""
    out = []
    for draft, action in pairs:
        old, new = _day(draft.first_due), _day(draft.due)
        if draft.moved and old and new:
            what = _gist(without_phrase(action.description, draft.due.phrase))
            out.append(f"{what}, moved from {_spoken(old)} to {_spoken(new)}")
    return out


def agreed_records(actions: Iterable[Action]) -> list[str]:
    """The firm's own cases and sign-offs: what it agreed to open or put forward."""
    return [a.description for a in actions if a.owner_side == "firm" and a.type in _DECIDING_TYPES]
