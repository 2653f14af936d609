"""What a resolver sees: the reference date, the reading convention, and the text around a match."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pipeline.schemas import Due, RangeKind

Convention = Literal["due", "calendar"]
"""How a date phrase is read.

- `due`: as the labelling guide reads a deadline. "This week" and "next week" are that
  week's Friday; a date written without a year is the next one, unless the sentence is in
  the past tense and the last one is nearer; phrases wholly before the reference are not
  returned, because a due date is never in the past.
- `calendar`: as NLU++ (and Duckling, which its values follow) reads a time reference.
  Weeks, months, quarters and years are ranges; past references are returned; a month still
  running counts as this one ("6th of March" on 15 March is 6 March); a named weekday fixes
  the year ("Friday, October the 16th"); tense is ignored, as NLU++ ignores it ("I submitted
  it on Nov the 16th" is next November); "before X" is X itself.
"""

Period = tuple[date, date, RangeKind]
"""A window: first day, last day (inclusive) and how it was stated."""
Resolved = date | Period | Due | None
"""What a resolver returns: one day, a window, a ready `Due`, or None when the match is no date."""
Resolver = Callable[[re.Match[str], "Context"], Resolved]
Row = tuple[re.Pattern[str], Resolver]

# A subject followed by a past-tense verb before the date, in the same sentence: "I set up the
# standing order on 16 November", "we paid it on the 3rd", "it was declined on 2 May", "I've paid".
_PAST_TENSE = re.compile(
    r"\b(?:I|we|you|he|she|they|it|this|that|which)(?:['’](?:ve|d))?\s+"
    r"(?:(?:had|have|has|just|already|only|actually|then)\s+)*"
    r"(?:was|were|did|had|paid|sent|made|set|got|took|told|came|went|saw|put|agreed|\w{2,}(?<!e)ed)\b"
    # "...backdated to 1 June": a date the change reaches back to.
    r"|\bback-?dat(?:ed|e|ing)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\n]")
_FUTURE = re.compile(r"\b(?:will|would|shall|should|can|could|must|going to|to)\b|['’](?:ll|d)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    """The reference date, the convention, and the whole text a match was found in."""

    reference: date
    convention: Convention
    text: str

    @property
    def base_datetime(self) -> datetime:
        """The reference as midnight, for dateparser's `RELATIVE_BASE`."""
        return datetime(self.reference.year, self.reference.month, self.reference.day)

    def past_tense(self, m: re.Match[str]) -> bool:
        """Whether the sentence holding the match speaks of the past before the date phrase."""
        return bool(_PAST_TENSE.search(self._sentence_before(m)))

    def past_event(self, m: re.Match[str]) -> bool:
        """Whether the date phrase says when something happened, not when something is due.

        A past verb leads to it with no future or request after that verb: "I've paid in fees
        this year", not "I said I'd do it this week".
        """
        sentence = self._sentence_before(m)
        verbs = list(_PAST_TENSE.finditer(sentence))
        return bool(verbs) and not _FUTURE.search(sentence, verbs[-1].end())

    def _sentence_before(self, m: re.Match[str]) -> str:
        before = self.text[: m.start()]
        ends = list(_SENTENCE_END.finditer(before))
        return before[ends[-1].end() :] if ends else before
