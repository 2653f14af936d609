"""Calendar arithmetic in whole days: business days, weekdays, weeks, months, quarters and years.

Weeks run Monday to Sunday (ISO 8601, and dateparser's `DEFAULT_START_OF_WEEK`); business
days are Monday to Friday with public holidays ignored, as the labelling guide says.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np


def add_business_days(start: date, days: int) -> date:
    """Return the date `days` business days (Monday to Friday) after `start`; `start` itself for 0 or fewer."""
    if days <= 0:
        return start
    # Rolling a weekend start back to its Friday makes "1 business day after Saturday" Monday.
    offset = np.busday_offset(np.datetime64(start, "D"), days, roll="backward")
    return offset.astype(date)  # type: ignore[no-any-return]


def next_weekday(reference: date, weekday: int) -> date:
    """Return the first `weekday` (0 = Monday) strictly after `reference`."""
    ahead = (weekday - reference.weekday()) % 7
    return reference + timedelta(days=ahead or 7)


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def friday_of_week(day: date) -> date:
    """The Friday of the week `day` falls in (the guide's "end of the week")."""
    return week_start(day) + timedelta(days=4)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before, if negative) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of the month `day` falls in."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist (30 February)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def on_or_after(reference: date, month: int, day: int, year: int | None = None) -> date | None:
    """The date with that month and day, in `year` or else the first one on/after `reference`."""
    if year is not None:
        return safe_date(year, month, day)
    candidate = safe_date(reference.year, month, day)
    if candidate is not None and candidate >= reference:
        return candidate
    return safe_date(reference.year + 1, month, day)


def on_or_before(reference: date, month: int, day: int) -> date | None:
    """The last date with that month and day on or before `reference`."""
    candidate = safe_date(reference.year, month, day)
    if candidate is not None and candidate <= reference:
        return candidate
    return safe_date(reference.year - 1, month, day)


def day_of_month(reference: date, day: int) -> date | None:
    """'the 12th': this month if still ahead (or today), else next month."""
    month = reference if day >= reference.day else add_months(reference, 1)
    return safe_date(month.year, month.month, day)


def with_weekday(reference: date, month: int, day: int, weekday: int) -> date | None:
    """The first date on or after `reference`'s year with that month and day falling on `weekday`.

    "Friday, October the 16th" names a year as well as a day: the next year in which 16
    October is a Friday. Weekdays repeat within 28 years, so the search is bounded.
    """
    for year in range(reference.year, reference.year + 29):
        candidate = safe_date(year, month, day)
        if candidate is not None and candidate >= reference and candidate.weekday() == weekday:
            return candidate
    return None
