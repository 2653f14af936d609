"""Date phrases: find them in text and resolve them against the interaction's date.

Two readings of the same words, chosen by `convention`:

- `due` (the default, the drafting engines' reading) follows the labelling guide of the
  fs-interactions evaluation set exactly, because that guide is what reviewers and scorers
  agree on. A due date is in the future: a phrase that only points back ("yesterday",
  "6 days ago", "last Tuesday", "last month") states no deadline and is not returned, and a
  date written without a year in a past-tense sentence ("I set up the standing order on 16
  November", said on 3 December) takes the nearer reading (16 November just gone), so it
  does not become a deadline eleven months out.
- `calendar` reads time references as NLU++ labels them (its values follow Duckling):
  past references resolve backwards, weeks, months, quarters and years are `range` dues.

The guide, row by row (`pipeline.dates.due`):

- today / this morning / end of day / now / as soon as we're off the phone -> the interaction date;
- tomorrow -> the next calendar day;
- (by/on/this/next) <weekday> -> the first such weekday *after* the interaction date;
- end of the week / this week -> Friday of the current week;
- next week / end of next week -> Friday of the following week;
- end of the month -> the month's last day;
- within N working/business days -> N business days later (Mon-Fri, holidays ignored);
- within N days / in two weeks / a fortnight -> that many calendar days later;
- 14 Nov / the 12th / Fri 29 May -> that date; "before X" -> the day before X;
- mid-February, soon, asap, once X arrives, after the committee -> no date (kind `none`).

Past references and windows ("the next 8 months", "between 3 and 5 June", "this quarter")
are in `pipeline.dates.periods`; a window is a `Due` of kind `range` whose deadline is its
last day, which is how the guide scores a range. Where dateparser reads a phrase the way the
guide or NLU++ does, it does the reading: numeric dates (day first), "N units ago",
"last <weekday>". Overlapping matches keep the longest; vague timing fills what is left.
"""

from pipeline.dates.arith import add_business_days, next_weekday
from pipeline.dates.context import Convention
from pipeline.dates.scan import DateMention, anchor_bare_days, best_mention, find_dates, resolve_due

__all__ = [
    "Convention",
    "DateMention",
    "add_business_days",
    "anchor_bare_days",
    "best_mention",
    "find_dates",
    "next_weekday",
    "resolve_due",
]
