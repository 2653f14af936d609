"""What the interaction keeps as it is: "the arrangement fee stays at 0.75%", "leave them as they are for now".

Keeping a term, a holding or a provider unchanged is as much a decision as changing it, so
the summary lists it ("Arrangement fee stays at 0.75%", "Risk profile unchanged (4/7)",
"Investments left as they are for now"). It counts only when it is settled:

- the firm (or a meeting note) states it, or the client instructs it in the imperative
  ("Leave them as they are for now") - a client's "I'd rather it stayed at 4%" is a wish;
- it is not a question, not said under a condition ("if the rate stays at 4%..."), not
  denied ("it won't stay at 4%"), and not a hypothetical or a proposal ("it would stay",
  "we're proposing to keep", which `pipeline.rules.proposals` notes as "Proposed: ...");
- "stays" or "remains" says where or how it stays ("at 0.75%", "with Northgate", "the same",
  "invested"): "the portfolio remains close to its allocation" reports a state, "stay calm"
  is no term at all.
"""

from __future__ import annotations

import re

from pipeline.rules.proposals import named_thing
from pipeline.rules.wording import antecedent

_HOW = (r"(?:at|with|on|in place|in|the same|unchanged|as (?:it is|they are|it stands|is|before)|"
        r"where (?:it is|they are)|invested|fixed|open|frozen|paused|untouched|put)\b")
_STAYS = re.compile(
    r"(?P<verb>\b(?:(?:will|can|is going to|are going to)\s+|['’]ll\s+)?(?:stays?|staying|remains?|remaining)"
    # "the excess is fixed on the policy, it's not something I can change": it stays as it is.
    r"|\b(?:is|are) fixed(?=\s+(?:on|in|under|by)\b)"
    r"|\b(?:is|are|remains?|stays?|will (?:stay|remain|be))?\s*unchanged(?=\s*[(.,;:!]|\s*$)\s*)"
    rf"(?=\s+{_HOW}|\s*[(.,;:!]|\s*$)"
)
_KEEP = re.compile(
    r"\bkeep(?:ing)?\s+(?P<object>(?!(?:in|up|on|going|using|chasing|trying)\b)[^,.;:!?]{2,50}?)\s+"
    r"(?P<how>(?:at|as it is|as they are|as it stands|the same|where (?:it is|they are)|unchanged|in place)\b"
    r"(?:[^,.;:!?(]|\.(?=\d))*)",
    re.IGNORECASE,
)
_LEAVE = re.compile(
    r"\bleav(?:e|ing)\s+(?P<object>it|them|that|this|those|these|things|everything|"
    r"(?:the|your|our|my)\s+[\w’'-]+(?:\s+[\w’'-]+)?)\s+"
    r"(?P<how>(?:as (?:it is|they are|it stands|they stand)|where (?:it is|they are)|alone|untouched|unchanged)"
    r"(?:\s+for (?:now|the time being|the moment))?)",
    re.IGNORECASE,
)
_UNSETTLED = re.compile(r"\b(?:if|whether|in case|suppos\w*|assuming|would|could|might|may|propos\w*|suggest\w*|"
                        r"recommend\w*|hope|hoping|wonder\w*)\b", re.IGNORECASE)
_DENIED = re.compile(r"(?:\bnot|n['’]t|\bno longer|\bnever)\s+(?:\w+\s+)?$", re.IGNORECASE)
_IMPERATIVE = re.compile(r"^(?:(?:so|and|ok|okay|right|yes|yeah|no|fine|well|then|just|please|let['’]s),?\s+)*"
                         r"(?:keep|leave)\b", re.IGNORECASE)
_SUBJECT_EDGE = re.compile(r"(?:^|[,;:–—-]\s+|\s(?:and|but|so|then|yes|ok|okay)\s+|\bI['’]m afraid\s+)",
                           re.IGNORECASE)
_LEADING = re.compile(r"^(?:(?:the|your|our|my|his|her|their|so|and|but|yes|ok|okay|right|well|fine|then),?\s+)+",
                      re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:it|that|this|they|them|those|these)$", re.IGNORECASE)
_PERSON = re.compile(r"\b(?:I|we|you|he|she|me|us)\b", re.IGNORECASE)


def kept_as_is(sentence: str, *, by_firm: bool, before: str = "") -> str | None:
    """The thing a settled sentence keeps as it is, as a short phrase, or None.

    `by_firm` is whether the firm (or a note) says it; `before` is the text just before, where
    "it" in "it stays at 0.75%" finds what it stands for. A pronoun that finds nothing gives None.
    """
    text = " ".join(sentence.split())
    if not text or text.endswith("?") or (not by_firm and not _IMPERATIVE.match(text)):
        return None
    for found in (_kept(text), _left(text)):
        if found is None:
            continue
        start, thing, phrase = found
        if _UNSETTLED.search(text[:start]) or _DENIED.search(text[:start]):
            return None
        named = _named(thing, before)
        return f"{named[0].upper()}{named[1:]} {phrase}".strip() if named else None
    return None


def _kept(text: str) -> tuple[int, str, str] | None:
    keep = _KEEP.search(text)
    if keep:
        how = _how(keep["how"])
        # "keep the term as it is (19 years left)": the figure in brackets is the term kept.
        figure = re.match(r"\s*(\([^)]*\d[^)]*\))", text[keep.end():])
        return keep.start(), keep["object"], f"{_stay(keep['object'])} {how}" + (f" {figure[1]}" if figure else "")
    stays = _STAYS.search(text)
    if stays is None:
        return None
    head = text[: stays.start()]
    edge = list(_SUBJECT_EDGE.finditer(head))
    subject = head[edge[-1].end():] if edge else head
    subject = re.sub(r"\s+(?:itself|themselves)$", "", subject.strip(), flags=re.IGNORECASE)
    if not subject or len(subject.split()) > 5:
        return None
    verb = stays["verb"].strip().lower()
    rest = _how(text[stays.end():])
    if "unchanged" in verb:
        figure = re.match(r"\s*(\([^)]*\d[^)]*\))", text[stays.end():])
        return stays.start(), subject, "unchanged" + (f" {figure[1]}" if figure else "")
    if "fixed" in verb:
        return stays.start(), subject, f"{_stay(subject)} fixed {rest}".strip()
    return stays.start(), subject, f"{_stay(subject)} {rest}".strip()


def _left(text: str) -> tuple[int, str, str] | None:
    leave = _LEAVE.search(text)
    if leave is None:
        return None
    thing = leave["object"]
    how = leave["how"]
    if re.match(r"as it is\b", how) and _plural(_LEADING.sub("", thing)):
        how = "as they are" + how[len("as it is"):]
    return leave.start(), thing, f"left {how}"


def _named(thing: str, before: str) -> str | None:
    """The thing without its article, a pronoun replaced by what it stands for; None for a person or nothing."""
    thing = _LEADING.sub("", thing.strip())
    if _PRONOUN.fullmatch(thing):
        plural = _plural(thing)
        # "Leave them as they are" wants the last plural thing named, not the last thing.
        named = (named_thing(before), antecedent(before, thing.lower(), people=False))
        found = [_LEADING.sub("", t) for t in named if t]
        thing = next((t for t in found if _plural(t) == plural), "")
    return None if not thing or _PERSON.search(thing) else thing


def _how(rest: str) -> str:
    """Where or how it stays, up to the first aside: "with Northgate (the scheme's custodian)" loses the aside."""
    rest = re.split(r"\s*[(,;:!?–—]|\.(?!\d)|\s+(?:but|because|so|and|which|unless|until|as long as)\b", rest.strip(),
                    maxsplit=1)[0]
    return re.sub(r"\s+then$", "", " ".join(rest.split()[:8]), flags=re.IGNORECASE)


def _plural(thing: str) -> bool:
    last = thing.split()[-1].lower() if thing.split() else ""
    return last in ("them", "they", "those", "these", "things") or (last.endswith("s") and not last.endswith("ss"))


def _stay(subject: str) -> str:
    return "stay" if _plural(_LEADING.sub("", subject.strip())) else "stays"
