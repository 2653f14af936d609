"""Client questions that the "Whether ..." cues in `summary` miss, as raw phrases for its wording.

- **an elliptical question**: "And the margin?", "What about the arrangement fee?" asks about
  the thing it names: "The margin";
- **a claim put to the firm**: "My son said the accounts will all be frozen. Is that right?"
  or "my husband reckons it's covered as an outbuilding, and I'm not so sure" asks whether
  the claim holds: "Whether the accounts will all be frozen";
- **a topic named before the question**: "Covenants. Are you changing those?" asks whether
  the firm is changing the covenants: the bare fragment just before is what "those" means;
- **the verb after a dropped "do"**: "Does my diagnosis count?" is "whether my diagnosis
  counts", so the phrase reads as a sentence once "does" is gone.
"""

from __future__ import annotations

import re

# Words that make a clause a sentence, not a bare noun: "And the margin is too high?".
_VERB = (r"(?:is|are|was|were|will|would|can|could|should|has|have|had|do|does|did|be|been|going|get|gets|go|goes"
         r"|come|comes|need|needs|work|works|mean|means)\b")
_ELLIPTICAL = re.compile(r"^(?:(?:and|so|but|okay|ok|right|also),?\s+)*(?:what about\s+|how about\s+)?"
                         r"(?P<np>(?:the|my|our|your|this|that)(?:\s+(?!" + _VERB + r")[\w£$€%'’-]+){1,4})\s*\?$",
                         re.IGNORECASE)
_REPORTED = re.compile(
    r"\b(?:said|says|told me|tells me|reckons|thinks|thought|was told|were told|I(?:'ve|’ve| have) heard)\s+"
    r"(?:that\s+)?(?P<claim>[^.;?!]{8,140}?)(?=,?\s+(?:and|but|so|because)\s+(?:I|we)\b|[.;?!]|$)",
    re.IGNORECASE,
)
_CHECK = re.compile(r"^(?:(?:and|so|but),?\s+)?is (?:that|this|it) (?:right|true|correct|so|the case)\s*\?$"
                    r"|\bI(?:'m|’m| am) not (?:so |that |too )?sure\b", re.IGNORECASE)
_FRAGMENT = re.compile(r"^(?:(?:and|so|oh|right),?\s+)?(?P<topic>(?:the\s+)?[A-Za-z][\w-]+(?:\s+[\w-]+)?)[.?!]?$",
                       re.IGNORECASE)
_TOPIC_PRONOUN = re.compile(r"\b(?:those|them|these)\b(?=[^?]*\?$)", re.IGNORECASE)
_NOT_TOPICS = frozenset("thanks cheers yes please guess is was has does this always perhaps".split())
_NO_INFLECT = frozenset("be have can could will would should may might must shall need".split())


def elliptical(text: str) -> str | None:
    """The thing a bare noun question names ("And the margin?" is "the margin"), else None."""
    m = _ELLIPTICAL.match(text.strip())
    return m["np"] if m else None


def reported_claim(text: str, following: str = "") -> str | None:
    """A claim the client reports and then doubts or checks, as "whether <claim>", else None."""
    m = _REPORTED.search(text)
    if m is None or not (_CHECK.search(text[m.end():]) or _CHECK.search(following.strip())):
        return None
    return "whether " + m["claim"].strip()


def with_topic(question: str, before: str) -> str:
    """The question with "those"/"them" replaced by a bare topic fragment said just before it."""
    fragment = _FRAGMENT.match(before.strip())
    if fragment is None or not _TOPIC_PRONOUN.search(question):
        return question
    topic = fragment["topic"]
    # "those" stands for a plural: "Covenants." is a topic, "Lovely." and "Thanks." are not.
    if not topic.lower().endswith("s") or topic.lower() in _NOT_TOPICS:
        return question
    topic = topic if topic.lower().startswith("the ") else "the " + topic.lower()
    return _TOPIC_PRONOUN.sub(topic, question, count=1)


_INVERTED = re.compile(r"^(?P<pre>(?:\s+(?:much|many|long|often|soon|far))?)"
                       r"\s+(?P<aux>am|is|are|was|were|would|will|could|can|should|does|do|has|have)\s+(?P<subject>I|we|you|he|she|it|they|(?:the|my|our|your|his|her)"
                       r"\s+[\w-]+)\b(?P<tail>.*)$", re.IGNORECASE)
_PERSON_AUX = {"am": "is", "are": "is", "have": "has", "were": "was"}


def indirect(rest: str) -> str:
    """What follows a wh-word, in statement order: " would you do" -> " you would do", " does X need" -> " X needs".

    The client and the firm are one party each, so "I"/"we"/"you" take the singular verb the
    roles will need ("am I paying" -> "I is paying", read as "the client is paying").
    """
    m = _INVERTED.match(rest)
    if m is None:
        return rest
    aux, subject, tail = m["aux"].lower(), m["subject"], m["tail"]
    party = subject.lower() in ("i", "we", "you")
    if aux in ("do", "does"):
        third = party or aux == "does" or subject.lower() in ("he", "she", "it")
        return f"{m['pre']} {subject}{' ' + third_person(tail.strip()) if third else tail}"
    if party:
        aux = _PERSON_AUX.get(aux, aux)
    return f"{m['pre']} {subject} {aux}{tail}"


def third_person(rest: str) -> str:
    """The first verb of what follows a dropped "do"/"does", in the third person ("count" -> "counts")."""
    # An adverb before the verb stays as it is: "just send it" is "just sends it".
    adverb = re.match(r"(?:just|also|really|still|actually|only|ever|always|usually)\s+", rest)
    if adverb:
        return adverb.group(0) + third_person(rest[adverb.end():])
    m = re.match(r"(?P<verb>[a-z]+)\b", rest)
    if m is None or m["verb"] in _NO_INFLECT or m["verb"].endswith("s"):
        return rest
    verb = m["verb"]
    if re.search(r"(?:sh|ch|x|z|o)$", verb):
        verb += "es"
    elif re.search(r"[^aeiou]y$", verb):
        verb = verb[:-1] + "ies"
    else:
        verb += "s"
    return verb + rest[m.end():]
