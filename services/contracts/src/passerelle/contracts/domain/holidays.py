"""French public holidays and working days (jours ouvrables), computed rather than listed year by year.

The fixed holidays and the days after Easter are legal data (`public_holidays_fixed`,
`public_holidays_after_easter_days`); Easter Sunday is computed with the Gregorian computus.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from .legal import legal_parameters


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(year: int) -> frozenset[date]:
    """The public holidays (fêtes légales) of a year in metropolitan France."""
    params = legal_parameters()
    reference_day = date(year, 1, 1)
    fixed = params.value("public_holidays_fixed", reference_day)
    after_easter = params.value("public_holidays_after_easter_days", reference_day)
    easter = easter_sunday(year)
    days = {date(year, month, day) for month, day in fixed}
    days.update(easter + timedelta(days=offset) for offset in after_easter)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """A jour ouvrable: every day but Sunday and public holidays."""
    return day.weekday() != 6 and day not in public_holidays(day.year)


def working_days_after(start: date, until: date) -> int:
    """Working days strictly after `start`, up to `until` included (0 when `until` is not after `start`).

    Counted by whole weeks (six working days each, Sunday aside) less the public holidays of the period that fall
    on another day than Sunday, rather than day by day (a contract's checks count months of days, issue #17)."""
    days = (until - start).days
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    # The `rest` days after the whole weeks: every weekday recurs once per week, so only these need looking at.
    count = weeks * 6 + sum(1 for k in range(1, rest + 1) if (start.weekday() + k) % 7 != 6)
    for year in range(start.year, until.year + 1):
        count -= sum(1 for day in public_holidays(year) if start < day <= until and day.weekday() != 6)
    return count
