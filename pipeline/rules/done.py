"""Work done during the interaction: the completion cues behind the summary's "done" decisions.

The labelling guide counts "things done during the interaction" as decisions ("Golf club
direct debit cancelled during the call"). The firm says so in three ways, and each cue here
reads one, all with one list of completed verbs (`COMPLETED`):

- **the perfect**: "I've just completed the switch to Voyager", "I've opened the claim"
  (`DONE_OBJECT` names the object, `DONE` only spots the completion);
- **a state**: "Paul's business debit card is cancelled", "the direct debit's now stopped"
  (`state_done`): a named thing in a finished state, not "will be cancelled";
- **a note's report**: "HL cancelled the scheduled payment on the call", "TN refunded as
  one-off", "Jean's debit card cancelled in branch", "copy taken" (`DONE` and `noted_done`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

COMPLETED = (
    r"cancelled|updated|sent|logged|changed|registered|added|stopped|set up|forwarded|raised|blocked|frozen|refunded"
    r"|removed|requested|booked|approved|reversed|paused|waived|opened|completed|switched|processed|issued|arranged"
    r"|closed|reduced|deleted|amended|reset|credited|increased|lowered|renewed|extended|submitted|placed|unblocked"
    r"|reissued|re-issued|lifted"
)
"""Verbs that report finished work; "put" and "asked" count only in `DONE`, where they need no object."""

_HAVE = r"\b(?:I|we)(?:'ve|’ve| have) (?:just |now |also |already |gone ahead and )?"
_WHERE = r"(?:during|in|on|at)\s+(?:the\s+)?(?:call|mtg|meeting|branch|phone)"
DONE = re.compile(
    rf"{_HAVE}(?:{COMPLETED}|put|asked)\b|\bthat's (?:sent|done|cancelled|sorted)\b"
    # A note's passive: "Claim registered during call, ref CLM-55213", "Debit card cancelled in branch".
    rf"|\b(?:{COMPLETED})\s+{_WHERE}\b|\b(?:done|taken) {_WHERE}\b|\bcopy taken\b",
    re.IGNORECASE,
)
DONE_OBJECT = re.compile(
    rf"{_HAVE}(?P<verb>{COMPLETED})\s+"
    # What it was changed to is not the object: "I've just updated your phone number to the new one".
    r"(?P<object>[^,.;!?]{2,80}?)(?=\s+(?:now|for you|today|just now|already|on|from|so|as|and|while|because"
    r"|to (?:the|your|a|an) (?:new|correct|right|updated|latest)\b)\b"
    r"|[,.;!?]|$)",
    re.IGNORECASE,
)
PLACED = re.compile(
    # "I've put a hold on...", and "the first thing I've done, while we've been talking, is put a hold on...".
    rf"(?:{_HAVE}|\b(?:I|we)(?:'ve|’ve| have) done\b[^.?!]{{0,60}}?\bis\s+)put (?:a|an) "
    r"(?P<what>(?:temporary |[\w-]+-(?:hour|day|week) )?(?:hold|block|stop|freeze|marker|flag))\s+on\s+"
    r"(?P<on>[^,.;!?]{3,90})",
    re.IGNORECASE,
)
_STATE = re.compile(
    r"(?:^|[.;:]\s+|,\s+(?:and\s+)?)(?P<object>(?:(?i:the|your|his|her|their)|[A-Z][a-z]+['’]s)\s+"
    r"(?:[\w'’-]+\s+){0,4}?[\w'’-]+)\s+(?:is|are|'s|’s|has been|have been)\s+(?:now\s+|all\s+|just\s+)?"
    rf"(?P<verb>{COMPLETED})(?=\s+(?:now|for you|already)\b|\s*[.,;!]|$)",
)
_NOTED = re.compile(
    rf"^(?P<who>[A-Z]{{2,4}})\s+(?P<verb>{COMPLETED})\s+(?P<rest>[^.;]{{3,140}})"
)


def state_done(text: str) -> str | None:
    """A named thing the firm reports finished ("Paul's business debit card is cancelled"), without "is"."""
    m = _STATE.search(text)
    if m is None:
        return None
    return f"{m['object']} {m['verb']}"


def noted_done(text: str) -> tuple[str, str, str] | None:
    """A note's "<initials> <completed verb> <rest>": (initials, verb, rest), else None."""
    m = _NOTED.match(text.strip())
    return (m["who"], m["verb"].lower(), m["rest"].strip()) if m else None


# What a note's bullet is about, after its lead verb: "Queried £14 late fee on Aug statement".
_NOTE_TOPIC = re.compile(r"^(?:(?:[A-Z]{2,4}|client)\s+)?(?:wants|wanted|queried|asked (?:re|about|for)|asked|re)\s+"
                         r"(?P<topic>[^,.;(]{4,80}?)(?=\s+-\s+|\s*[,.;(]|$)", re.IGNORECASE)
_NOTED_OBJECT = re.compile(r"(?P<object>(?!(?:as|on|in|during)\b)[^,;(]+?)(?=\s+(?:on|in|during|as|and)\b|[,;(]|$)"
                           r"(?P<tail>.*)")


def noted_phrase(sentence: str, bullet: str, *, is_firm: Callable[[str], bool]) -> str | None:
    """A note's report of the firm's finished work as a decision phrase, else None.

    `bullet` is the bullet's text before the sentence: a bare "Done in branch" or "TN refunded
    as one-off" is about what the bullet opened with ("Queried £14 late fee on Aug statement").
    """
    topic = _NOTE_TOPIC.match(re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", bullet))
    noted = noted_done(sentence)
    if noted and is_firm(noted[0]):
        _, verb, rest = noted
        object_ = _NOTED_OBJECT.match(rest)
        if object_:
            phrase = f"{object_['object']} {verb}{object_['tail']}"
        elif topic:
            phrase = f"{topic['topic']} {verb} {rest}"
        else:
            return None
        phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(), flags=re.IGNORECASE)
        return phrase[0].upper() + phrase[1:]
    if topic and re.match(r"^(?:done|actioned|sorted)\b", sentence.strip(), re.IGNORECASE):
        what = topic["topic"]
        return f"{what[0].upper() + what[1:]}: {sentence.strip().rstrip('.').lower()}"
    return None
