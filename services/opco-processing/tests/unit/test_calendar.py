from datetime import date

import pytest

from passerelle.opco_processing.domain.calendar import (
    add_working_days,
    easter_sunday,
    holiday_name,
    is_working_day,
    public_holidays,
    working_days_between,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
        (2000, date(2000, 4, 23)),
    ],
)
def test_easter_sunday_across_years(year, easter):
    assert easter_sunday(year) == easter


def test_movable_holidays_follow_easter():
    assert holiday_name(date(2024, 4, 1)) == "Lundi de Pâques"
    assert holiday_name(date(2024, 5, 9)) == "Ascension"
    assert holiday_name(date(2024, 5, 20)) == "Lundi de Pentecôte"
    assert holiday_name(date(2027, 5, 6)) == "Ascension"
    assert len(public_holidays(2031)) == 11


def test_working_days_exclude_sundays_and_holidays_but_not_saturdays():
    assert is_working_day(date(2026, 11, 28))  # a Saturday is a jour ouvrable
    assert not is_working_day(date(2026, 11, 29))  # Sunday
    assert not is_working_day(date(2026, 11, 11))  # Armistice, a Wednesday
    assert is_working_day(date(2026, 11, 12))


def test_five_working_days_over_a_holiday_and_a_sunday():
    # Start Monday 9 Nov 2026: 10, 12, 13, 14 (Sat), then Sunday 15 skipped, 16 -> the 5th is Monday 16.
    assert add_working_days(date(2026, 11, 9), 5) == date(2026, 11, 16)
    # Over Christmas and New Year 2026/2027: 24 Dec (Thu) start -> 26, 28, 29, 30, 31 Dec.
    assert add_working_days(date(2026, 12, 24), 5) == date(2026, 12, 31)
    assert add_working_days(date(2026, 12, 29), 5) == date(2027, 1, 5)  # 30, 31, 2, 4, 5


def test_working_days_between_counts_after_the_start():
    assert working_days_between(date(2026, 11, 9), date(2026, 11, 16)) == 5
    assert working_days_between(date(2026, 11, 16), date(2026, 11, 9)) == -5
    assert working_days_between(date(2026, 11, 9), date(2026, 11, 9)) == 0
