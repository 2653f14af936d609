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
from dataclasses import dataclass

from pipeline.rules.action_types import main_part

_MODAL = (
    r"(?:'ll|’ll|\s+will|\s+shall|'m going to|’m going to|\s+am going to|'re going to|’re going to"
    r"|\s+are going to)"
)
_ADVERBS = r"(?:(?:also|then|now|personally|just|definitely|certainly|first|straight|still|actually|both)\s+)*"

FIRST_PERSON = re.compile(rf"\b(?P<subj>I|[Ww]e){_MODAL}\s+{_ADVERBS}(?P<verb>[a-z]+)")
# "Let me" commits only with work verbs aimed beyond the call ("let me check with our credit
# team"); "let me check what you hold" or "let me double-check" happen during the call itself.
LET_ME = re.compile(
    r"\b[Ll]et me\s+(?P<verb>check with|speak to|talk to|ask|find out|get back|come back|look into|raise|chase"
    r"|arrange|book|send|email|write)\b"
)
NOTE_ACTION = re.compile(
    r"^(?P<who>[A-Z]{2,4}|(?:[A-Z][\w&-]*\s+)(?:[\w&-]+\s+){0,3}?(?:team|desk|department|unit)|[A-Z][a-z]+)"
    r"\s+(?:to|will)\s+(?P<verb>[a-z]+)"
)
THIRD_PARTY = re.compile(
    r"(?:^|[,:;]\s*|\b(?:then|and|so)\s+)(?P<who>(?:[Oo]ur|[Tt]he)\s+(?:[\w&-]+\s+){0,3}?(?:team|desk|department|unit)"
    r"|[A-Z][\w&-]+(?:\s+[A-Za-z][\w&-]+){0,2}\s+(?:team|services|operations)"
    r"|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
    rf"{_MODAL}\s+{_ADVERBS}(?P<verb>[a-z]+)"
)
SIGNOFF_TEAM = re.compile(
    r"\bneeds?\s+(?:sign-off|sign off|approval|authori[sz]ation)\s+from\s+"
    r"(?P<who>(?:our|the)\s+(?:[\w&-]+\s+){0,3}?team)\b",
    re.IGNORECASE,
)

# Verbs a request must ask for before it is a piece of work (keeps "can you hear me",
# "can you confirm your date of birth" and other in-call exchanges out).
WORK_VERBS = frozenset(
    """send post email forward return sign complete provide upload pay transfer move ring call phone contact
    check confirm give get pull match waive review arrange book cancel recall raise submit update dig find
    scan share chase speak talk ask fill drop put make set sort approve increase reduce refund change
    consider organise organize prepare write reply respond let look escalate investigate open lodge
    process release stop amend issue agree action execute draw settle""".split()
)
REQUEST_PATTERNS: list[re.Pattern[str]] = [
    re.compile(r"\b(?:can|could|would|will)\s+you\s+(?:please\s+|also\s+|just\s+|kindly\s+)*(?P<verb>[a-z]+)",
               re.IGNORECASE),
    re.compile(r"\bplease\s+(?:could you\s+|can you\s+|do\s+)?(?P<verb>[a-z]+)", re.IGNORECASE),
    re.compile(r"\b(?:I|we)\s+(?:need|would like|'d like|’d like|want)\s+you\s+to\s+(?P<verb>[a-z]+)",
               re.IGNORECASE),
    re.compile(r"\bit would (?:really )?help(?: us| me)? if you (?:could |can )?(?P<verb>[a-z]+)", re.IGNORECASE),
    re.compile(r"\bwould you be (?:willing|able|happy) to\s+(?P<verb>[a-z]+)", re.IGNORECASE),
    re.compile(r"\byou(?:'ll|’ll| will) need to\s+(?P<verb>[a-z]+)", re.IGNORECASE),
    re.compile(r"\b(?:could|can)\s+(?:the|your|my|our)\s+[^?]{2,60}?\s+(?:be\s+(?P<verb>[a-z]+ed)\b|"
               r"(?P<verb2>give|send|provide|check|look|confirm|go up)\b)", re.IGNORECASE),
]
# "The other thing we'll need is a copy of the death certificate": a need addressed to the listener.
NEED_STATEMENT = re.compile(r"\bwe(?:'ll|’ll| will)? need\b(?!\s+to\b)(?P<verb>)", re.IGNORECASE)
# Bare imperatives count only in written text (emails, notes): in speech they are mostly
# instructions for the call itself ("take photos", "read it back to me").
IMPERATIVE = re.compile(
    r"^(?:(?:just|simply|kindly|also)\s+)?(?P<verb>send|return|sign|complete|forward|post|upload|pay|provide)\b",
    re.IGNORECASE,
)

_VERIFICATION = re.compile(
    r"\b(?:date of birth|postcode|post code|first line of (?:your|the) address|account number|last four"
    r"|security|your name|full name|spell|read (?:it|that) back|hear (?:me|us)|see it)\b",
    re.IGNORECASE,
)
# Exclusions from the labelling guide, one pattern per kind of non-action.
HYPOTHETICAL = re.compile(
    r"(?<!even )(?<!as )(?<!see )(?<!ask )(?<!check )(?<!know )(?<!asking )(?<!whether )\bif\b"
    r"(?!\s+(?:you|we)\s+(?:can|could)\b)(?!\s+(?:needed|necessary|required|possible)\b)"
    r"|\botherwise\b|\bin case\b|\bunless\b",
    re.IGNORECASE,
)
VAGUE = re.compile(
    r"\bfollow up\s*[.,!]?$|\bkeep in touch\b|\bbe in touch\b|\bcatch up\b|\bkeep (?:you|that|it|this) "
    r"(?:posted|updated|informed|in mind)\b|\bkeep (?:you|him|her) (?:up to date|in the loop)\b"
    r"|\bmake sure (?:you|we) have what\b|\bbear (?:that|it|this) in mind\b|\bhave a think\b|\bspeak soon\b"
    r"|\btalk soon\b|\btake care\b|\blook after\b|\bdo (?:everything|what|my best|all) (?:I|we)? ?can\b"
    r"|\bhelp you with (?:everything|anything)\b|\bmake sure the right people\b|\bdo everything\b"
    r"|\bthe right people pick up\b|\bput that right\b",
    re.IGNORECASE,
)
SUGGESTION = re.compile(r"\b(?:may|might|could) be worth\b|\byou (?:may|might) want to\b|\bI'd suggest\b",
                        re.IGNORECASE)
OFFER = re.compile(
    r"\b(?:would you like me to|do you want me to|did you want me to|shall I|should I|would it help if I"
    r"|want me to|happy to\b.*\bif)\b",
    re.IGNORECASE,
)
ATTENDANCE = re.compile(
    r"\bsee you (?:at|there|on|then)\b|\bI(?:'ll|’ll| will) be there\b|\bbring (?:my|a|our)\b|\battend\b"
    r"|\bcome along\b|\bjoin you\b",
    re.IGNORECASE,
)
NEGATED = re.compile(
    r"\b(?:won't|won’t|will not|can't|can’t|cannot|not going to|let me not|I'd rather|I’d rather|never)\b",
    re.IGNORECASE,
)
# "I'll be handling your claim", "I will be your point of contact": roles, not deliverables.
ONGOING_VERBS = frozenset(
    {"be", "need", "keep", "have", "see", "want", "leave", "hold", "try", "wait", "hear", "think", "mull", "enjoy"}
)
VAGUE_VERBS = frozenset({"follow", "catch", "touch"})


@dataclass(frozen=True)
class Detection:
    """What a clause commits or asks, and who it names."""

    kind: str
    verb: str
    who: str | None = None
    start: int = 0


def _exclusion(text: str) -> str | None:
    # Only the main clause counts: "...so you won't get any letters" does not negate the promise.
    text = main_part(text)
    for name, pattern in (
        ("hypothetical", HYPOTHETICAL),
        ("vague", VAGUE),
        ("suggestion", SUGGESTION),
        ("offer", OFFER),
        ("attendance", ATTENDANCE),
        ("negated", NEGATED),
    ):
        if pattern.search(text):
            return name
    return None


def detect(text: str, *, written: bool, notes: bool = False) -> Detection | None:
    """Detect the action a clause states, or None.

    Args:
        text: The clause.
        written: True for emails and notes, where bare imperatives ("return the forms") are requests.
        notes: True for meeting notes, where "BK to submit..." lines assign work.

    Returns:
        The detection, or None when the clause is not an action or is excluded.
    """
    stripped = text.strip().lstrip("-•*( ").strip()
    if _exclusion(stripped):
        return None
    if notes:
        m = NOTE_ACTION.match(stripped)
        if m and m.group("verb") not in ONGOING_VERBS:
            return Detection("third_party", m.group("verb"), m.group("who"), m.start())
    m = FIRST_PERSON.search(stripped)
    if m and m.group("verb") not in ONGOING_VERBS | VAGUE_VERBS:
        return Detection("commitment", m.group("verb"), None, m.start())
    m = LET_ME.search(stripped)
    if m and m.group("verb") not in ONGOING_VERBS:
        return Detection("commitment", m.group("verb"), None, m.start())
    m = THIRD_PARTY.search(stripped)
    if m and m.group("verb") not in ONGOING_VERBS | VAGUE_VERBS and m.group("who").split()[0].lower() not in {
        "you", "he", "she", "they", "it", "this", "that", "there", "who", "which", "what",
    }:
        return Detection("third_party", m.group("verb"), m.group("who"), m.start())
    m = SIGNOFF_TEAM.search(stripped)
    if m:
        return Detection("signoff", "approve", m.group("who"), m.start())
    if _VERIFICATION.search(stripped):
        return None
    for pattern in REQUEST_PATTERNS:
        m = pattern.search(stripped)
        if m:
            verb = (m.group("verb") or (m.groupdict().get("verb2") or "")).lower()
            if verb.split()[0] in WORK_VERBS or verb.endswith("ed"):
                return Detection("request", verb, None, m.start())
    m = NEED_STATEMENT.search(stripped)
    if m:
        return Detection("request", "provide", None, m.start())
    if written:
        m = IMPERATIVE.search(stripped)
        if m:
            return Detection("request", m.group("verb").lower(), None, m.start())
    return None


# A reply that takes up a request without naming new work: "I can do that", "will do, I'll send it".
PRO_FORM = re.compile(
    r"\b(?:do|get|send|post|return|upload|forward|sort|manage)\s+(?:that|it|them|those|this)\b"
    r"(?!\s+(?:to|on)\s+\w+ team)"
    r"|^\s*(?:yes,?\s*)?(?:will do|I can|no problem)\b",
    re.IGNORECASE,
)
# Date corrections and confirmations: "actually, make that Thursday", "Wednesday's fine".
CORRECTION = re.compile(
    r"\b(?:actually|make (?:it|that)|let's say|let’s say|could (?:it|we) be|can (?:it|we) be|how about"
    r"|instead|or rather|more realistic|later said|need until|needs? until|revised|moved to|agreed)\b"
    r"|^\s*(?:well,?\s*)?no,",
    re.IGNORECASE,
)
CONFIRMATION_LEAD = re.compile(r"^\s*(?:[\w ,.'’-]{0,25}?)(?:'s|’s| is| works| then)?\s*(?:fine|ok|okay|perfect|great|"
                               r"good|works|then|is the absolute latest)\b", re.IGNORECASE)
UNAVAILABLE = re.compile(
    r"\b(?:I'm|I’m|I am|he's|he’s|she's|she’s|I'll be|we're|we’re) (?:out|in|away|off|travelling|on holiday|"
    r"on leave|at a)\b|\boff till\b|\boff until\b",
    re.IGNORECASE,
)
