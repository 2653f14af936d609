"""The client's sentiment, from the feelings they put into words, or `unknown` when they show none.

A fraud call is not "positive" because someone said thanks: only the client's own words count,
and courtesy wrapped around a request ("I'd really appreciate it") is no feeling. Meeting notes
are in the author's words, so there the author's report of the client counts as the client's
("GW unhappy that the Sept statement arrived 3 weeks late").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause
from pipeline.schemas import Sentiment

_NEGATIVE = re.compile(r"\b(?:not happy|fed up|unacceptable|not acceptable|complaint|angry|screaming|worried|upset|"
                       r"dreading|scam|fraud\w*|disappointed|frustrat\w+|distress\w*|died|passed away|"
                       r"struggling|unhappy|annoy(?:ed|s|ing)|let down)\b", re.IGNORECASE)
_POSITIVE = re.compile(r"\b(?:thanks a million|brilliant|wonderful|lovely|perfect|splendid|very clear|"
                       r"comfortable|relief|relieved|happy with|really helpful|appreciate it)\b", re.IGNORECASE)

# Politeness wrapped around a request is not a feeling: "could you waive the fee? I'd really appreciate it".
_COURTESY = re.compile(r"\b(?:I|we)(?:'d|’d| would) (?:really |very much |so |greatly )?appreciate\b[^.?!\n]*"
                       r"|\bthanks in advance\b", re.IGNORECASE)


def client_sentiment(client_text: str) -> Sentiment:
    """The client's sentiment from what they say they feel; courtesy around a request counts for nothing."""
    client_text = _COURTESY.sub(" ", client_text)
    negative = len(_NEGATIVE.findall(client_text))
    positive = len(_POSITIVE.findall(client_text))
    if negative and positive:
        return "mixed" if positive >= negative else "negative"
    return "negative" if negative else "positive" if positive else "unknown"


# A note's line about a participant opens with their initials or name: "GW unhappy that...".
_NOTED_ABOUT = re.compile(r"^[-•*>\s]*(?P<who>[A-Z]{2,4}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)\b")


def noted_of_client(clauses: Iterable[Clause], resolver: OwnerResolver) -> str:
    """The lines of meeting notes that report on a client-side participant ("GW unhappy that...")."""
    about = [(c, _NOTED_ABOUT.match(c.text)) for c in clauses]
    return " ".join(c.text for c, m in about if m and resolver.side(m["who"]) == "client")
