"""Action wording: a clause in the speaker's voice rewritten as a task a person would write.

"I'll send you that form by Friday", said by Amira to Danny, becomes "Send Danny Kowalczyk
that form by Friday": the description is an imperative in the third person. The evidence
stays the exact source span; only the description is rewritten.

The steps, each small and conservative:

1. **Frame**: a need statement ("the other thing we'll need is a copy of...") becomes
   "Provide a copy of..."; a sign-off ("the refund needs sign-off from our fees team")
   becomes "Sign off the refund".
2. **Trim**: trailing purpose and condition clauses ("..., so you've got it all in writing",
   "..., assuming nothing strange comes back") are cut at their conjunction; they explain
   the task rather than state it, and the evidence keeps them.
3. **Resolve a bare object**: "Submit it today" takes its object from the conversation just
   before ("put forward a reduced payment plan" gives "Submit the reduced payment plan
   today"); "them" after "a charity called ClearPath" is ClearPath.
4. **Voices**: first person becomes the speaker, second person the person spoken to, "our
   claims team" becomes "the claims team"; initials in notes become the participant's name.
5. **Length**: a long description is cut at a clause boundary, never mid-word or on a
   dangling "to"/"the".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.rules.owners import OwnerResolver

MAX_CHARS = 180
"""Longest description; longer ones are cut at a clause boundary."""

_APOS = "['’]"

_NEED = re.compile(
    r"^(?:(?:and|so|also|then|the other thing|one more thing|one other thing|what)\s+)*"
    rf"(?:we|I)(?:{_APOS}ll| will|{_APOS}d| would)?\s+(?:also\s+)?need(?:s)?\s+(?:is\s+)?(?:from you\s+)?(?P<obj>.+)$",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"(?P<what>\b(?:the|this|that|your|my|our)\s[^,.;]{2,60}?)\s+(?:needs?|requires?|will need)\s+"
    r"(?:a\s+)?(?:sign-off|sign off|approval)\b",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r",?\s+(?:so that|so|assuming|even if|because|since|which means|while|in case|provided that|just so)\s+(?=\w)"
    r"|,\s+as\s+(?=(?:the|it|they|he|she|we|I|you|this|that)\b)"
    rf"|,\s+(?:and\s+)?(?:I|we)(?:{_APOS}(?:ll|ve|m|d)|\s+(?:will|have|am|can|would))\b"
    # A second sentence after a comma: "take it into the branch on Monday, my daughter can drive me".
    r"|,\s+(?:my|our|his|her|their|he|she|they)\b(?:\s+\w+){0,2}?\s+(?:can|will|could|would|is|are|has|have)\b",
    re.IGNORECASE,
)
# Emphasis and hedges say nothing about the task: "I'll call you myself on Friday", "I'll ring them
# myself, I think". A reflexive after a preposition is the task's person ("send a copy to myself").
_EMPHATIC = re.compile(r"(?<!\bto)(?<!\bfor)(?<!\bby)(?<!\bwith)(?<!\bfrom)(?<!\babout)"
                       r"\s+(?:myself|ourselves|yourself|yourselves|himself|herself|themselves)\b", re.IGNORECASE)
_HEDGE = re.compile(r",?\s+(?:I|we)\s+(?:think|guess|suppose|reckon|imagine|expect)$", re.IGNORECASE)
_MIN_WORDS_BEFORE_CUT = 4
_IDIOMS = (
    (re.compile(rf"\bas soon as (?:we{_APOS}re|we are) off the (?:phone|call)\b", re.IGNORECASE),
     "straight after the call"),
    (re.compile(rf"\bwhen (?:you{_APOS}re|you are) able(?: to)?\b", re.IGNORECASE), "when able"),
    (re.compile(r"\bbefore we meet\b", re.IGNORECASE), "before the meeting"),
    (re.compile(rf"\byou(?:{_APOS}re| are) both\b", re.IGNORECASE), "both are"),
    (re.compile(r"\byou both\b", re.IGNORECASE), "both"),
    (re.compile(r",?\s+then$", re.IGNORECASE), ""),
    # "...sign the form and send it in": returning it, without a dangling "in".
    (re.compile(r"\bsend (it|them) in$", re.IGNORECASE), r"return \1"),
    (re.compile(r"\band will\b", re.IGNORECASE), "and"),
    # Permission given is not part of the task: "go ahead and send me the transfer form".
    (re.compile(r"^(?:please\s+)?go ahead and\s+", re.IGNORECASE), ""),
    (re.compile(r"\bonce (?:the )?(\w+?)(s?) in$", re.IGNORECASE),
     lambda m: f"once the {m[1]}{m[2]} " + ("arrive" if m[2] else "arrives")),
    (re.compile(r"\bonce (?:the )?([\w -]{2,30}?) (is|are) in$", re.IGNORECASE),
     lambda m: f"once the {m[1]} " + ("arrive" if m[2].lower() == "are" else "arrives")),
)
# A task read out of speech ends where speech trails off. The tail is rewritten, or cut, so the task
# ends on a word a list would end on: "let him know where it's at" -> "let him know the latest position".
_WHERE_IT_IS = rf"where (?:it|things|that|this|the \w+)(?:{_APOS}s| is| has| are)(?: (?:got|gone|up))? (?:to|at)$"
_TAILS = (
    (re.compile(rf"\bknow {_WHERE_IT_IS}", re.IGNORECASE), "know the latest position"),
    (re.compile(rf"\b(?:with )?where (?:it|things|that|this|the \w+)(?:{_APOS}s| is| has| are)"
                r"(?: (?:got|gone|up))? (?:to|at)$", re.IGNORECASE), "with the latest position"),
    (re.compile(rf"\bhow (he|she|they|you|both|[A-Z]\w+)(?:{_APOS}s|{_APOS}re| is| are) getting on$", re.IGNORECASE),
     r"how \1 is doing"),
    # "Tell Philippa what the drawdown charges are" -> "Tell Philippa the drawdown charges".
    (re.compile(r"\bwhat ((?:the|his|her|their|its|your|my|our) [\w£$€%'’ -]{2,40}?) (?:is|are|were|was|will be)$",
                re.IGNORECASE), r"\1"),
    # "...for that", "...on that": the thing was named in the conversation, not in the task.
    (re.compile(r"^(?P<task>\S+(?:\s+\S+){3,}?)\s+(?:for|on|about|with|of) (?:that|this)$", re.IGNORECASE),
     r"\g<task>"),
    (re.compile(r"\bafter this$", re.IGNORECASE), "after the call"),
    (re.compile(r"^(Provide \S.*?) from (?:the )?(?:client|customer)$", re.IGNORECASE), r"\1"),
    # An aside after the task: "..., and usually it's much quicker than that".
    (re.compile(r",?\s+(?:and|but)\s+(?:usually|normally|often|generally|probably|hopefully)\b.*$", re.IGNORECASE), ""),
    # A notes account number stands for the account: "Re-title 4471", "Close 0932".
    (re.compile(r"^([A-Za-z-]+) (\d{3,6})$"), r"\1 account \2"),
)


def tidy_tail(text: str) -> str:
    """End an action's description on a word a task list would end on (see `_TAILS`)."""
    for pattern, replacement in _TAILS:
        text = pattern.sub(replacement, text).rstrip(" ,;")
    # "Go ahead and send the form": the go-ahead was the client's; the task is the sending.
    bare = re.sub(r"^(?:go ahead and|go on and)\s+(?=\w+ \w+ \w+)", "", text, flags=re.IGNORECASE)
    return bare[0].upper() + bare[1:] if bare else text
_DELIVERABLE_VERBS = (
    r"send|post|forward|submit|sign|return|upload|email|e-mail|provide|give|bring|fill in|complete|write up|prepare"
    r"|draw up|put forward|put in|read|check|review|attach|scan|raise|book|arrange|find|dig out|pull together"
)
_NP = (
    r"(?P<np>(?:the|a|an|one|your|my|our|his|her|their)\s+(?:[\w£$€%'’-]+\s+){0,6}?[\w£$€%'’-]+?"
    # "one copy of the certificate": the thing is what it is a copy of.
    r"(?:\s+of\s+(?:the|your|my|our|his|her|their)\s+[\w'’-]+(?:\s+[\w'’-]+)?(?=\s*[.,;:?!)]|\s+or\b))?)"
    r"(?=\s+(?:to|from|by|when|so|as|in|on|for|if|and|today|tomorrow|this|next|before|after|with|over|back|"
    r"that|which|within|asap|of|\w+ly)\b|\s*[.,;:?!)]|\s*$)"
)
_OBJECT_OF = re.compile(
    rf"\b(?:{_DELIVERABLE_VERBS})\s+(?P<to>(?:me|us|you|him|her|them)\s+)?(?:(?:over|back|across|through|up)\s+)?{_NP}",
    re.IGNORECASE,
)
# A thing said to be ready is the next thing sent: "The forecast is done, I'll email it over today".
_READY = re.compile(r"(?P<to>)\b(?P<np>(?:the|your|my|our)\s+(?:[\w'’-]+\s+){0,3}?[\w'’-]+)\s+(?:is|are|'s|’s)\s+"
                    r"(?:now\s+|all\s+)?(?:done|ready|finished|signed|complete|drafted|attached)\b", re.IGNORECASE)
# An organisation introduced by name: "a charity called ClearPath", "services like the Moneywise Trust".
_CALLED = re.compile(r"\b(?:called|named|like|such as)\s+"
                     r"(?P<name>(?:the\s+)?[A-Z][\w&'’-]*(?:\s+(?:&\s+)?[A-Z][\w&'’-]*){0,4})")
# Someone to ring named by what they are: "the gym takes a card payment... I'll ring them".
_PARTY = re.compile(
    r"\b(?P<name>(?:the|your|my|his|her|their)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:gym|club|landlord|letting agents?|estate agents?|builders?|solicitors?|accountant|employer|insurers?|"
    r"providers?|lenders?|council|school|nursery|university|suppliers?|registrar|executors?|surveyor|broker|garage))\b",
    re.IGNORECASE,
)
# ...or by the contract they hold: "There's her mobile phone contract. I'll ring them" rings its provider.
_HELD = re.compile(r"\b(?:the|your|my|his|her|their|a)\s+(?P<what>(?:[\w'’-]+\s+){0,3}?)"
                   r"(?:contract|subscription|membership)s?\b", re.IGNORECASE)
_PEOPLE_VERBS = frozenset("ask ring phone call email tell chase contact speak write remind pay thank".split())
_BARE = re.compile(
    r"^(?P<verb>[A-Za-z-]+(?:\s+(?:over|back|across|through|up|off|out|in))?)\s+(?P<pron>it|that|them|this|those)"
    # A pronoun, not a determiner: "stop that collection" names its object already.
    r"(?=\s+(?:over|back|to|into|onto|in|on|for|by|with|from|across|through|up|off|out|today|tomorrow|tonight|this|next|now"
    r"|later|as|when|before|after|first|asap|straight|once|within|and|again|in)\b|\s*[,.;:!?]|\s*$)",
    re.IGNORECASE,
)
_TEAM_WORDS = r"(?:[\w-]+\s+){0,3}?(?:team|desk|department|unit|people|colleagues?|specialists?|system|records?)"
_DETERMINER = re.compile(r"^(?:your|my|our|his|her|their|a|an|one)\s+", re.IGNORECASE)
_PERSON_WORDS = (
    "i'll i'm i've i'd you'll you're you've you'd we'll we're we've we'd i me my mine myself you your yours "
    "yourself we us our ours"
).split()


def _cased(word: str) -> str:
    # "US-reportable" and "OUR" as an acronym are not pronouns: only lower case or a capital first letter.
    if word.startswith("i") and (len(word) == 1 or word[1] == "'"):
        return "I" + word[1:].replace("'", _APOS)
    return f"[{word[0].upper()}{word[0]}]" + word[1:].replace("'", _APOS)


_VOICE = re.compile(
    r"\b(?P<w>" + "|".join(_cased(w) for w in _PERSON_WORDS) + r")\b(?![-'’]\w)"
    rf"(?:(?P<team>\s+{_TEAM_WORDS}\b)|(?P<verb>\s+(?:am|are|were|have|do|prefer|want|need|like|wish|mean|think"
    rf"|hope|feel|believe|understand|haven{_APOS}t|don{_APOS}t|aren{_APOS}t|weren{_APOS}t)\b))?",
)
_THIRD_PERSON = {"am": "is", "are": "is", "were": "was", "have": "has", "do": "does", "prefer": "prefers",
                 "want": "wants", "need": "needs", "like": "likes", "wish": "wishes", "mean": "means",
                 "think": "thinks", "hope": "hopes", "feel": "feels", "believe": "believes",
                 "understand": "understands", "haven't": "hasn't", "don't": "doesn't", "aren't": "isn't",
                 "weren't": "wasn't"}
"""A person named in place of "I" or "you" takes the verb's third person ("whichever you prefer")."""
_INITIALS = re.compile(r"\b[A-Z]{2,4}\b")
_DANGLING = frozenset(
    "a an the to by for and or of with at on in from into that this his her their its be is are as if but so about up"
    .split()
)


@dataclass(frozen=True)
class Voices:
    """Who "I" and "you" are in the clause being rewritten."""

    speaker: str | None
    """The speaker's name (first person)."""
    speaker_is_firm: bool
    """Whether "we" and "our" are the firm (else the speaker's household or business)."""
    addressee: str | None
    """The name of the person spoken to (second person)."""


def task_wording(body: str, *, voices: Voices, before: str, resolver: OwnerResolver, clause: str = "") -> str:
    """The description of an action as a task: imperative, third person, whole clauses.

    Args:
        body: The clause from the action's verb on ("send you that form by Friday").
        voices: Who the first and second person are.
        before: The conversation just before the clause (where a bare "it" gets its object).
        resolver: The interaction's participants (initials in notes become names).
        clause: The whole clause, for need statements and sign-offs.

    Returns:
        The rewritten description.
    """
    text = re.sub(r"[\s.?!,;]+$", "", " ".join(_frame(body, clause).split()))
    text = _HEDGE.sub("", _EMPHATIC.sub("", text)).strip()
    text = _trim(text)
    for pattern, replacement in _IDIOMS:
        text = pattern.sub(replacement, text)
    text = _resolve_bare_object(text, before)
    text = _acknowledged(text, before)
    text = _about_that(text, before)
    text = _voices(text, voices)
    text = _INITIALS.sub(lambda m: _name_of_initials(m[0], resolver), text)
    text = _shorten(re.sub(r"[\s.?!,;:]+$", "", text).strip())
    return text[0].upper() + text[1:] if text else body


_WANT = re.compile(
    rf"^(?:[^,]{{0,40}},\s*)?(?:but\s+)?(?:I|we)(?:{_APOS}d| would)?\s+(?:really\s+)?(?:need|want|like)\s+"
    r"(?:you\s+)?to\s+(?P<rest>.+)$",
    re.IGNORECASE,
)


def _frame(body: str, clause: str) -> str:
    whole = " ".join(clause.split())
    want = _WANT.match(whole)
    if want and body.strip() == clause.strip():
        return want["rest"]
    need = _NEED.match(whole)
    if need and len(need["obj"].split()) >= 2:
        return "Provide " + need["obj"]
    # A passive promise written as its work: "refund the £349.99 will be refunded to your account" -> "refund
    # the £349.99 to your account".
    passive = re.match(r"^(?P<verb>[a-z]+(?: back)?)\s+(?P<what>.+?)\s+will\s+be\s+[a-z]+ed(?: back)?\s+(?P<rest>.+)$",
                       body.strip(), re.IGNORECASE)
    if passive:
        return f"{passive['verb']} {passive['what']} {passive['rest']}"
    signoff = _SIGNOFF.search(whole)
    if signoff and body.strip() == clause.strip():
        return "Sign off " + re.sub(r"^(?:this|that)\s+", "the ", signoff["what"], flags=re.IGNORECASE)
    return body


def _trim(text: str) -> str:
    for m in _TRAILING.finditer(text):
        if len(text[: m.start()].split()) >= _MIN_WORDS_BEFORE_CUT:
            return text[: m.start()]
    return text


def _resolve_bare_object(text: str, before: str) -> str:
    bare = _BARE.match(text)
    if bare is None:
        return text
    verb = bare["verb"].split()[0].lower()
    # Only "them" can be people: "email it over" sends a thing, "ring them" rings someone.
    pronoun = bare["pron"].lower()
    people = verb in _PEOPLE_VERBS and pronoun == "them"
    object_ = (None if people else _same_verb_object(before, verb)) or antecedent(before, pronoun, people=people)
    if object_ is None:
        return text
    return text[: bare.start("pron")] + object_ + text[bare.end("pron") :]


_REFLEXIVE_END = re.compile(r"\s+(?:myself|yourself|ourselves|yourselves|himself|herself|themselves)$", re.IGNORECASE)


def _same_verb_object(before: str, verb: str) -> str | None:
    """What the same verb took just before: "You can do the top-up yourself... I'll do it tonight"."""
    window = " ".join(before[-700:].split())
    found = list(re.finditer(rf"\b{re.escape(verb)}\s+{_NP}", window, re.IGNORECASE))
    if not found or re.fullmatch(r"(?:the|a|an)\s+(?:one|other|same|thing|rest)", found[-1]["np"], re.IGNORECASE):
        return None
    np = _REFLEXIVE_END.sub("", found[-1]["np"])
    np = re.sub(r"\b(?:your|my|our)\b", "the", np, flags=re.IGNORECASE)
    return re.sub(r"^The\b", "the", _DETERMINER.sub("the ", np))


_ACKNOWLEDGE = re.compile(r"\b(?P<verb>acknowledge|handling|dealing with|looking into|investigating)"
                          r"\s+(?:it|this|that)\b", re.IGNORECASE)
_ACKNOWLEDGEABLE = re.compile(r"\b(?:complaint|claim|request|instruction|application)\b", re.IGNORECASE)


def _acknowledged(text: str, before: str) -> str:
    """What is acknowledged or handled is the complaint, claim or request named just before.

    "Customer Relations will write to you within three business days to acknowledge it", after
    "Your complaint reference is CMP-20481", acknowledges the complaint.
    """
    named = list(_ACKNOWLEDGEABLE.finditer(before[-400:]))
    if not named or not _ACKNOWLEDGE.search(text):
        return text
    return _ACKNOWLEDGE.sub(lambda m: f"{m['verb']} the {named[-1][0].lower()}", text)


_ABOUT_THAT = re.compile(r"\babout (?:that|this|it)\b", re.IGNORECASE)
# The subject of the sentence just before: "One other thing: my address is changing next month".
_SUBJECT = re.compile(r"(?:^|[:;]\s*)(?:(?:and|but|also|so)\s+)?(?:my|our|the|his|her|their)\s+"
                      r"(?P<what>(?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:is|are|was|were|has|have|will)\s+(?P<verb>\w+)",
                      re.IGNORECASE)


def _about_that(text: str, before: str) -> str:
    """"About that" after "my address is changing" is about the address change (the subject of the sentence before)."""
    if not _ABOUT_THAT.search(text):
        return text
    # The last whole sentence: `before` may end with the clause's own opening ("I'll").
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(before.split())) if re.search(r"[.!?]$", s)]
    subject = _SUBJECT.search(sentences[-1]) if sentences else None
    if subject is None or subject["what"].lower() in _PERSON_WORDS:
        return text
    what = subject["what"] + (" change" if subject["verb"].lower() == "changing" else "")
    return _ABOUT_THAT.sub(f"about the {what}", text, count=1)


def antecedent(before: str, pronoun: str, *, people: bool) -> str | None:
    """The thing a bare pronoun most likely stands for: the last deliverable named just before.

    After a verb of contact ("ring them", "ask them") it is an organisation introduced by name
    ("a charity called ClearPath"), or nothing: a deliverable is never the one rung.
    """
    window = " ".join(before[-700:].split())
    if people:
        if pronoun != "them":
            return None
        # The last party named: by name ("a charity called ClearPath"), by role ("the gym"), or
        # by what they provide ("her mobile phone contract" is its provider).
        named = [(m.start(), m["name"]) for m in [*_CALLED.finditer(window), *_PARTY.finditer(window)]]
        named += [(m.start(), "the " + (m["what"] or "") + "provider") for m in _HELD.finditer(window)]
        if not named:
            return None
        name = max(named)[1]
        return re.sub(r"^(?:The|your|my|his|her|their)\b", "the", name, flags=re.IGNORECASE) if \
            re.match(r"(?i:the|your|my|his|her|their)\s+[a-z]", name) else name
    found = [m for m in [*_OBJECT_OF.finditer(window), *_READY.finditer(window)]
             if not re.fullmatch(r"(?:the|a|an)\s+(?:one|other|same|thing|rest)", m["np"], re.IGNORECASE)]
    found.sort(key=lambda m: m.start())
    if not found:
        return None
    # Something handed to a person ("send us the invoice") is the likelier thing to post or sign
    # than a step in between ("send a request to the team").
    sent = [m for m in found if m["to"]]
    # Said by someone else, its "your passport" is not this speaker's: possessives become "the".
    # ...unless the last thing named was said to be ready just now: that is what goes next.
    chosen = found[-1] if found[-1].re is _READY else (sent or found)[-1]
    np = re.sub(r"\b(?:your|my|our)\b", "the", chosen["np"], flags=re.IGNORECASE)
    return re.sub(r"^The\b", "the", _DETERMINER.sub("the ", np))  # it sits mid-sentence


def _voices(text: str, voices: Voices) -> str:
    speaker = voices.speaker or ("the firm" if voices.speaker_is_firm else "the client")
    addressee = voices.addressee or ("the client" if voices.speaker_is_firm else "the firm")
    group = "the firm" if voices.speaker_is_firm else speaker
    mentioned: set[str] = set()

    def name(full: str) -> str:
        # Full name on first mention, first name after ("Call Danny Kowalczyk ... Danny's number").
        if full in mentioned and " " in full and not full.startswith("the "):
            return full.split()[0]
        mentioned.add(full)
        return full

    def possessive(full: str) -> str:
        written = name(full)
        return written + ("’" if written.endswith("s") and not written.startswith("the ") else "’s")

    def swap(m: re.Match[str]) -> str:
        word = m["w"].lower().replace("’", "'")
        team = m["team"] or ""
        if word in ("our", "my", "your") and team:
            return "the" + team  # "our claims team" is the claims team, whoever says it
        table = {
            "i'll": lambda: name(speaker) + " will", "i'm": lambda: name(speaker) + " is",
            "i've": lambda: name(speaker) + " has", "i'd": lambda: name(speaker) + " would",
            "i": lambda: name(speaker), "me": lambda: name(speaker), "myself": lambda: name(speaker),
            "my": lambda: possessive(speaker), "mine": lambda: possessive(speaker),
            "you'll": lambda: name(addressee) + " will", "you're": lambda: name(addressee) + " is",
            "you've": lambda: name(addressee) + " has", "you'd": lambda: name(addressee) + " would",
            "you": lambda: name(addressee), "yourself": lambda: name(addressee),
            "your": lambda: possessive(addressee), "yours": lambda: possessive(addressee),
            "we'll": lambda: group + " will", "we're": lambda: group + " is", "we've": lambda: group + " has",
            "we'd": lambda: group + " would", "we": lambda: group,
            "us": lambda: name(speaker) if voices.speaker else group,
            "our": lambda: possessive(group) if not voices.speaker_is_firm else "the firm’s",
            "ours": lambda: possessive(group),
        }
        written = table[word]() + team
        verb = m["verb"]
        after_modal = re.search(r"\b(?:would|will|can|could|should|shall|may|might|must|do|does|did)\s+$",
                                m.string[: m.start()], re.IGNORECASE)
        if verb and word in ("i", "you") and written != "the firm" and not after_modal:
            return f"{written} {_THIRD_PERSON[verb.strip().lower().replace('’', chr(39))]}"
        return written + (verb or "")

    return _VOICE.sub(swap, text)


def _name_of_initials(initials: str, resolver: OwnerResolver) -> str:
    participant = resolver.participant(initials)
    return participant.name if participant is not None else initials


def _shorten(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = max(text.rfind(", ", 0, MAX_CHARS), text.rfind(" and ", 0, MAX_CHARS), text.rfind("; ", 0, MAX_CHARS))
    if cut < MAX_CHARS // 2:
        cut = text.rfind(" ", 0, MAX_CHARS)
    return _drop_dangling(text[:cut])


def _drop_dangling(text: str) -> str:
    words = text.rstrip(" ,;:-").split()
    while len(words) > 3 and words[-1].lower().strip(".,") in _DANGLING:
        words.pop()
    return " ".join(words)
