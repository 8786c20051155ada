"""Calendar arithmetic the rules share: ages in completed years, adding months, whole-month durations."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    # A 29 February birthday is reached on 1 March in common years (the day after 28 February ends).
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years (âge révolu) on a day."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def first_day_of_next_month(day: date) -> date:
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)


def whole_months(start: date, end_inclusive: date) -> int:
    """Whole months from `start` to the day after `end_inclusive` (1 Sept - 31 Aug is 12 months)."""
    after = end_inclusive + ONE_DAY
    months = (after.year - start.year) * 12 + (after.month - start.month)
    if add_months(start, months) > after:
        months -= 1
    return months


def lasts_at_least(start: date, end_inclusive: date, months: int) -> bool:
    return add_months(start, months) <= end_inclusive + ONE_DAY


def lasts_at_most(start: date, end_inclusive: date, months: int) -> bool:
    return end_inclusive + ONE_DAY <= add_months(start, months)


def days_inclusive(start: date, end_inclusive: date) -> int:
    return (end_inclusive - start).days + 1
