"""The legal minimum pay schedule: Code du travail, art. D6222-26 ff. (apprenticeship), R6222-48 (RQTH +15 points),
L6222-11 (4th year after a failed exam), D6325-15 ff. (professionalisation)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from passerelle.contracts.domain.codes import PayBase
from passerelle.contracts.domain.remuneration import compute_pay_schedule, minimum_over
from passerelle.contracts.testing.samples import (
    complete_apprenticeship_form,
    complete_professionalisation_form,
    with_changes,
)


def _apprentice(**changes):
    return with_changes(complete_apprenticeship_form(), changes)


def _schedule(form):
    return [
        (p.start, p.end, p.year, p.age_bracket, p.rate_percent, p.base, p.minimum_gross_monthly)
        for p in compute_pay_schedule(form)
    ]


def test_bracket_changes_on_the_first_day_of_the_month_after_the_birthday_and_smic_2026():
    """D6222-26 / D6222-34: 18 on 14 March 2026 -> 18-20 rate from 1 April 2026; SMIC 2024 then 2026 values."""
    assert _schedule(complete_apprenticeship_form()) == [
        (date(2025, 9, 1), date(2025, 12, 31), 1, "under_18", 27, PayBase.SMIC, Decimal("486.49")),
        (date(2026, 1, 1), date(2026, 3, 31), 1, "under_18", 27, PayBase.SMIC, Decimal("492.22")),
        (date(2026, 4, 1), date(2026, 8, 31), 1, "18_20", 43, PayBase.SMIC, Decimal("783.90")),
        (date(2026, 9, 1), date(2027, 8, 31), 2, "18_20", 51, PayBase.SMIC, Decimal("929.75")),
    ]


def test_birthday_on_the_first_of_a_month_changes_the_next_month():
    """D6222-34: the new rate applies from the first day of the month *following* the birthday."""
    periods = compute_pay_schedule(_apprentice(**{"employee.birth_date": date(2008, 4, 1)}))
    assert [(p.start, p.age_bracket) for p in periods][1:3] == [
        (date(2026, 1, 1), "under_18"),
        (date(2026, 5, 1), "18_20"),
    ]


def test_smic_in_force_per_period():
    """A period never straddles the 1 January 2026 SMIC change: 1801.80 € before, 1823.03 € after."""
    periods = compute_pay_schedule(complete_apprenticeship_form())
    assert periods[0].end == date(2025, 12, 31) and periods[0].smic_monthly == Decimal("1801.80")
    assert periods[1].start == date(2026, 1, 1) and periods[1].smic_monthly == Decimal("1823.03")


def test_under_16_is_paid_as_16_17():
    """D6222-26: an apprentice under 16 gets the under-18 rate."""
    periods = compute_pay_schedule(_apprentice(**{"employee.birth_date": date(2010, 5, 1)}))
    assert periods[0].age_bracket == "under_18" and periods[0].rate_percent == 27


def test_from_21_the_base_is_the_branch_minimum_when_higher():
    """D6222-26: from 21, the rate applies to the higher of the SMIC and the SMC."""
    form = _apprentice(**{"employee.birth_date": date(2003, 1, 15), "contract.branch_minimum_salary": Decimal("2500")})
    first = compute_pay_schedule(form)[0]
    assert (first.age_bracket, first.rate_percent, first.base, first.minimum_gross_monthly) == (
        "21_25",
        53,
        PayBase.SMC,
        Decimal("1325.00"),
    )
    assert first.minimum_rate_percent == Decimal("73.54")  # 1325 / 1801.80


def test_under_21_ignores_the_branch_minimum():
    form = _apprentice(**{"contract.branch_minimum_salary": Decimal("2500")})
    assert {p.base for p in compute_pay_schedule(form)} == {PayBase.SMIC}


def test_branch_minimum_below_smic_keeps_the_smic():
    form = _apprentice(**{"employee.birth_date": date(2003, 1, 15), "contract.branch_minimum_salary": Decimal("1500")})
    assert compute_pay_schedule(form)[0].base == PayBase.SMIC


def test_fourth_year_after_failed_exam_uses_third_year_rates():
    """L6222-11: the extension year is paid at the rate of the last year."""
    form = _apprentice(
        **{
            "employee.birth_date": date(2004, 1, 15),
            "employee.failed_exam": True,
            "contract.end_date": date(2029, 8, 31),
        }
    )
    fourth = [p for p in compute_pay_schedule(form) if p.year == 4]
    assert fourth and {p.rate_percent for p in fourth} == {78}


def test_disabled_apprentice_extension_raises_the_last_rate_by_15_points():
    """R6222-48: the rate of the last year is raised by 15 points for the extension (78 % -> 93 %)."""
    form = _apprentice(
        **{
            "employee.birth_date": date(2004, 1, 15),
            "employee.disabled_worker": True,
            "contract.end_date": date(2029, 8, 31),
        }
    )
    fourth = [p for p in compute_pay_schedule(form) if p.year == 4]
    assert {p.rate_percent for p in fourth} == {93}
    assert fourth[0].minimum_gross_monthly == Decimal("1695.42")  # 93 % of 1823.03
    assert "R6222-48" in fourth[0].reference


def test_starting_in_second_year():
    """D6222-28-1: a contract starting in the 2nd year of execution is paid the 2nd year rates."""
    form = _apprentice(**{"contract.starting_year_of_execution": 2})
    assert compute_pay_schedule(form)[0].year == 2 and compute_pay_schedule(form)[0].rate_percent == 39


def test_26_and_over_apprentice_gets_100_percent():
    form = _apprentice(**{"employee.birth_date": date(1995, 1, 1), "employee.disabled_worker": True})
    assert {p.rate_percent for p in compute_pay_schedule(form)} == {100}


def _pro(**changes):
    return with_changes(complete_professionalisation_form(), changes)


def test_pro_21_25_with_bac_pro_level_is_80_percent():
    """D6325-15: 21 to 25, 80 % of the SMIC with at least a vocational level 4 qualification (BTS here)."""
    periods = compute_pay_schedule(complete_professionalisation_form())
    assert [(p.rate_percent, p.minimum_gross_monthly) for p in periods] == [
        (80, Decimal("1441.44")),
        (80, Decimal("1458.42")),
    ]


def test_pro_21_25_without_qualification_is_70_percent():
    periods = compute_pay_schedule(_pro(**{"employee.highest_diploma": "33"}))
    assert {p.rate_percent for p in periods} == {70}


def test_pro_under_21_is_55_or_65_percent():
    young = {"employee.birth_date": date(2006, 2, 10)}
    assert compute_pay_schedule(_pro(**young, **{"employee.highest_diploma": "33"}))[0].rate_percent == 55
    assert compute_pay_schedule(_pro(**young, **{"employee.highest_diploma": "41"}))[0].rate_percent == 65
    assert compute_pay_schedule(_pro(**young, **{"employee.highest_diploma": "42"}))[0].rate_percent == 55


def test_pro_turning_21_changes_rate_the_month_after():
    periods = compute_pay_schedule(_pro(**{"employee.birth_date": date(2005, 2, 10), "employee.highest_diploma": "33"}))
    assert [(p.start, p.rate_percent) for p in periods] == [
        (date(2025, 10, 6), 55),
        (date(2026, 1, 1), 55),
        (date(2026, 3, 1), 70),
    ]


def test_pro_26_plus_is_the_higher_of_smic_and_85_percent_of_smc():
    """D6325-18: from 26, at least the SMIC and at least 85 % of the branch minimum."""
    older = {"employee.birth_date": date(1990, 1, 1), "employee.public_category": "job_seeker_26_plus"}
    high = compute_pay_schedule(_pro(**older, **{"contract.branch_minimum_salary": Decimal("2500")}))[0]
    assert (high.rate_percent, high.base, high.minimum_gross_monthly) == (85, PayBase.SMC, Decimal("2125.00"))
    low = compute_pay_schedule(_pro(**older, **{"contract.branch_minimum_salary": Decimal("2000")}))[0]
    assert (low.rate_percent, low.base, low.minimum_gross_monthly) == (100, PayBase.SMIC, Decimal("1801.80"))


def test_missing_data_gives_an_empty_schedule():
    assert compute_pay_schedule(_apprentice(**{"employee.birth_date": None})) == []
    assert compute_pay_schedule(_apprentice(**{"contract.end_date": None})) == []


def test_minimum_over_takes_the_highest_overlapping_period():
    periods = compute_pay_schedule(complete_apprenticeship_form())
    assert minimum_over(periods, date(2026, 3, 1), date(2026, 4, 30)) == Decimal("783.90")
    assert minimum_over(periods, date(2030, 1, 1), date(2030, 2, 1)) is None
