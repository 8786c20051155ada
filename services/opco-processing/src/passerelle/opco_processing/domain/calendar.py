"""French public holidays and working days (jours ouvrables), computed for any year, never listed.

Jours ouvrables are every day but Sunday and public holidays (Code du travail L3133-1 lists the holidays).
Easter Sunday follows the Gregorian computus (Meeus/Jones/Butcher); Easter Monday, Ascension (Easter + 39)
and Whit Monday (Easter + 50) follow from it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

# (month, day, name) of the fixed holidays of L3133-1.
_FIXED = (
    (1, 1, "Jour de l'an"),
    (5, 1, "Fête du travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "Fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice 1918"),
    (12, 25, "Noël"),
)
# Days after Easter Sunday of the movable holidays.
_MOVABLE = ((1, "Lundi de Pâques"), (39, "Ascension"), (50, "Lundi de Pentecôte"))


def easter_sunday(year: int) -> date:
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(year: int) -> dict[date, str]:
    holidays = {date(year, month, day): name for month, day, name in _FIXED}
    easter = easter_sunday(year)
    for offset, name in _MOVABLE:
        holidays[easter + timedelta(days=offset)] = name
    return dict(sorted(holidays.items()))


def holiday_name(day: date) -> str | None:
    return public_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """A jour ouvrable: not a Sunday, not a public holiday."""
    return day.weekday() != 6 and day not in public_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th jour ouvrable after `start` (the day of the event itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Jours ouvrables in (start, end]: how many working days after `start` `end` falls."""
    if end <= start:
        return -working_days_between(end, start) if end < start else 0
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
