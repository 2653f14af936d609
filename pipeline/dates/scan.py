"""Finding date phrases in a text and choosing the one that states a deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipeline.dates import due, periods
from pipeline.dates.context import Context, Convention, Resolved, Row
from pipeline.dates.words import DAY_RE, MONTH_RE, ORDINAL_RE, day_number
from pipeline.schemas import Due
from pipeline.text import WRAP, unwrapped

# Words that make a date a deadline for the clause it sits in. A deadline-marked date wins
# over an incidental one ("by 14 Nov for the 20 Nov sitting" -> 14 Nov).
_DEADLINE_PREFIX = re.compile(
    # "by the end of tomorrow", "by close of business on Friday": the end of the day named is the deadline.
    r"(?:\bby|\bon|\bbefore|\bno later than|\buntil|\btill|\bwithin|\bthis|\bnext)\s+(?:the\s+)?"
    r"(?:(?:end|close) of(?: business| play)?(?: on)?\s+)?$",
    re.IGNORECASE,
)
# "before the 20th", and "before the next one on 20 August" / "before the renewal on 1 May": the day before.
_BEFORE = re.compile(r"\bbefore\s+(?:the\s+)?(?:(?:next|first)\s+)?"
                     r"(?:(?:[\w-]+\s+){0,2}?(?:on|of|due)\s+(?:the\s+)?)?$", re.IGNORECASE)
# "sat", "sun", "wed" in lower case are words, not weekdays; abbreviations count only capitalised.
_LOWERCASE_ABBREVIATION = re.compile(r"^(?:mon|tues?|weds?|thur?s?|fri|sat|sun)$")
_ROWS: list[Row] = periods.ROWS + due.ROWS


@dataclass(frozen=True)
class DateMention:
    """One date phrase found in a text, with its resolution."""

    start: int
    end: int
    phrase: str
    due: Due
    deadline_marked: bool


def _as_due(resolved: Resolved, phrase: str) -> Due | None:
    if resolved is None or isinstance(resolved, Due):
        return resolved
    if isinstance(resolved, tuple):
        start, end, kind = resolved
        return Due(kind="range", start=start, end=end, range_kind=kind, phrase=phrase)
    return Due(kind="date", date=resolved, phrase=phrase)


def _shift_back(found: Due) -> Due:
    """Move a "before X" resolution to the day before X (the guide); for a window, before it starts."""
    if found.kind == "range" and found.start is not None:
        return Due(kind="date", date=found.start - timedelta(days=1), phrase=found.phrase)
    assert found.date is not None
    return found.model_copy(update={"date": found.date - timedelta(days=1)})


def _candidates(text: str) -> list[tuple[int, int, re.Match[str], int]]:
    """Every dated match, longest first (then in table order), so "last Tuesday" beats "Tuesday"."""
    found = []
    for order, (pattern, _) in enumerate(_ROWS):
        for m in pattern.finditer(text):
            phrase = m.group(0).rstrip(" .,")
            if phrase and not _LOWERCASE_ABBREVIATION.match(phrase):
                found.append((m.start(), m.start() + len(phrase), m, order))
    found.sort(key=lambda c: (c[0] - c[1], c[3], c[0]))
    return found


# A period counted from an event, not from the interaction: "within ten working days of getting the
# form", "once the form's back, ... within five working days". The guide dates these `null`.
_RELATIVE_PERIOD = re.compile(r"^(?:within|in)\s", re.IGNORECASE)
_FROM_EVENT_AFTER = re.compile(
    r"^\s+(?:of|from|after)\s+(?:receiv\w*|getting|get|the|your|their|its|it|them|that|this|us|we|you"
    r"|approval|receipt|completion|signing|sign-off|acceptance|instruction|payment)\b",
    re.IGNORECASE,
)
_FROM_EVENT_BEFORE = re.compile(
    r"^\s*(?:and\s+|then\s+|so\s+)?(?:once|when|after|as soon as)\b",
    re.IGNORECASE,
)


def _from_event(ctx: Context, start: int, end: int) -> bool:
    """Is a relative period ("within five working days") counted from an event rather than from today?"""
    if ctx.convention != "due" or not _RELATIVE_PERIOD.match(ctx.text[start:end]):
        return False
    sentence_start = max(ctx.text.rfind(mark, 0, start) for mark in (". ", "? ", "! ", "\n")) + 1
    return bool(_FROM_EVENT_AFTER.match(ctx.text[end:]) or _FROM_EVENT_BEFORE.search(ctx.text[sentence_start:start]))


def _overlaps(span: tuple[int, int], taken: list[DateMention]) -> bool:
    return any(span[0] < t.end and t.start < span[1] for t in taken)


def _mention(ctx: Context, start: int, end: int, resolved: Due | None) -> DateMention | None:
    """Wrap a resolution: "before" moves it a day back; the due convention drops the past."""
    if resolved is None:
        return None
    text, phrase = ctx.text, ctx.text[start:end]
    before = text[:start]
    marker = _BEFORE.search(before)
    # The guide dates "before X" the day before; a calendar reference is X itself.
    if marker and resolved.kind != "none" and ctx.convention == "due":
        phrase = before[marker.start() :] + phrase
        start = end - len(phrase)
        resolved = _shift_back(resolved.model_copy(update={"phrase": phrase}))
    deadline = resolved.deadline
    if ctx.convention == "due" and deadline is not None and deadline < ctx.reference:
        return None  # A due date is never before the interaction: "yesterday" states no deadline.
    marked = bool(_DEADLINE_PREFIX.search(before)) or phrase.lower().startswith(("before", "within", "in ", "by "))
    return DateMention(start=start, end=end, phrase=phrase, due=resolved, deadline_marked=marked)


def find_dates(text: str, reference: date, *, convention: Convention = "due") -> list[DateMention]:
    """Find every date phrase in `text`, resolved against `reference`, in text order.

    Overlapping matches keep the longest ("Friday 18 July" beats "Friday", "last Tuesday"
    beats "Tuesday"); vague timing ("soon", "once X arrives") fills only what is left.

    Args:
        text: Any text: a sentence, a clause or a whole turn.
        reference: The local date of the interaction.
        convention: `due` (the labelling guide: deadlines, never in the past) or `calendar`
            (NLU++: time references in either direction, weeks and months as ranges); see
            `pipeline.dates.context.Convention`.

    Returns:
        The mentions, each with its phrase, offsets, resolved `Due` and whether a deadline
        word ("by", "before", "on", "within"...) introduces it.
    """
    if WRAP.search(text):
        # A hard-wrapped email splits phrases over lines ("within a\n   fortnight", "email\n> you by
        # Monday"): read the text with each line break as one space, and map offsets back.
        flat, where = unwrapped(text)
        return [replace(m, start=where[m.start], end=where[m.end - 1] + 1)
                for m in find_dates(flat, reference, convention=convention)]
    ctx = Context(reference=reference, convention=convention, text=text)
    taken: list[DateMention] = []
    past: list[tuple[int, int]] = []  # Dates dropped as past still hide the shorter matches inside them.
    for start, end, m, order in _candidates(text):
        if _overlaps((start, end), taken) or any(start < e and s < end for s, e in past):
            continue
        resolved = _as_due(_ROWS[order][1](m, ctx), text[start:end])
        if resolved is not None and resolved.kind != "none" and _from_event(ctx, start, end):
            resolved = Due.none(text[start:end])
        mention = _mention(ctx, start, end, resolved)
        if mention is not None:
            taken.append(mention)
        elif resolved is not None:
            past.append((start, end))
    for m in due.VAGUE.finditer(text):
        phrase = m.group(0).rstrip(" .,")
        span = (m.start(), m.start() + len(phrase))
        if phrase and not _overlaps(span, taken):
            taken.append(
                DateMention(
                    span[0], span[1], phrase, Due.none(phrase), bool(_DEADLINE_PREFIX.search(text[: m.start()]))
                )
            )
    taken.sort(key=lambda d: d.start)
    return taken


_BARE_DAY = re.compile(rf"^(?:before\s+)?the\s+(?P<day>\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL_RE})$", re.IGNORECASE)


def anchor_bare_days(mentions: list[DateMention], earlier_text: str, reference: date) -> list[DateMention]:
    """Resolve "the 21st" to the month of an earlier full date with that day, if the text gave one.

    "The forms must be back before the twenty-first of March ... I'll get them back before the
    twenty-first" means 20 March, not the next 21st of any month: a careful reader carries the
    month over from the date already named. Without such an earlier date the mention is unchanged.
    """
    out = []
    for mention in mentions:
        m = _BARE_DAY.match(mention.phrase)
        if m and mention.due.date is not None:
            day = day_number(m.group("day"))
            earlier = [
                (e, d)
                for e in find_dates(earlier_text, reference)
                if (d := e.due.date) is not None and _has_month(e.phrase) and _day_named(e.phrase) == day
            ]
            if earlier:
                last, named = earlier[-1]
                # Each "before" moves the date back a day: undo the earlier one, apply this one.
                now_before = mention.phrase.lower().startswith("before")
                then_before = last.phrase.lower().startswith("before")
                named = named + timedelta(days=int(then_before) - int(now_before))
                mention = DateMention(
                    mention.start,
                    mention.end,
                    mention.phrase,
                    Due(kind="date", date=named, phrase=mention.phrase),
                    mention.deadline_marked,
                )
        out.append(mention)
    return out


def _has_month(phrase: str) -> bool:
    return bool(re.search(rf"\b{MONTH_RE}\b", phrase, re.IGNORECASE))


def _day_named(phrase: str) -> int | None:
    m = re.search(rf"\b(?P<day>{DAY_RE})\b", phrase, re.IGNORECASE)
    try:
        return day_number(m.group("day")) if m else None
    except KeyError:
        return None


def best_mention(mentions: list[DateMention]) -> DateMention | None:
    """Choose the mention that states the deadline: dated over vague, deadline-marked first, then earliest."""
    if not mentions:
        return None
    dated = [d for d in mentions if d.due.kind != "none"] or mentions
    marked = [d for d in dated if d.deadline_marked]
    return (marked or dated)[0]


def resolve_due(phrase_context: str, reference: date) -> Due | None:
    """Resolve the due date stated in a phrase or clause.

    Args:
        phrase_context: The words stating the timing, e.g. "by Friday", or the whole clause
            ("I'll send it over by the end of next week").
        reference: The local date of the interaction, against which relative phrases resolve.

    Returns:
        A `Due` of kind `date` (or `range`) for a resolvable phrase, a `Due` of kind `none`
        carrying the phrase for vague timing ("soon", "mid-February", "once X arrives"), or
        None when the text states no timing at all. A phrase that only points back in time
        ("yesterday", "6 days ago") states a time but no deadline: kind `none` with that phrase,
        so a model's proposed date for it is not taken either.
    """
    best = best_mention(find_dates(phrase_context, reference))
    if best:
        return best.due
    past = find_dates(phrase_context, reference, convention="calendar")
    return Due.none(past[0].phrase) if past else None
