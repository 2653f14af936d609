"""The guide's deadline rows (`pipeline.dates.due`) and how a period's start is read (`pipeline.dates.scan`)."""

from datetime import date

import pytest

from pipeline.dates import find_dates, resolve_due

TUESDAY = date(2026, 3, 3)
WEDNESDAY = date(2026, 7, 29)


def _deadline(text: str, reference: date) -> date | None:
    due = resolve_due(text, reference)
    assert due is not None, text
    return due.deadline


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("Indicative terms to MB by end of Q1.", TUESDAY, date(2026, 3, 31)),
        ("by the end of Q3", TUESDAY, date(2026, 9, 30)),
        ("end of Q1", date(2026, 11, 3), date(2027, 3, 31)),
        ("before the end of the third quarter", TUESDAY, date(2026, 9, 29)),
        ("by the end of the quarter", date(2026, 11, 3), date(2026, 12, 31)),
        ("by the end of next quarter", TUESDAY, date(2026, 6, 30)),
        ("Q2-end at the latest", TUESDAY, date(2026, 6, 30)),
        ("by the end of the year", TUESDAY, date(2026, 12, 31)),
        ("before the end of the tax year", TUESDAY, date(2026, 4, 4)),
    ],
)
def test_quarter_and_year_ends_resolve_to_their_last_day(text: str, reference: date, expected: date) -> None:
    assert _deadline(text, reference) == expected


def test_year_end_as_a_noun_modifier_is_no_date() -> None:
    assert resolve_due("Send the year-end accounts.", TUESDAY) is None


@pytest.mark.parametrize("text", ["The fourteenth is fine.", "The 14th's fine by me", "The fourteenth works."])
def test_a_bare_day_confirmed_in_reply_is_that_day(text: str) -> None:
    assert _deadline(text, WEDNESDAY) == date(2026, 8, 14)


def test_first_thing_in_the_morning_is_tomorrow() -> None:
    assert _deadline("so I'll ring him first thing in the morning.", WEDNESDAY) == date(2026, 7, 30)


@pytest.mark.parametrize(
    "text",
    [
        "Once the form's back, our operations team will update the mandate within five working days.",
        "Once we've got the quote, a claims handler will call you within two working days.",
        "They'll come back within ten working days of getting the form.",
        "We aim to decide within 14 days of receiving your documents.",
    ],
)
def test_a_period_counted_from_a_later_event_states_no_date(text: str) -> None:
    mentions = [m for m in find_dates(text, WEDNESDAY) if m.phrase.lower().startswith("within")]
    assert mentions and all(m.due.kind == "none" for m in mentions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They'll send you a claim pack within five working days.", date(2026, 8, 5)),
        ("Our claims team will arrange a visit, normally within five working days.", date(2026, 8, 5)),
        ("I'll let you know the decision within ten working days.", date(2026, 8, 12)),
    ],
)
def test_a_period_from_today_still_dates_the_action(text: str, expected: date) -> None:
    assert _deadline(text, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TW to book her in, by end of next wk.", date(2026, 8, 7)),
        ("POA team to complete within 10 wkg days.", date(2026, 8, 12)),
        ("Please send me a photo within a\n   fortnight so we have it on file.", date(2026, 8, 12)),
        ("I'll email\n> you by Monday to explain.", date(2026, 8, 3)),
        ("Please make sure it is back on before the next one\non 20 August.", date(2026, 8, 19)),
        ("I'll ring Carol after this.", date(2026, 7, 29)),
        ("I'll have it done over the next fortnight.", date(2026, 8, 12)),
        ("We'll have an answer a week today.", date(2026, 8, 5)),
        ("Payment to be made by end Oct.", date(2026, 10, 31)),
    ],
)
def test_notes_shorthand_and_wrapped_lines_resolve_like_the_written_phrase(text: str, expected: date) -> None:
    assert _deadline(text, WEDNESDAY) == expected


def test_a_backdated_date_is_no_deadline() -> None:
    assert _deadline("The overpayment re-applied, backdated to 1 June.", WEDNESDAY) is None


def test_by_the_end_of_a_day_marks_that_day_as_the_deadline_over_an_incidental_now() -> None:
    from pipeline.dates.scan import best_mention

    mentions = find_dates("I'm raising it now, and the money will be refunded by the end of tomorrow.",
                          date(2026, 11, 18))
    best = best_mention(mentions)
    assert best is not None and best.due.date == date(2026, 11, 19)
