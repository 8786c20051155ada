"""Pay at or above the legal minimum, period by period, compared with the computed schedule."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..codes import PayBase
from ..dates import ONE_DAY
from ..facts import Facts
from ..legal import legal_parameters
from ..remuneration import HUNDRED, PayPeriod, minimum_over
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, BOTH_TYPES, Hit, Severity, rule

_PAY_REFERENCE = (
    "Code du travail, art. D6222-26 à D6222-36 (apprentissage) ; D6325-15 à D6325-18 (professionnalisation)"
)


def euros(amount: Decimal) -> str:
    whole, _, cents = f"{amount:.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return "\u202f".join(groups) + "," + cents + " €"


def _required_for(schedule: list[PayPeriod], period, facts: Facts) -> Decimal | None:
    if period.start_date is not None and period.end_date is not None:
        return minimum_over(schedule, period.start_date, period.end_date)
    if period.year is not None:
        amounts = [p.minimum_gross_monthly for p in schedule if p.year == period.year]
        return max(amounts) if amounts else None
    return None


def _declared_amount(period, facts: Facts, schedule: list[PayPeriod]) -> Decimal | None:
    if period.gross_monthly is not None:
        return period.gross_monthly
    if period.rate_percent is None:
        return None
    overlapping = [
        p
        for p in schedule
        if period.start_date is None
        or period.end_date is None
        or (p.start <= period.end_date and period.start_date <= p.end)
    ]
    if not overlapping:
        return None
    smic = overlapping[0].smic_monthly
    smc = facts.form.contract.branch_minimum_salary
    base = smc if period.base == PayBase.SMC and smc is not None else smic
    return (base * period.rate_percent / HUNDRED).quantize(Decimal("0.01"))


@rule(
    id="PAY_BELOW_MINIMUM",
    tab=Tab.CONTRACT,
    fields=("contract.pay_schedule[].gross_monthly", "contract.pay_schedule[].rate_percent"),
    message="La rémunération déclarée pour cette période est inférieure au minimum légal.",
    reference=_PAY_REFERENCE,
    applies_to=BOTH_TYPES,
)
def pay_below_minimum(facts: Facts) -> Iterator[Hit]:
    declared = facts.form.contract.pay_schedule
    schedule = facts.pay_schedule
    if not declared or not schedule:
        return
    at_signature = facts.pay_schedule_at_signature
    for index, period in enumerate(declared):
        required = _required_for(schedule, period, facts)
        amount = _declared_amount(period, facts, schedule)
        if required is None or amount is None or amount >= required:
            continue
        field = (
            f"contract.pay_schedule[{index}].{'gross_monthly' if period.gross_monthly is not None else 'rate_percent'}"
        )
        required_when_signed = _required_for(at_signature, period, facts) if at_signature else None
        if required_when_signed is not None and amount >= required_when_signed:
            yield _smic_rise_hit(field, amount, required, facts)
            continue
        yield Hit(
            field,
            f"La rémunération déclarée ({euros(amount)} brut par "
            "mois) est inférieure au minimum légal de cette période "
            f"({euros(required)}).",
        )


def _smic_rise_hit(field: str, amount: Decimal, required: Decimal, facts: Facts) -> Hit:
    """Legal when signed, short only because the SMIC rose since: the employer must raise the pay, not re-sign."""
    signature = facts.form.contract.signature_date
    end = facts.end
    rises = legal_parameters().change_dates("smic_monthly", signature, end) if signature is not None and end else ()
    when = f" le {rises[0]:%d/%m/%Y}" if rises else ""
    return Hit(
        field,
        f"Le SMIC a été relevé{when}, après la signature du contrat : la rémunération déclarée ({euros(amount)} brut "
        f"par mois) était légale à la signature mais doit être portée à {euros(required)} pour cette période.",
        Severity.WARNING,
    )


@rule(
    id="HIRING_SALARY_BELOW_MINIMUM",
    tab=Tab.CONTRACT,
    fields=("contract.hiring_salary",),
    message="Le salaire brut mensuel à l'embauche est inférieur au minimum légal du début du contrat.",
    reference=_PAY_REFERENCE,
    applies_to=BOTH_TYPES,
)
def hiring_salary_below_minimum(facts: Facts) -> Iterator[Hit]:
    salary = facts.form.contract.hiring_salary
    schedule = facts.pay_schedule
    if salary is None or not schedule:
        return
    minimum = schedule[0].minimum_gross_monthly
    if salary < minimum:
        at_signature = facts.pay_schedule_at_signature
        if at_signature and salary >= at_signature[0].minimum_gross_monthly:
            yield _smic_rise_hit("contract.hiring_salary", salary, minimum, facts)
            return
        yield Hit(
            "contract.hiring_salary",
            f"Le salaire à l'embauche ({euros(salary)}) est inférieur au minimum légal au début du contrat "
            f"({euros(minimum)}, soit {schedule[0].rate_percent} % du {schedule[0].base.label}).",
        )


@rule(
    id="PAY_SCHEDULE_INCOMPLETE",
    tab=Tab.CONTRACT,
    fields=("contract.pay_schedule",),
    message="Les périodes de rémunération déclarées ne couvrent pas toute la durée du contrat.",
    reference=_PAY_REFERENCE,
    severity=Severity.WARNING,
    applies_to=APPRENTICESHIP_ONLY,
)
def pay_schedule_incomplete(facts: Facts) -> Iterator[Hit]:
    declared = facts.form.contract.pay_schedule
    if not declared or facts.start is None or facts.end is None or facts.end < facts.start:
        return
    dated = sorted((p.start_date, p.end_date) for p in declared if p.start_date and p.end_date)
    if len(dated) != len(declared):
        return  # undated periods are matched by year; coverage cannot be checked
    covered_until = facts.start - ONE_DAY
    for start, end in dated:
        if start > covered_until + ONE_DAY:
            break
        covered_until = max(covered_until, end)
    if covered_until < facts.end:
        yield Hit("contract.pay_schedule")
