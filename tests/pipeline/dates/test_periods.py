"""Past references and periods, in both readings: the guide's deadlines and the calendar (NLU++)."""

from datetime import date

import pytest

from pipeline.dates import find_dates, resolve_due
from pipeline.schemas import Due

TUESDAY = date(2022, 3, 15)  # NLU++'s reference day
THURSDAY = date(2026, 12, 3)


def _calendar(text: str, reference: date = TUESDAY):
    mentions = [m for m in find_dates(text, reference, convention="calendar") if m.due.kind != "none"]
    assert mentions, text
    return mentions[0].due


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it was declined yesterday", date(2022, 3, 14)),
        ("my wallet was stolen last night", date(2022, 3, 14)),
        ("refunded 6 days ago??", date(2022, 3, 9)),
        ("I spent it 8 weeks ago", date(2022, 1, 18)),
        ("six months ago", date(2021, 9, 15)),
        ("i lost my card last Thursday", date(2022, 3, 10)),
        ("set up last Monday", date(2022, 3, 14)),
        ("the day after tomorrow", date(2022, 3, 17)),
        ("before next week Friday", date(2022, 3, 25)),
        ("on Saturday last week", date(2022, 3, 12)),
        ("earlier than Wednesday in a week", date(2022, 3, 23)),
        ("Book me for the 25th this month.", date(2022, 3, 25)),
        ("do it on 6th of March", date(2022, 3, 6)),  # a month still running is this one
        ("the Jan the 19th please", date(2023, 1, 19)),
        ("my appointment is on Friday, October the 16th", date(2026, 10, 16)),  # the weekday fixes the year
    ],
)
def test_calendar_reads_past_and_named_days(text: str, expected: date) -> None:
    due = _calendar(text)
    assert due.kind == "date" and due.date == expected


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("What is my biggest expenditure this week", date(2022, 3, 14), date(2022, 3, 20), "calendar"),
        ("any day next week", date(2022, 3, 21), date(2022, 3, 27), "calendar"),
        ("during the last week", date(2022, 3, 7), date(2022, 3, 13), "calendar"),
        ("lower the last month", date(2022, 2, 1), date(2022, 2, 28), "calendar"),
        ("previous month", date(2022, 2, 1), date(2022, 2, 28), "calendar"),
        ("in this quarter", date(2022, 1, 1), date(2022, 3, 31), "calendar"),
        ("on the current year", date(2022, 1, 1), date(2022, 12, 31), "calendar"),
        ("October last year", date(2021, 10, 1), date(2021, 10, 31), "calendar"),
        ("spend on September 2023", date(2023, 9, 1), date(2023, 9, 30), "calendar"),
        ("on August", date(2022, 8, 1), date(2022, 8, 31), "calendar"),
        ("less during 2017", date(2017, 1, 1), date(2017, 12, 31), "calendar"),
        ("for the last 3 days", date(2022, 3, 12), date(2022, 3, 14), "rolling"),
        ("in last 4 months", date(2021, 11, 1), date(2022, 2, 28), "rolling"),
        ("for the next 2 months", date(2022, 4, 1), date(2022, 5, 31), "rolling"),
        ("over the next 8 months", date(2022, 4, 1), date(2022, 11, 30), "rolling"),
        ("in the next few days", date(2022, 3, 16), date(2022, 3, 18), "rolling"),
        ("the past 2 weeks", date(2022, 2, 28), date(2022, 3, 13), "rolling"),
        ("between 3 and 5 June", date(2022, 6, 3), date(2022, 6, 5), "stated"),
        ("from the 19th to the 22nd", date(2022, 3, 19), date(2022, 3, 22), "stated"),
        ("between 28 December and 2 January", date(2022, 12, 28), date(2023, 1, 2), "stated"),
    ],
)
def test_calendar_reads_periods_as_ranges(text: str, start: date, end: date, kind: str) -> None:
    due = _calendar(text)
    assert (due.kind, due.start, due.end, due.range_kind) == ("range", start, end, kind)


@pytest.mark.parametrize(
    "text", ["I paid it yesterday", "I made that payment 6 days ago", "it was refused last Tuesday", "last month"]
)
def test_due_reading_never_dates_a_deadline_in_the_past(text: str) -> None:
    assert [m for m in find_dates(text, TUESDAY) if m.due.kind != "none"] == []
    due = resolve_due(text, TUESDAY)
    assert due is not None and due.kind == "none" and due.phrase in text


def test_due_reading_takes_the_nearer_date_in_a_past_tense_sentence() -> None:
    # Said on 3 December: the standing order was set up on 16 November just gone, not 2027.
    assert resolve_due("I set up a standing order on 16 November", THURSDAY) == Due.none("16 November")
    # NLU++ labels a yearless date forward whatever the tense; the calendar reading follows it.
    assert _calendar("I set up a standing order on 16 November", THURSDAY).date == date(2027, 11, 16)
    # The same words as a request look forward, and a booking made now can be for a later day.
    assert resolve_due("Please set up a standing order on 16 November", THURSDAY).deadline == date(2027, 11, 16)
    assert resolve_due("I booked the review for 17 December", THURSDAY).deadline == date(2026, 12, 17)


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("Given how much I've paid in fees this year, could you waive the fee?", "this year"),
        ("We've had three letters from you this month", "this month"),
        ("I sent it this week", "this week"),
    ],
)
def test_due_reading_takes_the_current_period_of_a_past_event_as_no_deadline(text: str, when: str) -> None:
    assert resolve_due(text, THURSDAY) == Due.none(when)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [("I know I said I'd do it this week", date(2026, 12, 4)),
     ("We agreed to finish it this month", date(2026, 12, 31))],
)
def test_a_past_verb_before_a_promise_leaves_its_period_a_deadline(text: str, deadline: date) -> None:
    due = resolve_due(text, THURSDAY)
    assert due is not None and due.deadline == deadline


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("I'll send it next week", date(2026, 12, 11)),  # the guide's Friday, not a Monday-Sunday range
        ("this week", date(2026, 12, 4)),
        ("by Friday next week", date(2026, 12, 11)),
        ("we'll spread it over the next three months", date(2027, 3, 31)),
        ("I'll call between 8 and 10 December", date(2026, 12, 10)),
        ("within the next 10 days", date(2026, 12, 13)),  # the guide's row wins over the window
        ("before 31 August", date(2027, 8, 30)),
    ],
)
def test_due_reading_of_windows_scores_by_last_day(text: str, deadline: date) -> None:
    due = resolve_due(text, THURSDAY)
    assert due is not None and due.deadline == deadline


def test_before_a_calendar_reference_is_the_day_itself() -> None:
    # NLU++ labels the day named; the guide's "the day before" is a deadline rule.
    assert _calendar("will it arrive before the 15th October").date == date(2022, 10, 15)


@pytest.mark.parametrize("text", ["between 3 and 5 pounds", "use this year's allowance", "the 2016 accounts"])
def test_counts_possessives_and_bare_years_are_not_periods(text: str) -> None:
    assert [m for m in find_dates(text, TUESDAY, convention="calendar") if m.due.kind != "none"] == []
