"""What the rules and questions derive once from a form: ages, durations, the legal schedule, parameters in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from .codes import (
    PRIORITY_SOCIAL_BENEFITS,
    PRO_PUBLICS_ALLOWED_26_PLUS,
    PRO_PUBLICS_ALLOWED_36_MONTHS,
    ContractKind,
    ContractType,
    ProfessionalisationPublic,
)
from .dates import add_months, age_on, whole_months
from .form import ContractForm
from .legal import LegalParameter, ParameterNotInForce, legal_parameters
from .remuneration import PayPeriod, compute_pay_schedule


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """What the rules need from outside the form."""

    documents: frozenset[str] = field(default_factory=frozenset)
    """Types of the documents attached to the contract (e.g. `convention_formation`)."""
    for_transmission: bool = False
    """True when validating before transmission: missing required fields then block."""
    today: date | None = None
    """The day of validation (used for parameters when the form has no date yet)."""
    as_of: date | None = None
    """A partner's "as of" day: only the SMIC versions that took effect by then price the pay (None: all)."""


class Facts:
    """Lazily derived facts about one form, shared by every rule of one validation run."""

    def __init__(self, form: ContractForm, context: ValidationContext) -> None:
        self.form = form
        self.context = context
        self.contract_type: ContractType | None = form.introduction.contract_type
        self.is_apprenticeship = self.contract_type == ContractType.APPRENTICESHIP
        self.is_professionalisation = self.contract_type == ContractType.PROFESSIONALISATION
        self.start: date | None = form.contract.start_date
        self.end: date | None = form.contract.end_date
        self.birth_date: date | None = form.employee.birth_date

    @cached_property
    def reference_date(self) -> date:
        """The day whose legal parameters apply: the contract start, else its signature, else today."""
        return self.start or self.form.contract.signature_date or self.context.today or date.today()

    def parameter(self, name: str, on: date | None = None) -> LegalParameter:
        return legal_parameters().at(name, on or self.reference_date)

    def value(self, name: str, on: date | None = None) -> Any:
        return legal_parameters().at(name, on or self.reference_date).value

    @cached_property
    def age_at_start(self) -> int | None:
        if self.birth_date is None or self.start is None:
            return None
        return age_on(self.birth_date, self.start)

    @cached_property
    def is_minor_at_start(self) -> bool:
        age = self.age_at_start
        return age is not None and age < self.value("majority_age")

    @cached_property
    def needs_legal_representative(self) -> bool:
        return self.is_minor_at_start and not self.form.employee.emancipated

    @cached_property
    def contract_kind(self) -> ContractKind | None:
        return self.form.introduction.contract_kind

    @cached_property
    def is_amendment(self) -> bool:
        code = self.form.contract.kind_code
        return self.contract_kind == ContractKind.AMENDMENT or (code is not None and code.startswith("3"))

    @cached_property
    def follows_previous_contract(self) -> bool:
        code = self.form.contract.kind_code
        return self.contract_kind in (ContractKind.SUCCESSION, ContractKind.AMENDMENT) or (
            code is not None and code[0] in "23"
        )

    @cached_property
    def has_no_age_limit_exception(self) -> bool:
        """RQTH, listed athlete, business project or failed exam: no upper age limit (L6222-2)."""
        employee = self.form.employee
        return bool(
            employee.disabled_worker or employee.high_level_athlete or employee.business_project or employee.failed_exam
        )

    @cached_property
    def has_successive_contract_exception(self) -> bool:
        """A higher diploma after a previous apprenticeship, or a contract broken independently (up to 35)."""
        employee = self.form.employee
        return bool(employee.pursues_higher_diploma or employee.previous_contract_broken_independently)

    @cached_property
    def receives_priority_benefit(self) -> bool:
        """RSA, ASS or AAH, stated on its own or through the former combined category."""
        employee = self.form.employee
        return employee.social_benefit in PRIORITY_SOCIAL_BENEFITS or employee.public_category in (
            ProfessionalisationPublic.RSA,
            ProfessionalisationPublic.ASS,
            ProfessionalisationPublic.AAH,
        )

    @cached_property
    def is_job_seeker(self) -> bool:
        employee = self.form.employee
        return bool(employee.job_seeker_registered) or (
            employee.public_category == ProfessionalisationPublic.JOB_SEEKER_26_PLUS
        )

    @cached_property
    def pro_open_from_26(self) -> bool:
        """May conclude a professionalisation contract at 26 or older (L6325-1)."""
        return (
            self.is_job_seeker
            or self.receives_priority_benefit
            or self.form.employee.public_category in PRO_PUBLICS_ALLOWED_26_PLUS
        )

    @cached_property
    def pro_open_to_36_months(self) -> bool:
        """May have a professionalisation contract of up to 36 months (L6325-11)."""
        return self.receives_priority_benefit or self.form.employee.public_category in PRO_PUBLICS_ALLOWED_36_MONTHS

    @cached_property
    def weekly_hours(self) -> Decimal:
        hours = self.form.contract.weekly_hours
        return hours if hours else self.value("legal_weekly_hours")

    @cached_property
    def contract_hours(self) -> Decimal | None:
        """Working hours over the contract: the legal annual working time (1,607 h for 35 h a week), prorated to
        the contract's duration (whole months, then the remaining days) and to its weekly hours."""
        if self.start is None or self.end is None or self.end < self.start:
            return None
        annual = Decimal(self.value("legal_annual_working_hours"))
        months = whole_months(self.start, self.end)
        remaining_days = (self.end - add_months(self.start, months)).days + 1
        years = Decimal(months) / Decimal(12) + Decimal(max(remaining_days, 0)) / Decimal(365)
        return annual * years * self.weekly_hours / Decimal(self.value("legal_weekly_hours"))

    @cached_property
    def training_share_percent(self) -> Decimal | None:
        hours = self.form.training.hours
        total = self.contract_hours
        if hours is None or not total:
            return None
        return hours * Decimal(100) / total

    @cached_property
    def pay_schedule_at_signature(self) -> list[PayPeriod] | None:
        """The schedule priced with the SMIC in force when the contract was signed, when a SMIC change falls
        between the signature and the contract's end (None otherwise)."""
        signature = self.form.contract.signature_date
        if signature is None or self.end is None:
            return None
        if not legal_parameters().change_dates("smic_monthly", signature, self.end):
            return None
        try:
            return compute_pay_schedule(self.form, known_on=signature)
        except ParameterNotInForce:
            return None

    @cached_property
    def pay_schedule(self) -> list[PayPeriod] | None:
        """The legal minimum schedule; None when a parameter is not known for the contract's dates."""
        try:
            return compute_pay_schedule(self.form, known_on=self.context.as_of)
        except ParameterNotInForce:
            return None
