"""Every row of the fs-interactions README due-date table, against a Wednesday reference."""

from datetime import date

import pytest

from pipeline.dates import add_business_days, anchor_bare_days, find_dates, resolve_due

WEDNESDAY = date(2025, 6, 4)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # today, this morning/afternoon, end of day, now, later today, as soon as we're off the phone
        ("I'll do it today", date(2025, 6, 4)),
        ("I'll email it this morning", date(2025, 6, 4)),
        ("this afternoon", date(2025, 6, 4)),
        ("by end of day", date(2025, 6, 4)),
        ("I'll send it now", date(2025, 6, 4)),
        ("later today", date(2025, 6, 4)),
        ("as soon as we're off the phone", date(2025, 6, 4)),
        # tomorrow
        ("tomorrow", date(2025, 6, 5)),
        # (by/on/this/next) Monday ... Friday: the first such weekday after the interaction date
        ("by Friday", date(2025, 6, 6)),
        ("on Monday", date(2025, 6, 9)),
        ("this Thursday", date(2025, 6, 5)),
        ("next Tuesday", date(2025, 6, 10)),
        ("Wednesday", date(2025, 6, 11)),
        # end of the week, this week
        ("by the end of the week", date(2025, 6, 6)),
        ("this week", date(2025, 6, 6)),
        # next week, end of next week
        ("next week", date(2025, 6, 13)),
        ("by the end of next week", date(2025, 6, 13)),
        # end of the month
        ("end of the month", date(2025, 6, 30)),
        # within N working/business days
        ("within five working days", date(2025, 6, 11)),
        ("within 10 business days", date(2025, 6, 18)),
        ("within three working days", date(2025, 6, 9)),
        # within N days, in two weeks, a fortnight
        ("within 10 days", date(2025, 6, 14)),
        ("in two weeks", date(2025, 6, 18)),
        ("a fortnight", date(2025, 6, 18)),
        # by/on 14 Nov, by the 12th, by Fri 29 May
        ("by 14 Nov", date(2025, 11, 14)),
        ("by the 12th", date(2025, 6, 12)),
        ("by Fri 29 May", date(2026, 5, 29)),
        ("on Friday 18 July", date(2025, 7, 18)),
        ("no later than 5 September", date(2025, 9, 5)),
        ("Thursday the twelfth of June", date(2025, 6, 12)),
        # before 31 August, before Christmas, before the 30 June renewal: the day before
        ("before 31 August", date(2025, 8, 30)),
        ("before Christmas", date(2025, 12, 24)),
        ("before the 30 June renewal", date(2025, 6, 29)),
        ("before the 20th", date(2025, 6, 19)),
    ],
)
def test_resolve_due_table_row_resolves_to_date(phrase: str, expected: date) -> None:
    due = resolve_due(phrase, WEDNESDAY)
    assert due is not None and due.kind == "date"
    assert due.date == expected


@pytest.mark.parametrize(
    "phrase",
    ["mid-February", "soon", "shortly", "asap", "once the statement arrives", "after the committee",
     "when they invoice us"],
)
def test_resolve_due_vague_phrase_is_none_with_phrase(phrase: str) -> None:
    due = resolve_due(phrase, WEDNESDAY)
    assert due is not None and due.kind == "none"
    assert due.deadline is None and due.phrase


def test_resolve_due_no_timing_returns_none() -> None:
    assert resolve_due("I'll send you the form", WEDNESDAY) is None


def test_resolve_due_prefers_deadline_marked_date() -> None:
    due = resolve_due("BK to submit the application by 14 Nov for the 20 Nov sitting.", WEDNESDAY)
    assert due is not None and due.date == date(2025, 11, 14)


def test_resolve_due_time_of_day_before_is_not_a_date() -> None:
    due = resolve_due("I'll call you back before five today", WEDNESDAY)
    assert due is not None and due.date == WEDNESDAY


def test_find_dates_ignores_ordinals_and_lowercase_words() -> None:
    assert find_dates("the second approval followed; we sat on the sun deck", WEDNESDAY) == []


def test_add_business_days_skips_weekend() -> None:
    assert add_business_days(date(2025, 6, 6), 1) == date(2025, 6, 9)


def test_weekday_on_same_weekday_is_next_week() -> None:
    due = resolve_due("on Wednesday", WEDNESDAY)
    assert due is not None and due.date == date(2025, 6, 11)


# --- General phrase families added for out-of-sample robustness (invented sentences) ---------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # "close of play" / "first thing" name the day that follows them, or today when alone.
        ("I'll have the figures to you by close of play Thursday", date(2025, 6, 5)),
        ("first thing Monday", date(2025, 6, 9)),
        ("end of day tomorrow", date(2025, 6, 5)),
        ("by close of play", date(2025, 6, 4)),
        # Day/month without a year, as notes write them, after a deadline word, weekday or dash.
        ("JB to send the letter by 20/6.", date(2025, 6, 20)),
        ("Valuation – aim 3/7", date(2025, 7, 3)),
        ("moved to Tue 17/6, agreed", date(2025, 6, 17)),
        # "<weekday> the <ordinal>": the ordinal names the date.
        ("Could we say Friday the thirteenth?", date(2025, 6, 13)),
        ("in a fortnight", date(2025, 6, 18)),
        ("within 3 working days", date(2025, 6, 9)),
        ("before the 1 March deadline", date(2026, 2, 28)),
    ],
)
def test_general_phrase_families(phrase: str, expected: date) -> None:
    due = resolve_due(phrase, WEDNESDAY)
    assert due is not None and due.deadline == expected


@pytest.mark.parametrize("text", ["Allocation drifted to 70/30", "risk score 4/7", "open 24/7"])
def test_ratios_are_not_dates(text: str) -> None:
    assert find_dates(text, WEDNESDAY) == []


def test_bare_day_takes_the_month_of_an_earlier_full_date() -> None:
    earlier = "The forms must reach us before the nineteenth of August."
    mentions = find_dates("I'll post them before the nineteenth.", WEDNESDAY)
    anchored = anchor_bare_days(mentions, earlier, WEDNESDAY)
    assert anchored[0].due.deadline == date(2025, 8, 18)
    # Without an earlier full date, "the 19th" is the next 19th.
    assert anchor_bare_days(mentions, "nothing dated here", WEDNESDAY)[0].due.deadline == date(2025, 6, 18)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # Notes drop the article: "by end of week", "EOW", "end of month", "EOM".
        ("AB to send the pack by end of week", date(2025, 6, 6)),
        ("EOW", date(2025, 6, 6)),
        ("later in the week", date(2025, 6, 6)),
        ("by end of month", date(2025, 6, 30)),
        ("docs by EOM", date(2025, 6, 30)),
        ("in a couple of days", date(2025, 6, 6)),
        ("in a couple of weeks", date(2025, 6, 18)),
        ("within 24 hours", date(2025, 6, 5)),
        ("within 48 hours", date(2025, 6, 6)),
        ("I'll send it right now", date(2025, 6, 4)),
        # Weeks counted on from a day: "a week on Friday" is "Friday week", the Friday after next.
        ("a week on Friday", date(2025, 6, 13)),
        ("Friday week", date(2025, 6, 13)),
        ("today week", date(2025, 6, 11)),
        ("this time next week", date(2025, 6, 11)),
        ("by the end of the week after next", date(2025, 6, 20)),
    ],
)
def test_shorthand_periods_resolve_like_their_full_forms(phrase: str, expected: date) -> None:
    due = resolve_due(phrase, WEDNESDAY)
    assert due is not None and due.deadline == expected


@pytest.mark.parametrize(
    "phrase",
    ["leave the direct debit as it is for now", "nothing has changed until now", "it should have arrived by now",
     "I spoke to them just now", "we'll pick it up in the new year"],
)
def test_now_and_seasons_that_state_no_deadline_give_no_date(phrase: str) -> None:
    due = resolve_due(phrase, WEDNESDAY)
    assert due is None or due.deadline is None
