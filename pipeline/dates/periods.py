"""Past references and periods: "yesterday", "6 days ago", "last Tuesday", "last month", "next 8 months".

Deadline phrases look forward (`pipeline.dates.due`); these rows read time references in
either direction and windows. What dateparser reads correctly it reads: "N days/weeks/months
ago", "yesterday" and "last <weekday>" go to `dateparser.parse` with `RELATIVE_BASE` set to the
reference and `PREFER_DATES_FROM="past"`. Windows are computed here, because dateparser's
spans (`RETURN_TIME_SPAN`) are rolling ("last month" is the 30 days back to today) where
people, the labelling guide and NLU++ mean calendar units (1 to 28 February).

Windows:

- a named calendar unit ("this week", "last month", "next quarter", "current year",
  "October last year", "September 2023", and in the calendar convention "August", "during
  2017") is that whole unit, `range_kind="calendar"`. Weeks run Monday to Sunday;
- a counted span ("the last 10 days", "past 3 weeks", "next 8 months", "next few days") is
  that many whole units before or after the current one: "the last 4 months" on 15 March
  is 1 November to 28 February, "the next 3 days" is tomorrow and the two days after,
  `range_kind="rolling"`;
- both ends written ("between 3 and 5 June", "from the 3rd to the 5th") is `stated`.

In the `due` convention "this week" and "next week" stay the guide's Friday.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pipeline.dates import arith
from pipeline.dates.context import Context, Period, Row
from pipeline.dates.words import (
    COUNT_RE,
    DAY_RE,
    MONTH_RE,
    WEEKDAY_RE,
    day_number,
    month_number,
    number,
    weekday_number,
)
from pipeline.schemas import Due

_UNIT_RE = r"(?P<unit>days?|weeks?|months?|years?)"
_LAST = ("last", "past", "previous", "the past", "the previous", "the last")
_NEXT = ("next", "coming", "following", "the next", "the coming", "the following")


def _parse_past(phrase: str, ctx: Context) -> date | None:
    import dateparser  # Imported lazily: it is slow to load and rarely needed.

    parsed = dateparser.parse(
        phrase, languages=["en"], settings={"RELATIVE_BASE": ctx.base_datetime, "PREFER_DATES_FROM": "past"}
    )
    return parsed.date() if parsed else None


def _ago(m: re.Match[str], ctx: Context) -> date | None:
    return _parse_past(f"{number(m.group('n'))} {m.group('unit')} ago", ctx)


def _step(which: str) -> int:
    which = which.lower()
    return -1 if which in _LAST else 1 if which in _NEXT else 0


def _unit_window(unit: str, step: int, ref: date) -> Period:
    """The calendar week, month, quarter or year `step` units from the one holding `ref`."""
    unit = unit.lower()
    if unit == "week":
        start = arith.week_start(ref) + timedelta(days=7 * step)
        return start, start + timedelta(days=6), "calendar"
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    first = date(ref.year, ref.month - (ref.month - 1) % months, 1)
    start = arith.add_months(first, months * step)
    return start, arith.add_months(start, months) - timedelta(days=1), "calendar"


def _named_unit(m: re.Match[str], ctx: Context) -> date | Period | Due:
    unit, step = m.group("unit"), _step(m.group("which"))
    if step == 0 and ctx.convention == "due" and ctx.past_event(m):
        # "Given how much I've paid in fees this year": when something happened, not a deadline.
        return Due.none(m.group(0))
    if unit.lower() == "week" and step >= 0 and ctx.convention == "due":
        # The guide: "this week" is Friday of the current week, "next week" Friday of the next.
        return arith.friday_of_week(ctx.reference) + timedelta(days=7 * step)
    return _unit_window(unit, step, ctx.reference)


def _weekday_of_week(m: re.Match[str], ctx: Context) -> date:
    weekday = weekday_number(m.group("wd") or m.group("wd2"))
    start, _, _ = _unit_window("week", _step(m.group("which") or m.group("which2")), ctx.reference)
    return start + timedelta(days=weekday)


def _rolling(m: re.Match[str], ctx: Context) -> Period:
    ref, count = ctx.reference, m.group("n").lower()
    n = 3 if "few" in count else 2 if "couple" in count else number(count)
    unit = m.group("unit").lower().rstrip("s")
    ahead = m.group("dir").lower() in _NEXT
    if unit == "day":
        return (
            (ref + timedelta(days=1), ref + timedelta(days=n), "rolling")
            if ahead
            else (ref - timedelta(days=n), ref - timedelta(days=1), "rolling")
        )
    if unit == "week":
        monday = arith.week_start(ref)
        if ahead:
            return monday + timedelta(days=7), monday + timedelta(days=7 * (n + 1) - 1), "rolling"
        return monday - timedelta(days=7 * n), monday - timedelta(days=1), "rolling"
    months = n * (12 if unit == "year" else 1)
    first = date(ref.year, 1, 1) if unit == "year" else ref.replace(day=1)
    step = 12 if unit == "year" else 1
    if ahead:
        return arith.add_months(first, step), arith.add_months(first, step + months) - timedelta(days=1), "rolling"
    return arith.add_months(first, -months), first - timedelta(days=1), "rolling"


def _month_window(month: int, year: int) -> Period:
    start = date(year, month, 1)
    return start, arith.month_end(start), "calendar"


def _month_of_year(m: re.Match[str], ctx: Context) -> Period:
    month, ref = month_number(m.group("month")), ctx.reference
    if m.group("year"):
        return _month_window(month, int(m.group("year")))
    return _month_window(month, ref.year + _step(m.group("which")))


def _bare_month(m: re.Match[str], ctx: Context) -> Period | None:
    if ctx.convention != "calendar" or m.group("month") == "may":
        return None
    month, ref = month_number(m.group("month")), ctx.reference
    return _month_window(month, ref.year if month >= ref.month else ref.year + 1)


def _year(m: re.Match[str], ctx: Context) -> Period | None:
    if ctx.convention != "calendar":
        return None
    year = int(m.group("year"))
    return date(year, 1, 1), date(year, 12, 31), "calendar"


def _day_of_named_month(m: re.Match[str], ctx: Context) -> date | None:
    start, _, _ = _unit_window("month", _step(m.group("which")), ctx.reference)
    return arith.safe_date(start.year, start.month, day_number(m.group("day")))


def _between(m: re.Match[str], ctx: Context) -> Period | None:
    ref = ctx.reference
    first_month, last_month = m.group("m1") or m.group("m2"), m.group("m2") or m.group("m1")
    d1, d2 = day_number(m.group("d1")), day_number(m.group("d2"))
    if last_month is None:
        if m.group("d1").isdigit() or m.group("d2").isdigit():
            return None  # "between 3 and 5" without a month or an ordinal is a count, not a date.
        end = arith.day_of_month(ref, d2)
        start = arith.safe_date(end.year, end.month, d1) if end else None
    else:
        end = arith.on_or_after(ref, month_number(last_month), d2)
        start = arith.safe_date(end.year, month_number(first_month), d1) if end else None
        if start and end and start > end:
            start = arith.safe_date(end.year - 1, start.month, start.day)
    if start is None or end is None or start > end:
        return None
    return start, end, "stated"


_AFTER_PREPOSITION = r"\b(?:in|on|of|for|during|since)\s+"

ROWS: list[Row] = [
    (
        re.compile(
            rf"\b(?:(?P<wd>{WEEKDAY_RE})\s+(?:of\s+)?(?P<which>last|next|this)\s+week"
            rf"|(?P<which2>last|next|this)\s+week(?:'s|’s)?\s+(?P<wd2>{WEEKDAY_RE}))\b",
            re.IGNORECASE,
        ),
        _weekday_of_week,
    ),
    (
        # "Friday week", "a week on Friday": the Friday after next.
        re.compile(
            rf"\b(?:(?P<weekday>{WEEKDAY_RE})\s+(?:in\s+a\s+week|week)|a week (?:on|from)\s+(?P<wd>{WEEKDAY_RE}))\b",
            re.IGNORECASE,
        ),
        lambda m, ctx: arith.next_weekday(ctx.reference, weekday_number(m.group("weekday") or m.group("wd")))
        + timedelta(days=7),
    ),
    # "Today week", "this time next week": seven days on; "the week after next" ends on its Friday.
    (
        re.compile(r"\b(?:today|tomorrow) week\b|\bthis time next week\b", re.IGNORECASE),
        lambda m, ctx: ctx.reference + timedelta(days=8 if m.group(0).lower().startswith("tomorrow") else 7),
    ),
    (
        re.compile(r"\b(?:(?:the\s+)?end of\s+)?the week after next\b", re.IGNORECASE),
        lambda m, ctx: arith.friday_of_week(ctx.reference) + timedelta(days=14),
    ),
    (re.compile(r"\b(?:the\s+)?day after tomorrow\b", re.IGNORECASE), lambda m, ctx: ctx.reference + timedelta(2)),
    (re.compile(r"\b(?:the\s+)?day before yesterday\b", re.IGNORECASE), lambda m, ctx: ctx.reference - timedelta(2)),
    (re.compile(r"\b(?:yesterday|last night)\b", re.IGNORECASE), lambda m, ctx: ctx.reference - timedelta(days=1)),
    (re.compile(rf"\b(?P<n>{COUNT_RE})\s+{_UNIT_RE}\s+ago\b", re.IGNORECASE), _ago),
    (
        re.compile(rf"\blast\s+(?P<weekday>{WEEKDAY_RE})\b", re.IGNORECASE),
        lambda m, ctx: _parse_past(f"last {m.group('weekday')}", ctx),
    ),
    (
        re.compile(rf"\b(?:the\s+)?(?P<day>{DAY_RE})\s+(?:of\s+)?(?P<which>this|next|last)\s+month\b", re.IGNORECASE),
        _day_of_named_month,
    ),
    (
        re.compile(
            r"\b(?P<which>this|current|the current|next|last|previous|the previous|past|the past|coming|the coming)"
            r"\s+(?P<unit>week|month|quarter|year)\b(?!'s|’s)",
            re.IGNORECASE,
        ),
        _named_unit,
    ),
    (
        re.compile(
            r"\b(?P<dir>(?:the\s+)?(?:last|past|previous|next|coming|following))\s+"
            rf"(?P<n>{COUNT_RE}|few|couple of)\s+{_UNIT_RE}\b",
            re.IGNORECASE,
        ),
        _rolling,
    ),
    (
        re.compile(
            rf"\b(?P<month>{MONTH_RE})\s+(?:(?P<which>this|last|next)\s+year|(?P<year>(?:19|20)\d\d))\b", re.IGNORECASE
        ),
        _month_of_year,
    ),
    (re.compile(rf"{_AFTER_PREPOSITION}(?P<month>{MONTH_RE})\b(?!\s+\d)", re.IGNORECASE), _bare_month),
    (re.compile(rf"{_AFTER_PREPOSITION}(?P<year>(?:19|20)\d\d)\b(?![/\d])", re.IGNORECASE), _year),
    (
        re.compile(
            rf"\b(?:between|from)\s+(?:the\s+)?(?P<d1>{DAY_RE})(?:\s+(?:of\s+)?(?P<m1>{MONTH_RE}))?"
            rf"\s*(?:and|to|until|till|-|–)\s*(?:the\s+)?(?P<d2>{DAY_RE})(?:\s+(?:of\s+)?(?P<m2>{MONTH_RE}))?\b",
            re.IGNORECASE,
        ),
        _between,
    ),
]
