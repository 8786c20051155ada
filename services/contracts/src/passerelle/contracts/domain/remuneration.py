"""The legal minimum pay schedule of a contract, period by period.

A new period starts at each anniversary of the contract (year of execution), on the first day of the month after
a birthday that changes the age bracket, and on each day a new SMIC (or pay grid) takes effect: a period never
straddles a SMIC change, so every period is priced with the SMIC in force during all of it.

Apprenticeship (D6222-26 ff.): rate of the grid by age bracket and year, applied to the SMIC; from 21 to the higher
of the SMIC and the branch minimum (SMC); under 16 paid as 16-17; a year beyond the third uses the third year's
rate, raised by 15 points for a recognised disabled apprentice (R6222-48).
Professionalisation (D6325-15 ff.): under 21 and 21-25 a share of the SMIC, higher for holders of at least a
vocational level 4 qualification; from 26 the higher of the SMIC and 85 % of the SMC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .codes import DIPLOMAS, ContractType, PayBase
from .dates import ONE_DAY, add_months, add_years, first_day_of_next_month
from .form import ContractForm
from .legal import legal_parameters

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

BRACKET_LABELS = {
    "under_18": "Moins de 18 ans",
    "18_20": "18 à 20 ans",
    "21_25": "21 à 25 ans",
    "26_plus": "26 ans et plus",
    "under_21": "Moins de 21 ans",
}


@dataclass(frozen=True, slots=True)
class PayPeriod:
    """One period of the legal minimum pay schedule."""

    start: date
    end: date
    year: int
    age_bracket: str
    rate_percent: Decimal  # legal rate, applied to `base_amount`
    minimum_rate_percent: Decimal  # the minimum expressed as a share of the SMIC in force
    base: PayBase
    base_amount: Decimal  # monthly base in euros (SMIC, or the SMC when higher and applicable)
    smic_monthly: Decimal
    minimum_gross_monthly: Decimal
    reference: str

    @property
    def age_bracket_label(self) -> str:
        return BRACKET_LABELS[self.age_bracket]


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _known(day: date, known_on: date | None) -> date:
    """The day whose SMIC prices `day`: itself, unless that SMIC was not known yet on `known_on`."""
    return day if known_on is None or day <= known_on else known_on


def _cut_points(
    start: date,
    end: date,
    birth_date: date,
    thresholds: dict[str, int],
    param_names: tuple[str, ...],
    known_on: date | None = None,
):
    points = {start}
    years = 1
    while (anniversary := add_months(start, 12 * years)) <= end:
        points.add(anniversary)
        years += 1
    for age in thresholds.values():
        if age <= 0:
            continue
        change = first_day_of_next_month(add_years(birth_date, age))
        if start < change <= end:
            points.add(change)
    params = legal_parameters()
    for name in param_names:
        changes = params.change_dates(name, start, end)
        if name == "smic_monthly" and known_on is not None:
            changes = tuple(day for day in changes if day <= known_on)
        points.update(changes)
    ordered = sorted(points)
    return [(day, (ordered[i + 1] - ONE_DAY) if i + 1 < len(ordered) else end) for i, day in enumerate(ordered)]


def _bracket(birth_date: date, on: date, thresholds: dict[str, int]) -> str:
    """The age bracket on a day: a bracket is entered on the first day of the month after the birthday."""
    current = None
    for name, age in sorted(thresholds.items(), key=lambda item: item[1]):
        if age <= 0 or first_day_of_next_month(add_years(birth_date, age)) <= on:
            current = name
    return current or next(iter(thresholds))


def _year_of_execution(start: date, on: date, first_year: int) -> int:
    year = 0
    while add_months(start, 12 * (year + 1)) <= on:
        year += 1
    return first_year + year


def compute_pay_schedule(form: ContractForm, *, known_on: date | None = None) -> list[PayPeriod]:
    """The legal minimum pay of the contract, period by period; empty while type, dates or birth date are missing.

    `known_on` prices the schedule with the SMIC versions known on that day only: a SMIC taking effect after it
    is ignored (the signature, to tell a contract legal when signed from one a later SMIC rise caught up with;
    a partner's "as of" day). Without it every version of the data applies.
    """
    contract_type = form.introduction.contract_type
    terms = form.contract
    birth_date = form.employee.birth_date
    start, end = terms.start_date, terms.end_date
    if contract_type is None or birth_date is None or start is None or end is None or end < start:
        return []
    if contract_type == ContractType.APPRENTICESHIP:
        return _apprenticeship_schedule(form, birth_date, start, end, known_on)
    return _professionalisation_schedule(form, birth_date, start, end, known_on)


def _apprenticeship_schedule(
    form: ContractForm, birth_date: date, start: date, end: date, known_on: date | None = None
) -> list[PayPeriod]:
    params = legal_parameters()
    thresholds = params.value("apprenticeship_pay_brackets", start)
    first_year = form.contract.starting_year_of_execution or 1
    smc = form.contract.branch_minimum_salary
    employee = form.employee
    periods: list[PayPeriod] = []
    for period_start, period_end in _cut_points(
        start, end, birth_date, thresholds, ("smic_monthly", "apprenticeship_pay_grid"), known_on
    ):
        grid = params.at("apprenticeship_pay_grid", period_start)
        smic = params.value("smic_monthly", _known(period_start, known_on))
        bracket = _bracket(birth_date, period_start, thresholds)
        year = _year_of_execution(start, period_start, first_year)
        rates = grid.value[bracket]
        references = [grid.reference]
        if year <= len(rates):
            rate = Decimal(rates[year - 1])
        else:
            # Beyond the grid (4th year): the last year's rate (L6222-11 after a failed exam), raised for a
            # recognised disabled apprentice whose contract is extended (R6222-48).
            rate = Decimal(rates[-1])
            if employee.disabled_worker:
                raise_points = params.at("apprenticeship_disabled_extension_raise_points", period_start)
                rate += Decimal(raise_points.value)
                references.append(raise_points.reference)
        base, base_amount = PayBase.SMIC, smic
        smc_applies = thresholds[bracket] >= params.value("apprenticeship_smc_base_from_age", period_start)
        if smc is not None and smc_applies and smc > smic:
            base, base_amount = PayBase.SMC, smc
        minimum = _money(base_amount * rate / HUNDRED)
        periods.append(
            PayPeriod(
                start=period_start,
                end=period_end,
                year=year,
                age_bracket=bracket,
                rate_percent=rate,
                minimum_rate_percent=_money(minimum * HUNDRED / smic),
                base=base,
                base_amount=base_amount,
                smic_monthly=smic,
                minimum_gross_monthly=minimum,
                reference=" ; ".join(references),
            )
        )
    return periods


def holds_vocational_level_4(form: ContractForm) -> bool:
    diploma = DIPLOMAS.get(form.employee.highest_diploma or "")
    return bool(diploma and diploma.professional_level_4_or_higher)


def _professionalisation_schedule(
    form: ContractForm, birth_date: date, start: date, end: date, known_on: date | None = None
) -> list[PayPeriod]:
    params = legal_parameters()
    thresholds = params.value("professionalisation_pay_brackets", start)
    smc = form.contract.branch_minimum_salary
    qualified = holds_vocational_level_4(form)
    periods: list[PayPeriod] = []
    for period_start, period_end in _cut_points(
        start, end, birth_date, thresholds, ("smic_monthly", "professionalisation_pay_rates"), known_on
    ):
        smic = params.value("smic_monthly", _known(period_start, known_on))
        bracket = _bracket(birth_date, period_start, thresholds)
        year = _year_of_execution(start, period_start, 1)
        if bracket == "26_plus":
            smic_share = params.at("professionalisation_26_plus_smic_share", period_start)
            smc_share = params.at("professionalisation_26_plus_smc_share", period_start)
            rate, base, base_amount = Decimal(smic_share.value), PayBase.SMIC, smic
            if smc is not None:
                from_smc = smc * Decimal(smc_share.value) / HUNDRED
                if from_smc > smic * rate / HUNDRED:
                    rate, base, base_amount = Decimal(smc_share.value), PayBase.SMC, smc
            reference = smc_share.reference
        else:
            rates = params.at("professionalisation_pay_rates", period_start)
            rate = Decimal(rates.value[bracket]["qualified" if qualified else "standard"])
            base, base_amount = PayBase.SMIC, smic
            reference = rates.reference
        minimum = _money(base_amount * rate / HUNDRED)
        periods.append(
            PayPeriod(
                start=period_start,
                end=period_end,
                year=year,
                age_bracket=bracket,
                rate_percent=rate,
                minimum_rate_percent=_money(minimum * HUNDRED / smic),
                base=base,
                base_amount=base_amount,
                smic_monthly=smic,
                minimum_gross_monthly=minimum,
                reference=reference,
            )
        )
    return periods


def minimum_over(schedule: list[PayPeriod], start: date, end: date) -> Decimal | None:
    """The highest legal minimum among the periods overlapping [start, end] (None if none overlaps)."""
    amounts = [p.minimum_gross_monthly for p in schedule if p.start <= end and start <= p.end]
    return max(amounts) if amounts else None
