"""Every rule fires on a contract that breaks it and stays silent on the complete valid contracts.

Each case's test id carries the rule's legal reference, e.g.
`test_rule_fails[APPRENTICE_AGE_MAX — Code du travail, art. L6222-1, L6222-2 et D6222-1-1]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from passerelle.contracts.domain.codes import ContractType
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.rules import Severity, all_rules, get_rule, validate
from passerelle.contracts.testing.samples import (
    complete_apprenticeship_form,
    complete_professionalisation_form,
    sample_documents,
    with_changes,
)

APP = "apprentissage"
PRO = "professionnalisation"


@dataclass(frozen=True)
class Case:
    rule_id: str
    kind: str
    breaking: dict[str, Any]
    passing: dict[str, Any] | None = None  # a variant that is close to breaking the rule but must not
    documents: frozenset[str] | None = None
    today_offset_days: int | None = None
    severity: Severity = Severity.ERROR


def _base(kind: str):
    return complete_apprenticeship_form() if kind == APP else complete_professionalisation_form()


def _context(case: Case, form, passing: bool = False) -> ValidationContext:
    documents = sample_documents() if case.documents is None or passing else case.documents
    today = form.contract.start_date
    if case.today_offset_days is not None and not passing and today is not None:
        today = date.fromordinal(today.toordinal() + case.today_offset_days)
    return ValidationContext(documents=documents, for_transmission=True, today=today)


CASES = [
    # Salarié / Apprenti: ages and their exceptions
    Case(
        "APPRENTICE_AGE_MIN",
        APP,
        {"employee.birth_date": date(2010, 10, 1)},
        passing={
            "employee.birth_date": date(2010, 5, 1),
            "employee.completed_middle_school": True,
            "contract.derogation_code": "11",
        },
    ),
    Case(
        "APPRENTICE_AGE_MAX",
        APP,
        {"employee.birth_date": date(1990, 1, 1)},
        passing={"employee.birth_date": date(1970, 1, 1), "employee.disabled_worker": True},
    ),
    Case(
        "APPRENTICE_AGE_EXCEPTION_DELAY",
        APP,
        {
            "employee.birth_date": date(1994, 1, 1),
            "employee.pursues_higher_diploma": True,
            "employee.previous_apprenticeship_end_date": date(2023, 6, 30),
        },
        passing={
            "employee.birth_date": date(1994, 1, 1),
            "employee.pursues_higher_diploma": True,
            "employee.previous_apprenticeship_end_date": date(2025, 6, 30),
        },
    ),
    Case("PRO_AGE_MIN", PRO, {"employee.birth_date": date(2010, 1, 1)}),
    Case(
        "PRO_AGE_PUBLIC",
        PRO,
        {"employee.birth_date": date(1990, 1, 1)},
        passing={"employee.birth_date": date(1990, 1, 1), "employee.public_category": "job_seeker_26_plus"},
    ),
    Case(
        "LEGAL_REPRESENTATIVE_REQUIRED",
        APP,
        {"employee.legal_representative": None},
        passing={"employee.legal_representative": None, "employee.emancipated": True},
    ),
    Case("BIRTH_DATE_BEFORE_START", APP, {"employee.birth_date": date(2025, 9, 1)}),
    # Dates that must agree
    Case("CONTRACT_END_AFTER_START", APP, {"contract.end_date": date(2025, 8, 1)}),
    Case(
        "SIGNATURE_BEFORE_START",
        APP,
        {"contract.signature_date": date(2025, 9, 2)},
        passing={"contract.signature_date": date(2025, 9, 1)},
    ),
    Case(
        "PRACTICAL_TRAINING_START_WINDOW",
        APP,
        {"contract.practical_training_start_date": date(2025, 12, 15)},
        passing={"contract.practical_training_start_date": date(2025, 12, 1)},
    ),
    Case(
        "TRAINING_START_WINDOW",
        APP,
        {"training.start_date": date(2025, 5, 31)},
        passing={"training.start_date": date(2025, 6, 1)},
    ),
    Case("TRAINING_END_WITHIN_CONTRACT", APP, {"training.end_date": date(2027, 9, 30)}),
    Case(
        "CONTRACT_END_AFTER_TRAINING",
        APP,
        {"training.end_date": date(2027, 3, 31)},
        passing={"training.end_date": date(2027, 5, 31)},
    ),
    Case(
        "AMENDMENT_DATE_WITHIN_CONTRACT",
        APP,
        {
            "introduction.contract_kind": "amendment",
            "contract.kind_code": "36",
            "contract.previous_contract_number": "075202509000123",
            "contract.amendment_effective_date": date(2028, 1, 1),
        },
        passing={
            "introduction.contract_kind": "amendment",
            "contract.kind_code": "36",
            "contract.previous_contract_number": "075202509000123",
            "contract.amendment_effective_date": date(2026, 1, 1),
        },
    ),
    # Documents and filing
    Case("TRAINING_AGREEMENT_DOCUMENT", APP, {}, documents=frozenset({"cerfa_signe"})),
    Case("DURATION_AGREEMENT_DOCUMENT", APP, {"contract.derogation_code": "21"}, severity=Severity.WARNING),
    Case("MOBILITY_AGREEMENT_DOCUMENT", PRO, {"contract.international_mobility": True}, severity=Severity.WARNING),
    Case("SIGNED_CERFA_DOCUMENT", APP, {}, documents=frozenset({"convention_formation"}), severity=Severity.WARNING),
    Case("FILING_DELAY", APP, {}, today_offset_days=10, severity=Severity.WARNING),
    # Durations
    Case(
        "APPRENTICESHIP_DURATION_MIN",
        APP,
        {"contract.end_date": date(2026, 2, 27), "training.end_date": date(2026, 2, 1)},
        passing={"contract.end_date": date(2026, 2, 28), "training.end_date": date(2026, 2, 1)},
    ),
    Case(
        "APPRENTICESHIP_DURATION_MAX",
        APP,
        {"contract.end_date": date(2028, 9, 30), "training.end_date": date(2028, 6, 30)},
        passing={
            "contract.end_date": date(2028, 9, 30),
            "training.end_date": date(2028, 6, 30),
            "employee.disabled_worker": True,
        },
    ),
    Case("PRO_DURATION_MIN", PRO, {"contract.end_date": date(2026, 3, 31), "training.end_date": date(2026, 3, 1)}),
    Case("PRO_DURATION_EXTENDED", PRO, {"contract.end_date": date(2027, 4, 5)}, severity=Severity.WARNING),
    Case(
        "PRO_DURATION_MAX",
        PRO,
        {"contract.end_date": date(2028, 4, 5), "training.end_date": date(2028, 3, 1)},
        passing={
            "contract.end_date": date(2028, 4, 5),
            "training.end_date": date(2028, 3, 1),
            "employee.public_category": "rsa",
        },
    ),
    # Identifiers and formats
    Case("SIRET_FORMAT", APP, {"employer.siret": "8120832850001"}),
    Case("SIRET_CHECKSUM", APP, {"employer.siret": "81208328500014"}, passing={"employer.siret": "35600000049837"}),
    Case("UAI_FORMAT", APP, {"training.organisation.uai": "075432P"}),
    Case("UAI_CHECKSUM", APP, {"training.organisation.uai": "0754321A"}),
    Case("NIR_FORMAT", APP, {"employee.nir": "1080375111024"}),
    Case("NIR_CHECKSUM", APP, {"employee.nir": "108037511102448"}),
    Case("NIR_IDENTITY_MISMATCH", APP, {"employee.sex": "F"}),
    Case("NAF_FORMAT", APP, {"employer.naf_code": "1071C"}),
    Case(
        "ACTIVITY_DECLARATION_FORMAT",
        PRO,
        {"training.organisation.activity_declaration_number": "9313123451"},
        passing={"training.organisation.activity_declaration_number": "93 13 12345 13"},
    ),
    Case(
        "BIRTH_PLACE_CONSISTENT",
        APP,
        {"employee.born_abroad": True},
        passing={"employee.born_abroad": True, "employee.birth_department": "99", "employee.nir": None},
    ),
    Case("IDCC_FORMAT", APP, {"employer.idcc": "843"}, passing={"employer.idcc": "9998"}),
    Case("RNCP_FORMAT", APP, {"training.qualification.rncp_code": "37680"}),
    Case("DIPLOMA_CODE_FORMAT", APP, {"training.qualification.diploma_code": "5002214"}),
    Case("POSTCODE_FORMAT", APP, {"employer.address.postcode": "7501"}, passing={"employer.address.postcode": "20000"}),
    Case("PHONE_FORMAT", APP, {"employee.phone": "12 34"}, passing={"employee.phone": "+33 6 12 34 56 78"}),
    Case("EMAIL_FORMAT", APP, {"tutors[0].email": "marc.dupain@"}),
    Case("DIPLOMA_LIST_CODE", APP, {"employee.highest_diploma": "99"}),
    Case("EMPLOYER_HEADCOUNT_POSITIVE", APP, {"employer.headcount": 0}, severity=Severity.WARNING),
    # Kind and derogation codes
    Case("KIND_CODE_MATCHES_KIND", APP, {"contract.kind_code": "21"}),
    Case(
        "PREVIOUS_CONTRACT_NUMBER_REQUIRED",
        APP,
        {"introduction.contract_kind": "succession", "contract.kind_code": "22"},
        passing={
            "introduction.contract_kind": "succession",
            "contract.kind_code": "22",
            "contract.previous_contract_number": "075202409000321",
        },
    ),
    Case(
        "AMENDMENT_EFFECTIVE_DATE_REQUIRED",
        APP,
        {
            "introduction.contract_kind": "amendment",
            "contract.kind_code": "36",
            "contract.previous_contract_number": "075202509000123",
        },
    ),
    Case(
        "AMENDMENT_FIELDS_UNEXPECTED",
        APP,
        {"contract.amendment_effective_date": date(2026, 1, 1)},
        severity=Severity.WARNING,
    ),
    Case(
        "DEROGATION_CODE_REQUIRED",
        APP,
        {"employee.birth_date": date(2010, 5, 1), "employee.completed_middle_school": True},
        passing={
            "employee.birth_date": date(2010, 5, 1),
            "employee.completed_middle_school": True,
            "contract.derogation_code": "11",
        },
    ),
    Case("DEROGATION_CODE_UNJUSTIFIED", APP, {"contract.derogation_code": "11"}),
    Case("EMPLOYER_TYPE_SECTOR", APP, {"employer.employer_type": "22"}),
    # Pay
    Case(
        "PAY_BELOW_MINIMUM",
        APP,
        {"contract.pay_schedule[2].gross_monthly": Decimal("700.00")},
        passing={"contract.pay_schedule[2].gross_monthly": Decimal("783.90")},
    ),
    Case(
        "HIRING_SALARY_BELOW_MINIMUM",
        PRO,
        {"contract.hiring_salary": Decimal("1441.43")},
        passing={"contract.hiring_salary": Decimal("1441.44")},
    ),
    Case(
        "PAY_SCHEDULE_INCOMPLETE",
        APP,
        {"contract.pay_schedule[3].end_date": date(2027, 6, 30)},
        severity=Severity.WARNING,
    ),
    # Required fields and attestations (blocking for transmission)
    Case("INTRODUCTION_REQUIRED", APP, {"introduction.employer_sector": None}),
    Case("EMPLOYER_REQUIRED", APP, {"employer.name": " "}),
    Case("EMPLOYEE_REQUIRED", PRO, {"employee.first_name": None}),
    Case("TUTOR_REQUIRED", APP, {"tutors[0].job_title": None}),
    Case("CONTRACT_REQUIRED", APP, {"contract.signature_date": None}),
    Case("TRAINING_REQUIRED", PRO, {"training.hours_in_organisation": None}),
    Case("ATTESTATIONS_REQUIRED", APP, {"synthesis.employer_attests_accuracy": False}),
    # Training share
    # 2 years at 35 h a week: 2 x 1,607 h = 3,214 h of work, 25 % is 803.5 h (L6211-2 and L3121-41).
    Case(
        "TRAINING_SHARE_MIN",
        APP,
        {"training.hours": Decimal("803")},
        passing={"training.hours": Decimal("804")},
        severity=Severity.WARNING,
    ),
    Case(
        "PRO_TRAINING_SHARE_MIN",
        PRO,
        # 12 months at 35 h a week: 1,607 h; 15 % is 241.05 h.
        {"training.hours": Decimal("241"), "training.hours_in_organisation": Decimal("241")},
        passing={"training.hours": Decimal("242"), "training.hours_in_organisation": Decimal("242")},
    ),
    Case(
        "PRO_TRAINING_SHARE_MAX",
        PRO,
        {"training.hours": Decimal("500"), "training.hours_in_organisation": Decimal("500")},
        severity=Severity.WARNING,
    ),
    Case(
        "PRO_TRAINING_HOURS_MIN",
        PRO,
        {
            "contract.end_date": date(2026, 4, 5),
            "training.end_date": date(2026, 4, 1),
            "training.hours": Decimal("140"),
            "training.hours_in_organisation": Decimal("140"),
        },
        passing={
            "contract.end_date": date(2026, 4, 5),
            "training.end_date": date(2026, 4, 1),
            "training.hours": Decimal("150"),
            "training.hours_in_organisation": Decimal("150"),
        },
    ),
    Case("PRO_TRAINING_HOURS_SPLIT", PRO, {"training.hours_internal_service": Decimal("20")}),
    # Tutors
    Case("TUTOR_COUNT", APP, {"tutors": []}),
    Case(
        "TUTOR_AGE_MIN",
        APP,
        {"tutors[0].birth_date": date(2008, 1, 1)},
        passing={"tutors[0].birth_date": date(2007, 9, 1)},
    ),
    Case(
        "TUTOR_EXPERIENCE",
        APP,
        {"tutors[0].experience_years": 1, "tutors[0].related_diploma": False},
        passing={"tutors[0].experience_years": 1, "tutors[0].related_diploma": True},
        severity=Severity.WARNING,
    ),
    Case(
        "PRO_TUTOR_EXPERIENCE",
        PRO,
        {"tutors[0].experience_years": 1, "tutors[0].experience_months": 11},
        passing={"tutors[0].experience_years": 2, "tutors[0].experience_months": 0},
    ),
    Case(
        "TUTOR_APPRENTICE_LIMIT",
        APP,
        {"tutors[0].apprentices_supervised": 2},
        passing={"tutors[0].apprentices_supervised": 2, "tutors[0].supervises_repeating_apprentice": True},
    ),
    Case(
        "PRO_TUTOR_LIMIT", PRO, {"tutors[0].apprentices_supervised": 3}, passing={"tutors[0].apprentices_supervised": 2}
    ),
    # Working time
    Case(
        "WEEKLY_HOURS_MAX",
        PRO,
        {"contract.weekly_hours": Decimal("49")},
        passing={"contract.weekly_hours": Decimal("48")},
    ),
    Case(
        "MINOR_WEEKLY_HOURS_MAX",
        APP,
        {"contract.weekly_hours": Decimal("41")},
        passing={"contract.weekly_hours": Decimal("35")},
    ),
    Case("DANGEROUS_WORK_MINOR", APP, {"contract.dangerous_work": True}, severity=Severity.WARNING),
    # Legal data: a contract dated before the versioned parameters is reported, never crashes the engine
    Case(
        "LEGAL_PARAMETERS_IN_FORCE",
        PRO,
        {"contract.start_date": date(2019, 9, 2), "contract.signature_date": date(2019, 8, 30)},
        passing={"contract.start_date": date(2024, 1, 1), "contract.signature_date": date(2023, 12, 20)},
    ),
]


def _case_id(case: Case) -> str:
    return f"{case.rule_id} — {get_rule(case.rule_id).reference}"


def test_every_rule_has_a_case():
    """Every registered rule is exercised by this table (failing and passing)."""
    covered = {case.rule_id for case in CASES}
    assert {rule.id for rule in all_rules()} - covered == set()
    assert len(CASES) == len(covered)


@pytest.mark.parametrize("kind", [APP, PRO])
def test_complete_contracts_have_no_findings(kind):
    """The complete sample contracts satisfy every rule (the passing case of each rule)."""
    form = _base(kind)
    context = ValidationContext(documents=sample_documents(), for_transmission=True, today=form.contract.start_date)
    assert validate(form, context) == []


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_rule_fails(case: Case):
    """The rule reports the broken contract, with its severity, its legal reference and a French message."""
    form = with_changes(_base(case.kind), case.breaking)
    findings = [f for f in validate(form, _context(case, form)) if f.rule_id == case.rule_id]
    assert findings, f"{case.rule_id} did not fire"
    rule = get_rule(case.rule_id)
    for finding in findings:
        assert finding.severity == case.severity
        assert finding.reference == rule.reference
        assert finding.message and finding.message[0].isupper()
        assert ContractType(case.kind) in rule.applies_to


@pytest.mark.parametrize("case", [c for c in CASES if c.passing is not None], ids=_case_id)
def test_rule_passes_near_the_limit(case: Case):
    """A contract on the right side of the limit (or within the legal exception) is not reported."""
    form = with_changes(_base(case.kind), case.passing)
    findings = [f for f in validate(form, _context(case, form, passing=True)) if f.rule_id == case.rule_id]
    assert findings == []
