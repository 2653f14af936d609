"""What a question asks about a thing, and whether a passage states it.

"What is the fee for a CHAPS payment?" asks for a property (the fee) of a thing (a CHAPS
payment). `knowledge.answerability` treats a passage that names the thing but never states
the property as a near miss (`attribute_gap`, `attribute_missing`); `knowledge.near_miss`
words the honest abstention from the same reading (`asked_property`, `asked_part`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from knowledge.bm25 import tokenize
from knowledge.relevance import TIME_FIGURE, holds
from knowledge.schemas import Passage
from knowledge.sentences import quotable_sentences
from pipeline.text import STOPWORDS

GENERIC_MODIFIERS = frozenset(
    """new higher lower bigger smaller own other existing old usual standard normal extra additional first next
    last same""".split()
)
"""Words before a product noun that qualify it without naming another product ("a higher overdraft")."""

GENERIC_STEMS = frozenset(tokenize(" ".join(GENERIC_MODIFIERS)))

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
"""A word, with inner hyphens and apostrophes ("top-up", "customer's")."""


def asked_part(question: str) -> str:
    """The sentences that ask (ending in "?"), without the situation told before them; all if none does."""
    sentences = re.findall(r"[^.?!]+[.?!]*", question)
    asking = [x for x in sentences if x.rstrip().endswith("?")]
    return " ".join(asking) if asking else question


_ENTITY = r"(?:a\s+|an\s+|the\s+|our\s+)?(?P<entity>[\w\s'’&-]+?)"
_ENTITY_END = r"(?:\s+(?:for|with|if|when|that|to|into|from|placed|made|in|by|over|under)\b|[?,.;]|$)"
_PROPERTY = r"(?P<attribute>[\w\s'’-]+?)"
_ATTRIBUTE_FORMS = (
    # "What's the monthly fee on the Premier account?"
    re.compile(
        rf"\b(?:what(?:'s|’s| is| are)|how much (?:is|are))\s+(?:the\s+)?{_PROPERTY}\s+(?:on|for|of|at|with)\s+"
        rf"{_ENTITY}{_ENTITY_END}",
        re.IGNORECASE,
    ),
    # "Is there an early repayment charge on the business term loan?"
    re.compile(
        rf"\b(?:is|are) there\s+(?:a\s+|an\s+|any\s+)?{_PROPERTY}\s+(?:on|for|with|at)\s+{_ENTITY}{_ENTITY_END}",
        re.IGNORECASE,
    ),
    # "What late fee does the Classic card charge?"; "What fee do we charge for a CHAPS payment?" is
    # the CHAPS payment's fee: what is charged for (`object`) is the thing when named.
    re.compile(
        rf"\bwhat\s+{_PROPERTY}\s+(?:does|do|will)\s+{_ENTITY}\s+charges?\b"
        rf"(?:\s+(?:for|on)\s+(?:a\s+|an\s+|the\s+)?(?P<object>[\w\s'’&-]+?){_ENTITY_END})?",
        re.IGNORECASE,
    ),
    # "What is Harbour & Vale Bank's share price today?"
    re.compile(
        r"\bwhat(?:'s|’s| is| are)\s+(?:the\s+|our\s+)?(?P<entity>[\w\s&-]+?)['’]s?\s+(?P<attribute>[\w\s-]+?)"
        r"(?:\s+(?:today|now|currently|at the moment|this year)\b|[?,.;]|$)",
        re.IGNORECASE,
    ),
    # "What time does the staff canteen open?": the opening (or closing) time of the thing.
    re.compile(rf"\b(?:what time|when)\s+(?:does|do|will)\s+{_ENTITY}\s+(?P<attribute>open|close)\b", re.IGNORECASE),
    # "How long does a cheque take to clear?": the time the thing takes to do it (a phrase with a stopword,
    # "to turn round an illustration", is left out like any property with one). A sentence naming the
    # thing with a duration gives it too, however it words the doing (`_TAKES_TIME`).
    re.compile(
        rf"\bhow long (?:does|do|will|would)\s+{_ENTITY}\s+(?:usually\s+|normally\s+)?take\s+to\s+{_PROPERTY}"
        r"(?:[?,.;]|$)",
        re.IGNORECASE,
    ),
    # "What minimum font size counts as large print?", "What reimbursement cap applies to an APP scam payment?"
    re.compile(
        rf"\bwhat\s+{_PROPERTY}\s+(?:applies|apply|counts|count|is needed|are needed|is used|are used)\s+"
        rf"(?:to|as|for)\s+{_ENTITY}{_ENTITY_END}",
        re.IGNORECASE,
    ),
)
"""The question forms that ask for a property of a thing, each with its `attribute` and `entity`."""

_TAKES_TIME = _ATTRIBUTE_FORMS[5]

_OBJECT_START = (
    r"(?:(?:for|to|on|with|into|from|about)\s+)?(?:a\s+|an\s+|the\s+|their\s+|his\s+|her\s+|our\s+|my\s+|your\s+)?"
)

_OBJECT_FORMS = (
    # "How do we update a customer's surname after they get married?"
    re.compile(
        r"\bhow (?:do|does|can|should|would|could|must)\s+(?:i|we|you|they|staff|someone|customers|"
        r"(?:a|the) (?:customer|client|colleague))\s+(?P<attribute>[a-z]+)\s+"
        rf"{_OBJECT_START}(?P<entity>[\w\s'’&-]+?)"
        r"(?:\s+(?:on|for|with|if|when|after|before|that|to|into|from|in|by|at|over|under|so)\b|[?,.;]|$)",
        re.IGNORECASE,
    ),
    # "What checks do I need to change a customer's mobile phone number on file?"
    re.compile(
        r"\bwhat\s+(?:checks|documents|steps|proof|evidence|id)\s+(?:do|does|must|should)\s+(?:i|we|you|they)\s+"
        r"(?:need|have)\s+to\s+(?:do\s+to\s+)?(?P<attribute>[a-z]+)\s+"
        rf"{_OBJECT_START}(?P<entity>[\w\s'’&-]+?)"
        r"(?:\s+(?:on|for|with|if|when|after|before|that|to|into|from|in|by|at|over|under|so)\b|[?,.;]|$)",
        re.IGNORECASE,
    ),
)
"""Question forms that ask how to do something to a thing (`attribute` the doing, `entity` the thing): a
passage that never names the thing in one sentence describes doing it to something else."""

VAGUE_PROPERTIES = frozenset(
    tokenize("way ways option options process procedure form forms anything something reason problem issue need")
)
"""Words that do not name a property ("Is there a way for a customer to..." asks how, not for a property)."""


class AskedProperty(NamedTuple):
    """What a question asks of a thing: `prop` of `thing`, and how a passage can give it."""

    prop: str
    thing: str
    kind: str
    """`property` (a sentence names the property with the thing), `duration` (how long the thing takes to
    do something: a duration may give it) or `object` (how to do something to the thing: a sentence names it)."""


def asked_property(question: str) -> AskedProperty | None:
    """The property and thing of the first of `_ATTRIBUTE_FORMS` (or `_OBJECT_FORMS`) the asking sentences take."""
    asked = asked_part(question)
    for form in _ATTRIBUTE_FORMS:
        match = form.search(asked)
        if match is None:
            continue
        attribute = match["attribute"]
        if any(w.lower() in STOPWORDS for w in WORD.findall(attribute)):
            continue
        if not attribute or set(tokenize(attribute)) & VAGUE_PROPERTIES:
            continue
        thing = match.groupdict().get("object") or match["entity"]
        return AskedProperty(attribute.strip(), thing.strip(), "duration" if form is _TAKES_TIME else "property")
    for form in _OBJECT_FORMS:
        match = form.search(asked)
        if match is None:
            continue
        # A possessive names an owner ("a customer's surname" is a surname).
        thing = re.sub(r"^.*?\b[\w-]+['’]s?\s+", "", match["entity"].strip())
        if thing and not set(tokenize(thing)) & VAGUE_PROPERTIES:
            return AskedProperty(match["attribute"], thing, "object")
    return None


PRICE_WORDS = frozenset(tokenize("fee fees charge charges cost costs price prices rate rates interest apr aer"))
"""Words for what something costs: any of them, or an amount, in the sentence gives a price ("costs 25 GBP")."""

_PRICED = re.compile(
    r"£\s?\d|\d\s?%|\d+(?:[.,]\d+)?\s?(?:GBP|EUR|USD)\b|\b(?:GBP|EUR|USD)\s?\d|\bfree\b", re.IGNORECASE
)
"""An amount, or "free" ("Bacs payments are free" answers "Is there a fee for a Bacs payment?")."""

AMOUNT_WORDS = frozenset(tokenize("least most maximum minimum much many amount cap"))
TIME_WORDS = frozenset(tokenize("deadline latest earliest long soon time date"))
FIGURE_WORDS = AMOUNT_WORDS | TIME_WORDS | frozenset(tokenize("figure thing"))
"""Words that ask for a figure rather than name a property; a passage states the figure, not the word, and a
sentence giving it holds a figure of that kind (an amount for `AMOUNT_WORDS`, a time for `TIME_WORDS`)."""


def attribute_missing(question: str, passages: Sequence[Passage]) -> float:
    """1 when the question asks for a property of a thing and no passage names both (see `attribute_gap`)."""
    return 1.0 if attribute_gap(question, passages) else 0.0


def attribute_gap(question: str, passages: Sequence[Passage]) -> tuple[str, str] | None:
    """The `(property, thing)` a question asks for when no passage names both, else None.

    "The monthly fee on the Premier account" needs a passage about accounts with a sentence holding
    "monthly fee" and "Premier" (or "Premier" in its section heading). 0 when one does, or when the question
    is not of that form (the property is a run of words with no stopword: "the least a
    cardholder has to pay" is not one). The property's figure-asking words ("maximum",
    "deadline") are left out: a passage gives the figure, not the word; and a price ("fee",
    "rate", "charge") is given by any price word or an amount ("A CHAPS payment costs 25 GBP"
    gives the CHAPS fee), while its other words ("early repayment" fee) must be there.
    """
    asked = asked_property(question)
    if asked is None:
        return None
    prop, thing, kind = asked
    entity = tokenize(thing)
    if kind == "object":
        return _object_gap(asked, passages)
    attribute = [t for t in tokenize(prop) if t not in FIGURE_WORDS]
    if not attribute or not entity:
        return None
    asked_words = set(tokenize(prop))
    figure = _AMOUNT if asked_words & AMOUNT_WORDS else TIME_FIGURE if asked_words & TIME_WORDS else None
    # The naming words ("Bacs" in "Bacs payment") must come with the property, in its sentence or
    # the section heading; the kind of thing (the last word, "payment") anywhere in the passage.
    naming = entity[:-1] or entity
    specific = [t for t in attribute if t not in PRICE_WORDS]
    for p in passages:
        heading = set(tokenize(p.heading or ""))
        if not all(holds(heading | set(tokenize(p.text)), t) for t in entity):
            continue
        for sentence in quotable_sentences(p.text):
            terms = set(tokenize(sentence.text))
            priced = len(specific) < len(attribute) and (terms & PRICE_WORDS or _PRICED.search(sentence.text))
            gives = all(holds(terms, t) for t in specific) and (priced or all(holds(terms, t) for t in attribute))
            gives = gives and (figure is None or bool(figure.search(sentence.text)))
            # A duration gives how long the thing takes to do it, however the doing is worded.
            gives = gives or (kind == "duration" and bool(TIME_FIGURE.search(sentence.text)))
            if gives and all(holds(terms | heading, t) for t in naming):
                return None
    return prop, thing


_AMOUNT = re.compile(r"£\s?\d|\d\s?%|\b\d[\d,.]*\b")


def _object_gap(asked: AskedProperty, passages: Sequence[Passage]) -> tuple[str, str] | None:
    """`(doing, thing)` when no sentence or section heading of the passages names every word of the thing."""
    entity = [t for t in tokenize(asked.thing) if t not in GENERIC_STEMS]
    if not entity:
        return None
    for p in passages:
        lines = [set(tokenize(p.heading or "")), *(set(tokenize(s.text)) for s in quotable_sentences(p.text))]
        if any(all(holds(terms, t) for t in entity) for terms in lines):
            return None
    return asked.prop, asked.thing
