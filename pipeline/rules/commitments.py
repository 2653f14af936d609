"""Commitment and request patterns: does a clause create an action, and who is asked to act?

A clause yields a `Detection` of one of four kinds:

- `commitment`: the speaker commits ("I'll send", "we will", "let me check with credit");
- `request`: the addressee is asked ("could you send us", "please provide", "we'll need a copy");
- `third_party`: a named participant or team is said to act ("Arjun will...", "our claims team
  will...", notes' "BK to submit...");
- `signoff`: work that "needs sign-off from our <X> team", owned by that team.

Then the exclusions of the labelling guide remove what is not an action: hypotheticals,
vague intentions and pleasantries, suggestions nobody takes up, offers, attendance at an
arranged event, negated promises. Each rule is a row in a pattern table so it can be read
against the guide; none names a person, firm or amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.rules.action_types import main_part
from pipeline.rules.loose import LOOSE_IMPERATIVE, LOOSE_KEEP, LOOSE_REQUEST, OPEN_OFFER, SEGMENT
from pipeline.rules.patterns import (
    ATTENDANCE,
    COURTESY,
    DECIDED_NOW,
    FIRST_PERSON,
    HAVE_DELIVERY,
    HYPOTHETICAL,
    IMPERATIVE,
    LEAD_IN,
    LET_ME,
    LIST_LEAD,
    MAILING_LIST,
    NAMED_REQUEST,
    NEED_STATEMENT,
    NEGATED,
    NOTE_ACTION,
    NOTE_DELIVERY,
    NOTE_ITEM,
    NOTE_TAKING,
    OFFER,
    ONGOING_VERBS,
    PRONOUN_TEAM,
    QUESTION,
    RECORD_REQUEST,
    REQUEST_PATTERNS,
    SERVICE_WISH,
    SIGNOFF_TEAM,
    SUGGESTION,
    TAG_QUESTION,
    THIRD_PARTY,
    VAGUE,
    VAGUE_VERBS,
    VERIFICATION,
    WORK_VERBS,
    WRITTEN_WANT,
    WRITTEN_WORK_VERBS,
)
from pipeline.text import WRAP, unwrapped

ANSWER = "answer"
"""The verb of a question the reader is asked: the work is the answer."""
WANTED = "want"
"""The verb of an item in a written list of wants ("What I want: 1. The fee refunded"): the item is the work."""


@dataclass(frozen=True)
class Detection:
    """What a clause commits or asks, and who it names."""

    kind: str
    verb: str
    who: str | None = None
    start: int = 0


def _exclusion(text: str, *, loose: bool = False) -> str | None:
    if LIST_LEAD.search(text) and not loose:
        return "list lead"
    # Only the main clause counts: "...so you won't get any letters" does not negate the promise.
    text = main_part(text)
    for name, pattern in (
        ("hypothetical", HYPOTHETICAL),
        ("vague", VAGUE),
        ("suggestion", SUGGESTION),
        ("offer", OFFER),
        ("attendance", ATTENDANCE),
        ("negated", NEGATED),
        ("note-taking", NOTE_TAKING),
        ("decided now", DECIDED_NOW),
        ("courtesy", COURTESY),
        ("mailing list", MAILING_LIST),
    ):
        if (not loose or name in LOOSE_KEEP) and pattern.search(text):
            return name
    if loose and OPEN_OFFER.search(text):
        return "open offer"
    return None


def _base_form(verb: str) -> str:
    """'sending' -> 'send', 'posting' -> 'post', 'putting' -> 'put': the verb a work list names."""
    if not verb.endswith("ing") or len(verb) < 5 or verb in WRITTEN_WORK_VERBS:
        return verb  # "bring" is a verb, not "br" + "ing"
    stem = verb[:-3]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls":
        stem = stem[:-1]
    return stem if stem in WRITTEN_WORK_VERBS or stem + "e" not in WRITTEN_WORK_VERBS else stem + "e"


def detect(text: str, *, written: bool, notes: bool = False, loose: bool = False) -> Detection | None:
    """Detect the action a clause states, or None.

    Args:
        text: The clause.
        written: True for emails and notes, where bare imperatives ("return the forms") are requests.
        notes: True for meeting notes, where "BK to submit..." lines assign work.
        loose: Sentence-level intent scoring (written text only): skip the guide's exclusions
            for vague, conditional and courteous asks (negations still count), accept any verb
            after a request form, and count polite wishes, "let's", broader imperatives and
            direct questions to the reader as requests. The drafting engine never sets it.

    Returns:
        The detection, or None when the clause is not an action or is excluded.
    """
    if WRAP.search(text):
        # A hard-wrapped email breaks phrases over lines ("let you\n  know", "would you\nmind"): read it as
        # one line, and give the start back in the clause's own offsets.
        flat, where = unwrapped(text)
        found = detect(flat, written=written, notes=notes, loose=loose)
        return replace(found, start=where[min(found.start, len(where) - 1)]) if found and where else found
    stripped = text.strip().lstrip("-•*( ").strip()
    if _exclusion(stripped, loose=loose):
        return None
    said = _own_or_assigned(stripped, notes=notes)
    if said is not None:
        return said
    passive = None if notes else _PASSIVE_PROMISE.search(stripped)
    if passive:
        return Detection("commitment", _PASSIVE_BASE[passive.group("verb")], None, passive.start("what"))
    if VERIFICATION.search(stripped) and not loose:
        return None  # "can you confirm your date of birth": identity checks are part of the call
    return _asked(stripped, written=written, loose=loose)


# Steps that pass a case to someone else ("I'll need to put it to credit"); "I'll need to check" or
# "I'll just need to run through security" are steps of the call itself.
_PASSED_ON = frozenset("put take submit refer send raise escalate ask".split())
_NEED_TO = re.compile(r"\s+to\s+(?:\w+ly\s+)?(?P<verb>[a-z]+)")
_NOT_A_NAME = frozenset({"you", "he", "she", "they", "it", "this", "that", "there", "who", "which", "what"})


# In notes, work is assigned mid-line after a dash or arrow ("Need ex's bank details - KO to get via
# solicitor"), and the author writes of the client in the third person: "-> she'll raise it with her
# accountant", "She said she would ring them this week", "Lucy needs to complete the form".
_NOTE_INNER = re.compile(
    r"(?:\s[-–—]+>?\s+|\s->\s*|[;:]\s+)(?P<who>[A-Z]{2,4}|(?:[A-Za-z][\w&/-]*\s+)(?:[\w&/][\w&/-]*\s+){0,3}?"
    r"(?:team|desk))\s+(?:to|will)\s+(?P<verb>[a-z]+)"
)
_NOTE_PERSON = re.compile(
    r"(?:^|[,;:>]\s*|\b(?:and|so|then|but)\s+)(?:(?P<said>[Ss]he|[Hh]e|[A-Z][a-z]+) (?:said|says|confirmed|agreed)"
    r" (?:that )?)?(?P<who>[Ss]he|[Hh]e)(?:'ll|’ll| will|'d|’d| would)\s+(?:also\s+|then\s+|now\s+)?(?P<verb>[a-z]+)"
    r"|(?:^|[,;:>]\s*|\b(?:and|so|then|but)\s+)(?P<who2>[Ss]he|[Hh]e|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?|[A-Z]{2,4})"
    r"\s+(?:needs|has|is|agreed|promised|offered|undertook) to\s+(?:also\s+)?(?P<verb2>[a-z]+)"
)
_RECEIVE_FROM = re.compile(
    r"\b(?i:you)(?:'ll|’ll| will| should)\s+(?:get|receive|have)\s+(?P<what>(?:a|an|the)\s[^.;]{3,60}?)\s+from\s+"
    r"(?P<who>(?:our|the)\s+(?:[\w&-]+\s+){0,3}?team)\b"
)
# Other ways a speaker takes work on: "I'll be sending you a letter", "I'll have someone ring you back",
# "What I'll do is send you the form today" ("what I can do is..." only offers).
_PROGRESSIVE = re.compile(
    r"\b(?:I|[Ww]e)(?:'ll|’ll| will) be (?P<verb>sending|posting|emailing|calling|ringing|phoning|writing|arranging"
    r"|booking|transferring|refunding|issuing|raising|submitting|forwarding)\b"
)
_HAVE_SOMEONE = re.compile(
    r"\b(?:I|[Ww]e)(?:'ll|’ll| will) (?:get|have) (?:someone|somebody|a colleague|one of (?:my|our) colleagues)"
    r"(?: from [\w\s]{2,30}?)? (?:to )?(?P<verb>ring|call|phone|contact|email|write to|get back to)\b"
)
_WHAT_I_DO = re.compile(r"\b[Ww]hat (?:I|we)(?:\s+will|'ll|’ll|'m going to|’m going to|\s+am going to"
                        r"|'re going to|\s+are going to) do (?:now |first |next )?is\s+(?:to\s+)?(?P<verb>[a-z]+)")
# The firm's promise in the passive, of money back to the listener: "the £349.99 will be refunded to
# your card account by the end of tomorrow". The speaker makes it happen.
_PASSIVE_PROMISE = re.compile(
    r"(?:^|,\s+(?:and\s+)?|\band\s+)(?P<what>(?:the|your|that|this)\s+(?:[^,;.]|\.(?=\d)){1,40}?)\s+will\s+be\s+"
    r"(?P<verb>refunded|credited|reversed|returned|paid back|put back)\s+(?:to|into|on to|onto)\s+your\b"
)
_PASSIVE_BASE = {"refunded": "refund", "credited": "credit", "reversed": "reverse", "returned": "return",
                 "paid back": "pay back", "put back": "put back"}
# "We're going to start doing the Saturday market": an activity that will go on, not a deliverable.
_ONGOING_START = re.compile(r"\s+(?:\w+ing\b|to\b)")


# "Need P60 from client", "Still need ID from KO": a need in notes is asked of the one named.
_NOTE_NEED = re.compile(r"^(?:still\s+)?(?:need|needs|require|requires|awaiting)\s+(?P<what>\S.{1,60}?)\s+from\s+"
                        r"(?P<who>(?:the\s+)?(?i:client|customer)|[A-Z]{2,4}|[A-Z][a-z]+)\b", re.IGNORECASE)


def _note_person(text: str) -> Detection | None:
    """Notes' third-person work: a pronoun or a name that will, said it would, or needs to act."""
    m = _NOTE_NEED.match(text)
    if m:
        return Detection("third_party", "provide", m.group("who"), m.start("what"))
    m = _NOTE_INNER.search(text)
    if m and m.group("verb") not in ONGOING_VERBS:
        return Detection("third_party", m.group("verb"), m.group("who"), m.start("who"))
    m = _NOTE_PERSON.search(text)
    if m is None:
        return None
    who, verb = (m.group("who"), m.group("verb")) if m.group("who") else (m.group("who2"), m.group("verb2"))
    if verb in ONGOING_VERBS | VAGUE_VERBS or (m.group("who2") and verb not in WRITTEN_WORK_VERBS):
        return None
    if who.split()[0].lower() in _NOT_A_NAME - {"he", "she"}:
        return None
    return Detection("third_party", verb, who, m.start("who") if m.group("who") else m.start("who2"))


def _no_deliverable(text: str, m: re.Match[str]) -> bool:
    """Whether the promise names no deliverable: "we're going to start doing it", "I'm going to ask you to"."""
    verb, rest = m.group("verb"), text[m.end("verb") :]
    if verb in ("start", "begin", "continue") and _ONGOING_START.match(rest):
        return True
    return verb == "ask" and re.match(r"\s+you\s+to\b", rest) is not None


def _taken_on(text: str, first_person: re.Match[str] | None) -> Detection | None:
    """Work taken on in other words, unless a plain "I'll <verb>" came first."""
    m = _PROGRESSIVE.search(text) or _HAVE_SOMEONE.search(text) or _WHAT_I_DO.search(text)
    if m is None:
        return None
    plain = first_person is not None and first_person.group("verb") not in ONGOING_VERBS | VAGUE_VERBS | {"do"}
    if plain and first_person.start() < m.start():  # type: ignore[union-attr]
        return None
    verb = _base_form(m.group("verb").lower()) if m.group("verb") else "send"
    return Detection("commitment", verb, None, m.start())


def _own_or_assigned(text: str, *, notes: bool) -> Detection | None:
    """Work the speaker takes on ("I'll send"), assigns in notes ("BK to submit"), or names for a third party."""
    if notes:
        m = NOTE_ACTION.match(text)
        if m and m.group("verb") not in ONGOING_VERBS:
            return Detection("third_party", m.group("verb"), m.group("who"), m.start("who"))
        found = _note_item(text)
        if found is not None:
            return found
    m = FIRST_PERSON.search(text)
    if m and _no_deliverable(text, m):
        return None
    taken = _taken_on(text, m)
    if taken is not None:
        return taken
    received = _RECEIVE_FROM.search(text)
    if received:
        # "You'll get a written acknowledgement from our complaints team": the team sends it.
        return Detection("third_party", "send", received.group("who"), received.start("what"))
    if m and m.group("verb") not in ONGOING_VERBS | VAGUE_VERBS:
        return Detection("commitment", m.group("verb"), None, m.start())
    need = _NEED_TO.match(text, m.end("verb")) if m and m.group("verb") == "need" else None
    if m and need and need.group("verb") in _PASSED_ON:
        # "The twenty I'll need to put to credit": the speaker's own next step.
        return Detection("commitment", need.group("verb"), None, m.start())
    if m and m.group("verb") == "have" and HAVE_DELIVERY.match(text, m.start("verb")):
        return Detection("commitment", "have", None, m.start())
    m = LET_ME.search(text)
    if m and m.group("verb") not in ONGOING_VERBS:
        return Detection("commitment", m.group("verb"), None, m.start())
    m = PRONOUN_TEAM.match(text)
    if m:
        verb = m.group("then") if m.group("verb") == "be" and m.group("then") else m.group("verb")
        if verb not in ONGOING_VERBS | VAGUE_VERBS:
            # The engine resolves "they" to the team named just before, or drops the clause.
            return Detection("third_party", verb, "they", m.start())
    m = THIRD_PARTY.search(text)
    named = m is not None and m.group("who").split()[0].lower() not in _NOT_A_NAME
    if m and named and m.group("verb") not in ONGOING_VERBS | VAGUE_VERBS:
        return Detection("third_party", m.group("verb"), m.group("who"), m.start())
    m = SIGNOFF_TEAM.search(text)
    if m:
        return Detection("signoff", "approve", m.group("who"), m.start())
    return _note_person(text) if notes else None


def _note_item(text: str) -> Detection | None:
    """A notes line naming its owner before a colon, or a deliverable sent to someone by a date.

    "SW: council tax bill into branch by the 14th" is Sam's; the engine drops the line when the
    name before the colon is no participant ("Mandate: either to sign"). "Indicative terms to MB
    by end of Q1" is the note author's to send. The detection starts at the item, so the
    description is the item; an item without a verb keeps an empty verb.
    """
    m = NOTE_ITEM.match(text)
    if m:
        first = m.group("item").split()[0].lower()
        verb = first if first in WRITTEN_WORK_VERBS else ""
        return Detection("third_party", verb, m.group("who"), m.start("item"))
    m = NOTE_DELIVERY.match(text)
    if m and m.group("item").split()[0].lower() not in WRITTEN_WORK_VERBS:
        return Detection("commitment", "send", m.group("who"), m.start("item"))
    return None


def _asked(text: str, *, written: bool, loose: bool) -> Detection | None:
    """A request to the other party (or a named one), in the request forms the guide counts."""
    if written:
        m = RECORD_REQUEST.search(text)
        if m:
            return Detection("request", "log", None, m.start())
    work_verbs = WRITTEN_WORK_VERBS if written else WORK_VERBS
    for pattern in REQUEST_PATTERNS:
        m = pattern.search(text)
        if m:
            verb = _base_form((m.group("verb") or (m.groupdict().get("verb2") or "")).lower())
            any_verb = m.groupdict().get("any_verb") is not None
            if verb.split()[0] in work_verbs or verb.endswith("ed") or ((loose or any_verb) and verb):
                return Detection("request", verb, None, m.start())
    m = NAMED_REQUEST.search(text)
    if m and m.group("verb") in work_verbs:
        return Detection("third_party", m.group("verb"), m.group("who"), m.start())
    m = NEED_STATEMENT.search(text)
    if m:
        return Detection("request", "provide", None, m.start())
    if not written:
        return None
    return _written_request(text) or (_loose_request(text) if loose else None)


def _written_request(text: str) -> Detection | None:
    """In writing, a service wish ("I'd like to close the account") or a bare imperative asks."""
    m = SERVICE_WISH.search(text)
    if m:
        return Detection("request", m.group("verb").lower(), None, m.start())
    m = WRITTEN_WANT.search(text)
    if m:
        return Detection("request", WANTED, None, m.start())
    lead = LEAD_IN.match(text)
    offset = lead.end() if lead else 0
    m = IMPERATIVE.search(text[offset:])
    if m:
        return Detection("request", m.group("verb").lower(), None, offset + m.start())
    return None


def _loose_request(text: str) -> Detection | None:
    """The looser written signals of `detect(loose=True)`, after the strict ones found nothing."""
    # An imperative may open the sentence or follow a leading condition or aside:
    # "If you want to discuss it, give me a call", "Rob - send it over".
    lead = LEAD_IN.match(text)
    starts = [lead.end() if lead else 0] + [m.end() for m in SEGMENT.finditer(text)]
    for offset in starts:
        for pattern in (IMPERATIVE, LOOSE_IMPERATIVE):
            m = pattern.search(text[offset:])
            if m:
                return Detection("request", (m.group("verb") or m.groupdict().get("verb2") or "do").lower(), None,
                                 offset + m.start())
    m = LOOSE_REQUEST.search(text)
    if m:
        verb = next((v for v in m.groups() if v), "reply")
        return Detection("request", verb.lower(), None, m.start())
    if QUESTION.search(text) and not TAG_QUESTION.search(text):
        return Detection("request", "reply", None, 0)
    return None
