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
from pipeline.rules.owners import OwnerResolver
from pipeline.schemas import Action, Due

_DECIDING_TYPES = ("case", "approval")


def _day(due: Due | None) -> date | None:
    if due is None:
        return None
    return due.date or due.end


def _spoken(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def without_phrase(description: str, phrase: str, *, min_words: int = 3) -> str:
    """The description with a date phrase it quotes taken out ("... report by Monday" -> "... report").

    The phrase's own preposition goes with it ("submit it on Tuesday the seventeenth" -> "submit
    it"). The one home of this rule: a moved action's description and the client recap letter
    (which writes the date out in the phrase's place) both use it.

    Args:
        description: The action's description.
        phrase: The due phrase it may quote ("no date stated" quotes nothing).
        min_words: The fewest words the rest must keep; shorter, the description is returned as it was.

    Returns:
        The description without the phrase.
    """
    if not phrase or phrase == "no date stated":
        return description
    lead = r"(?:(?:by|on|before|until|for|from|no later than|within)\s+|-\s+)?"
    tail = r"(?:\s+(?:morning|afternoon|evening|first thing|midday|at \w+))?"
    # Lookarounds, not \b: a phrase may end in punctuation ("end of Nov.").
    out = re.sub(rf",?\s*{lead}(?<!\w){re.escape(phrase)}(?!\w){tail}", "", description, count=1,
                 flags=re.IGNORECASE)
    out = re.sub(r"\s+(?:by|on|before|-)$", "", out.strip(" ,"))
    return out if len(out.split()) >= min_words else description


# Where a description goes on past its deliverable: a purpose, a second step, a list of extras.
_GIST_END = re.compile(r",|;|\s+(?:to (?:see|go|let|check|make|discuss|talk)|with|so|because|given|once|for the)\s")
_RECIPIENT = re.compile(r"^(?P<verb>\w+)\s+(?:[A-Z][\w'’-]+\s+){1,3}?(?!a (?:ring|call|bell)\b)"
                        r"(?=[a-z]|(?:[A-Z][\w-]+\s+)?[A-Z][\w-]+['’]s\s)"
                        r"(?!(?:to|about|and|on|for|with|back|up|at|in|if|whether|that)\b)")
# Whose the deliverable is says nothing about it: "Tamsin Harper’s last VAT return" is the last VAT return.
_POSSESSOR = re.compile(r"\b(?:[A-Z][\w-]+\s+)?[A-Z][\w-]+['’]s\s+")
# Who it comes from, neither: "Get a quote off him".
_SOURCE = re.compile(r"\s+(?:off|from)\s+(?:him|her|them)\b")
_ASKED_OF = re.compile(r"^(?i:provide|get|ask)\s+(?:[A-Z][\w'’-]+\s+){1,3}to\s+(?=[a-z])")
_LOOSE_END = re.compile(r"(?:\s+(?:a|an|the|to|of|on|for|and|or|by|with|in|at|from|that|this|\+))+$", re.IGNORECASE)


def _gist(description: str) -> str:
    """The deliverable a moved date belongs to, without what follows it ("Give Ann a ring to see how..." -> ring)."""
    # The deliverable, not who receives it: "Send Oskar Lindgren a few photos" -> "Send a few photos",
    # nor who is asked for it: "Provide Declan Farrelly to send the accounts" -> "Send the accounts".
    description = _ASKED_OF.sub("", description, count=1)
    description = _RECIPIENT.sub(r"\g<verb> ", description, count=1)
    description = _SOURCE.sub("", _POSSESSOR.sub("", description))
    cut = _GIST_END.search(description, 8)
    short = description[: cut.start()] if cut else description
    words = short.split()
    gist = _LOOSE_END.sub("", " ".join(words[:12]))
    gist = gist[0].upper() + gist[1:] if gist else gist
    return gist if len(gist.split()) >= 3 else description


_CALL = re.compile(r"^(?:(?i:give)\s+.{2,40}?\s+an?\s+(?i:ring|call|bell)"
                   r"|(?i:call|ring|phone)\s+(?:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}|the client|them|him|her))"
                   r"(?P<back>\s+back)?\b")
_HAND_OVER = re.compile(r"^(?i:send|provide|forward|email|post|upload|return|get)\s+(?!(?i:to|it|them)\b)"
                        r"(?:(?i:those|these|the|a few|some|a copy of the|a copy of|a|an)\s+)?(?P<what>.{3,})$")


_CALL_ABOUT = re.compile(r"\bto (?:confirm|discuss|agree|explain|update \w+ on|go through)\s+"
                         r"(?:the|your|their|his|her)\s+(?P<thing>[\w-]+)(?=[\s,.;]|$)", re.IGNORECASE)
# A hand-over named by a pronoun ("Get it back to Rhys", "Get them all to Grace") takes the last document named.
_PRONOUN_HAND_OVER = re.compile(r"^(?i:get|send|return|bring|post|email|forward|drop)\s+(?P<pro>it|them|that|those)\b")
_DOCUMENT = re.compile(
    r"\b(?:the|your|my|our|an?|those|these|both|two|three|four|five|\d+)\s+(?P<np>(?:[\w'’-]+\s+){0,3}?(?:forms?|accounts|figures|quotes?"
    r"|statements?|payslips?|photos|documents?|reports?|letters?|certificates?|forecasts?|paperwork|pack|invoices?"
    r"|receipts?|valuations?|returns?|financials|passport|attachments?|pdfs?|copies|copy))\b", re.IGNORECASE)


def named_document(before: str, pronoun: str) -> str | None:
    """The last document named before a pronoun that stands for it ("them" takes a plural one)."""
    plural = pronoun.lower() in ("them", "those")
    found = [m["np"] for m in _DOCUMENT.finditer(before)
             if plural == (m["np"].lower().endswith("s") and not m["np"].lower().endswith("ss"))]
    return found[-1] if found else None


def _deliverable(gist: str, owner: str, description: str = "", before: str = "") -> str | None:
    """The deliverable as a note names it, when the gist is a call or a hand-over: "Refund call", "Photos deadline"."""
    call = _CALL.match(gist)
    if call:
        # A team's call is named by the team ("Fraud team call"); a person's by what it is about, or just the call.
        about = _CALL_ABOUT.search(description)
        lead = (f"{owner} call" if owner.endswith(" team")
                else f"{about['thing'].capitalize()} call" if about else "Call")
        return lead + ("-back" if call["back"] else "")
    pronoun = _PRONOUN_HAND_OVER.match(gist)
    if pronoun:
        document = named_document(before, pronoun["pro"])
        return f"{document[0].upper() + document[1:]} deadline" if document else None
    handed = _HAND_OVER.match(gist)
    if handed:
        return f"{handed['what'][0].upper() + handed['what'][1:]} deadline"
    return None


def moved_dates(pairs: Iterable[tuple[PendingAction, Action]], text: str = "") -> list[str]:
    """One decision per action whose date was changed during the interaction.

    A call or a hand-over is named by its deliverable ("Refund call-back moved from ...", "Draft
    financials deadline moved from ..."), as a note-taker writes it; other work keeps its verb.
    `text` is the interaction, where "Get them all to Grace" finds the documents "them" stands for.
    """
    out = []
    for draft, action in pairs:
        old, new = _day(draft.first_due), _day(draft.due)
        if draft.moved and old and new:
            what = _gist(without_phrase(action.description, draft.due.phrase))
            before = " ".join(text[max(0, draft.clause.start - 700) : draft.clause.start].split())
            named = _deliverable(what, action.owner, action.description, before)
            when = f"moved from {_spoken(old)} to {_spoken(new)}"
            out.append(f"{named} {when}" if named else f"{what}, {when}")
    return out


# A step the firm commits to that protects or concedes ("I'll stop that collection today") is decided on the call.
_PROTECTIVE = re.compile(r"^(?:stop|cancel|freeze|waive|refund|pause|suspend|hold|block|defer)\b", re.IGNORECASE)


def agreed_records(built: Iterable[tuple[PendingAction, Action]], resolver: OwnerResolver) -> list[str]:
    """The firm's own cases and sign-offs: what it agreed to open or put forward, and the protective steps it takes.

    A client's written request for one ("could you waive the £25 fee?") is an action for the
    firm but no decision: nobody at the firm has agreed to anything yet.
    """
    return [a.description for pending, a in built if a.owner_side == "firm" and (
        (a.type in _DECIDING_TYPES
         and not (pending.detection.kind == "request" and resolver.side(pending.clause.speaker) == "client"))
        or (a.type == "task" and pending.detection.kind == "commitment" and _PROTECTIVE.match(a.description)))]
