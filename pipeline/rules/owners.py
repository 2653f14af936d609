"""Owner resolution: turn "BK", "Arjun", "our claims team" into a participant or a named team.

The labelling guide's contract is that an owner is either a participant's full name exactly
as listed, or a team written `<Name> team`. Everything here maps surface forms onto that:

- full names, first names, surnames and email display names resolve to the participant;
- initials resolve by every plausible reading of a name: "Mei-Lin Tan" answers to MLT and
  MT, "Soo-jin Rhee" to SJR and SR, so notes written either way resolve;
- a team phrase keeps its own words with the first letter capitalised ("our payments security
  team" -> "Payments security team"); departments spoken without the word "team" ("trade
  services will issue...") get it appended.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.schemas import Participant

# Nouns that name a department when they end a subject ("Trade services will...").
DEPARTMENT_NOUNS = ("team", "desk", "department", "services", "operations", "underwriting", "unit")
TEAM_PHRASE = re.compile(
    r"\b(?:our|the|your)\s+(?P<name>(?:[A-Za-z][\w&-]*\s+){0,3}?(?:team|desk|department|unit))\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def initials_of(name: str) -> set[str]:
    """Every initials form a note might use for `name`, upper case."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    by_word = "".join(w[0] for w in words)
    by_part = "".join(p[0] for w in words for p in w.split("-") if p)
    forms = {by_word.upper(), by_part.upper()}
    if len(words) > 2:
        forms.add((words[0][0] + words[-1][0]).upper())
    return {f for f in forms if len(f) >= 2}


class OwnerResolver:
    """Resolve names, initials and team phrases against one interaction's participants."""

    def __init__(self, participants: list[Participant]) -> None:
        self.participants = participants
        self._by_key: dict[str, Participant | None] = {}
        for p in participants:
            keys = {_fold(p.name)}
            words = p.name.split()
            if words:
                keys.add(_fold(words[0]))
                keys.add(_fold(words[-1]))
            for key in keys:
                # A key shared by two participants is ambiguous: resolve it to nobody.
                self._by_key[key] = None if key in self._by_key and self._by_key[key] is not p else p
        self._initials: dict[str, Participant | None] = {}
        for p in participants:
            for form in initials_of(p.name):
                self._initials[form] = None if form in self._initials and self._initials[form] is not p else p

    def side(self, mention: str | None) -> str | None:
        """The side ("firm" or "client") of the participant a mention refers to, if known."""
        p = self.participant(mention)
        return p.side if p else None

    def participant(self, mention: str | None) -> Participant | None:
        """The participant a name, first name, display name or initials refer to, if unambiguous."""
        if not mention:
            return None
        mention = mention.strip().strip(",.:")
        if re.fullmatch(r"[A-Z]{2,4}", mention):
            return self._initials.get(mention)
        folded = _fold(mention)
        for p in self.participants:
            if _fold(p.name) == folded:
                return p
        if folded in self._by_key:
            return self._by_key[folded]
        # The leading words of a name ("Mei Lin" for "Mei Lin Foster"), if only one name starts so.
        words = folded.split()
        if len(words) >= 2:
            starts = [p for p in self.participants if _fold(p.name).split()[: len(words)] == words]
            if len(starts) == 1:
                return starts[0]
        # Email display names like "Lindley Life claims" or an address local part.
        local = folded.split("@")[0].replace(".", " ").replace("_", " ")
        for p in self.participants:
            if _fold(p.name) == local or _fold(p.name).replace("-", " ") == local:
                return p
        return None

    def side_of(self, name: str) -> str:
        """The side of a participant name; teams and unknown names are firm-side."""
        p = self.participant(name)
        return p.side if p else "firm"


# A team named in passing: "our bereavement team", "the Onboarding team", "payments ops team".
# A preposition or article is never part of the name: "a referral with our fraud team" names the fraud team.
_NAMED_TEAM = re.compile(r"\b(?:(?:our|the|your)\s+)?(?P<name>(?:(?!(?:with|to|from|for|by|at|in|on|of|our|the|your|my"
                         r"|a|an|and|or)\b)[A-Za-z][\w&/-]*\s+){0,3}?(?:team|desk|department))\b",
                         re.IGNORECASE)
_ROLE_OF_TEAM = re.compile(r"^an?\s+(?P<dept>[\w-]+)\s+(?:handler|adviser|advisor|specialist|assessor|caseworker"
                           r"|case worker)$", re.IGNORECASE)


def last_team_named(text: str) -> str | None:
    """The last specific team `text` names ("our bereavement team" -> "Bereavement team"), if any.

    A bare "the team" or "our team" names no team: it refers back to one, so it is skipped.
    """
    names = [team_name(m["name"]) for m in _NAMED_TEAM.finditer(text)]
    named = [n for n in names if n and n.lower() not in {"team team", "my team", "a team"}
             and not re.match(r"^(?:the|our|your|my|a|this|that)\b", n, re.IGNORECASE)]
    return named[-1] if named else None


def role_team(who: str) -> str | None:
    """'a claims handler' -> 'Claims team': someone in a department, named by role, does its work."""
    m = _ROLE_OF_TEAM.match(who.strip())
    return team_name(m["dept"]) if m else None


# Notes shorten department names: "payments ops" is the payments operations team, "u/w" underwriting.
_TEAM_ABBREVIATIONS = ((re.compile(r"\bops\b", re.IGNORECASE), "operations"),
                       (re.compile(r"(?<![\w/])u/w(?![\w/])", re.IGNORECASE), "underwriting"))


def expand_team_abbreviations(text: str) -> str:
    """Write a department's shortened name in full: 'payments ops' -> 'payments operations'."""
    for pattern, full in _TEAM_ABBREVIATIONS:
        text = pattern.sub(full, text)
    return text


def team_name(words: str) -> str:
    """Format a team phrase as '<Name> team': 'payments security team' -> 'Payments security team'."""
    # "my colleague in operations", "someone from our claims team": the work falls to the team.
    words = re.sub(
        r"^(?:(?:and|so|then|but|also|now)\s+)*(?:my|our|a|one of (?:my|our)|the)?\s*(?:colleagues?|someone|somebody"
        r"|people|person|specialists?|team ?mates?)\s+(?:in|from|on|at)\s+",
        "",
        words.strip(),
        flags=re.IGNORECASE,
    )
    words = re.sub(r"^(?:(?:and|so|then|but|also|now)\s+)*(?:our|the|your)\s+", "", words.strip(), flags=re.IGNORECASE)
    words = re.sub(r"\s+(?:team|desk|department|unit)$", "", words, flags=re.IGNORECASE)
    words = re.sub(r"['’]s$", "", words)
    words = expand_team_abbreviations(words)
    if not words:
        return ""
    return f"{words[0].upper()}{words[1:]} team"


_PERSON_MENTION = re.compile(r"\b[A-Z]{2,4}\b|\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?\b")


def last_person_named(text: str, resolver: OwnerResolver, *, besides: str | None = None) -> str | None:
    """The participant last named in `text` (full name, first name or initials), other than `besides`.

    Notes write of the client in the third person: in "KO asked about CGT. Told her we can't advise
    -> she'll raise it with her accountant", "she" is KO.
    """
    for m in reversed(list(_PERSON_MENTION.finditer(text))):
        p = resolver.participant(m.group())
        if p is not None and p.name != besides:
            return p.name
    return None
