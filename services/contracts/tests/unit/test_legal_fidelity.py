"""Issue #11: the legal rules corrected against the Code du travail, and the facts a complete CERFA holds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.holidays import easter_sunday, is_working_day, public_holidays, working_days_after
from passerelle.contracts.domain.remuneration import compute_pay_schedule
from passerelle.contracts.domain.rules import Severity, validate
from passerelle.contracts.testing.samples import (
    complete_apprenticeship_form,
    complete_professionalisation_form,
    sample_documents,
    with_changes,
    with_declared_minimum_pay,
)


def _findings(form, rule_id: str, today: date | None = None):
    context = ValidationContext(
        documents=sample_documents(), for_transmission=True, today=today or form.contract.start_date
    )
    return [f for f in validate(form, context) if f.rule_id == rule_id]


def _blocking(form, today: date | None = None):
    context = ValidationContext(
        documents=sample_documents(), for_transmission=True, today=today or form.contract.start_date
    )
    return [f for f in validate(form, context) if f.blocking]


# --- Training share on the legal annual working time (L6211-2, L3121-41) --------------------------------------


def test_training_share_is_read_on_1607_hours_a_year():
    """850 h over a 2-year contract is 26.4 % of 3,214 h (not 23.3 % of 35 h x 104 weeks): nothing to report."""
    form = with_changes(complete_apprenticeship_form(), {"training.hours": Decimal("850")})
    assert _findings(form, "TRAINING_SHARE_MIN") == []


def test_training_share_below_25_percent_is_a_warning_naming_the_certifier():
    form = with_changes(complete_apprenticeship_form(), {"training.hours": Decimal("700")})
    [finding] = _findings(form, "TRAINING_SHARE_MIN")
    assert finding.severity == Severity.WARNING
    assert "certificateur" in finding.message and "1\u202f607" in finding.message
    assert not [f for f in _blocking(form) if f.rule_id == "TRAINING_SHARE_MIN"]


def test_training_share_follows_part_time_weekly_hours():
    """At 28 h a week the annual working time is 1,607 x 28 / 35 = 1,285.6 h: 700 h over 2 years is 27 %."""
    form = with_changes(
        complete_apprenticeship_form(), {"training.hours": Decimal("700"), "contract.weekly_hours": Decimal("28")}
    )
    assert _findings(form, "TRAINING_SHARE_MIN") == []


# --- Amendments and the signature date ---------------------------------------------------------------------


def test_amendment_signed_after_the_contract_start_is_not_refused():
    form = with_changes(
        complete_apprenticeship_form(),
        {
            "introduction.contract_kind": "amendment",
            "contract.kind_code": "36",
            "contract.previous_contract_number": "075202509000123",
            "contract.signature_date": date(2026, 1, 10),
            "contract.amendment_effective_date": date(2026, 2, 1),
        },
    )
    assert _findings(form, "SIGNATURE_BEFORE_START") == []


def test_first_contract_signed_after_its_start_is_still_refused():
    form = with_changes(complete_apprenticeship_form(), {"contract.signature_date": date(2025, 9, 2)})
    [finding] = _findings(form, "SIGNATURE_BEFORE_START")
    assert finding.blocking


# --- Derogation codes that contradict the facts ------------------------------------------------------------


@pytest.mark.parametrize("code", ["11", "12"])
def test_derogation_code_contradicting_the_age_blocks(code):
    """A 19-year-old (born 14/03/2006, start 01/09/2025) declared under 16 or over 29."""
    form = with_changes(
        complete_apprenticeship_form(),
        {"employee.birth_date": date(2006, 3, 14), "employee.nir": None, "contract.derogation_code": code},
    )
    [finding] = _findings(form, "DEROGATION_CODE_UNJUSTIFIED")
    assert finding.blocking
    assert "19 ans" in finding.message


# --- Successive-contract age exception: warn and ask --------------------------------------------------------


def test_successive_contract_exception_without_the_previous_end_date_warns_and_asks():
    form = with_changes(
        complete_apprenticeship_form(),
        {
            "employee.birth_date": date(1994, 1, 1),
            "employee.nir": None,
            "employee.pursues_higher_diploma": True,
            "contract.derogation_code": "12",
            "employee.legal_representative": None,
        },
    )
    assert not [f for f in _blocking(form) if f.field == "employee.previous_apprenticeship_end_date"]
    [finding] = _findings(form, "APPRENTICE_AGE_EXCEPTION_DELAY")
    assert finding.severity == Severity.WARNING
    assert "date de fin du précédent contrat" in finding.message


# --- SMIC rises after the signature ------------------------------------------------------------------------


def _signed_before_smic_rise():
    """Signed and started in 2025, runs over the SMIC rise of 1 January 2026."""
    form = complete_apprenticeship_form()
    old_schedule = compute_pay_schedule(form, known_on=form.contract.signature_date)
    declared = form.contract.pay_schedule or []
    # The employer declared the amounts legal when signed: the 2026 periods at the 2025 SMIC.
    changes = {}
    for index, period in enumerate(declared):
        old = [p for p in old_schedule if p.start <= period.start_date <= p.end][0]
        changes[f"contract.pay_schedule[{index}].gross_monthly"] = old.minimum_gross_monthly
    return with_changes(form, changes)


def test_pay_caught_up_by_a_smic_rise_after_signature_is_a_warning():
    form = _signed_before_smic_rise()
    findings = _findings(form, "PAY_BELOW_MINIMUM")
    assert findings, "the periods after 1 January 2026 fall short of the new minimum"
    for finding in findings:
        assert finding.severity == Severity.WARNING
        assert "SMIC a été relevé le 01/01/2026" in finding.message


def test_pay_below_the_minimum_at_signature_stays_blocking():
    form = with_changes(_signed_before_smic_rise(), {"contract.pay_schedule[2].gross_monthly": Decimal("700.00")})
    blocking = [f for f in _findings(form, "PAY_BELOW_MINIMUM") if f.blocking]
    assert [f.field for f in blocking] == ["contract.pay_schedule[2].gross_monthly"]


def test_hiring_salary_signed_before_the_smic_rise_is_a_warning():
    form = complete_professionalisation_form()
    form = with_changes(
        form,
        {
            "contract.signature_date": date(2025, 12, 15),
            "contract.start_date": date(2026, 1, 5),
            "contract.end_date": date(2027, 1, 4),
            "training.start_date": date(2026, 1, 5),
            "training.end_date": date(2026, 12, 18),
        },
    )
    at_signature = compute_pay_schedule(form, known_on=date(2025, 12, 15))[0].minimum_gross_monthly
    now = compute_pay_schedule(form)[0].minimum_gross_monthly
    assert at_signature < now
    form = with_changes(form, {"contract.hiring_salary": at_signature})
    [finding] = _findings(form, "HIRING_SALARY_BELOW_MINIMUM")
    assert finding.severity == Severity.WARNING
    form = with_changes(form, {"contract.hiring_salary": at_signature - Decimal("1")})
    [finding] = _findings(form, "HIRING_SALARY_BELOW_MINIMUM")
    assert finding.blocking


# --- Filing delay in working days with French public holidays -----------------------------------------------


def test_easter_and_the_holidays_that_follow_it_are_computed():
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2038) == date(2038, 4, 25)
    holidays = public_holidays(2026)
    assert {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)} <= holidays  # Easter Monday, Ascension, Whit Monday
    assert {date(2026, 5, 1), date(2026, 5, 8), date(2026, 7, 14), date(2026, 11, 11)} <= holidays
    assert date(2026, 4, 5) not in holidays  # Easter Sunday is a Sunday anyway; not counted twice


def test_working_days_skip_sundays_and_public_holidays():
    # Thursday 7 May 2026: Fri 8 (holiday), Sat 9, Sun 10, Mon 11, Tue 12, Wed 13, Thu 14 (Ascension), Fri 15.
    assert working_days_after(date(2026, 5, 7), date(2026, 5, 15)) == 5


def test_working_days_counted_by_weeks_agree_with_a_day_by_day_count():
    # Every start over two years and periods from nothing to past a year, across year ends and Easter.
    def day_by_day(start: date, until: date) -> int:
        days = (until - start).days
        return sum(1 for k in range(1, days + 1) if is_working_day(start + timedelta(days=k)))

    for offset in range(0, 730, 3):
        start = date(2025, 1, 1) + timedelta(days=offset)
        for length in (-3, 0, 1, 2, 5, 6, 7, 8, 13, 30, 45, 90, 200, 365, 400):
            until = start + timedelta(days=length)
            assert working_days_after(start, until) == day_by_day(start, until), (start, until)


def test_filing_delay_counts_public_holidays_out():
    form = complete_apprenticeship_form()
    form = with_changes(
        form,
        {
            "contract.signature_date": date(2026, 5, 4),
            "contract.start_date": date(2026, 5, 7),
            "contract.practical_training_start_date": date(2026, 5, 7),
            "contract.end_date": date(2028, 5, 6),
            "training.start_date": date(2026, 5, 7),
            "training.end_date": date(2028, 4, 30),
        },
    )
    assert _findings(form, "FILING_DELAY", today=date(2026, 5, 15)) == []
    [late] = _findings(form, "FILING_DELAY", today=date(2026, 5, 16))
    assert "6 jours ouvrables" in late.message


# --- Rules where the law leaves room are warnings -----------------------------------------------------------


def test_minor_weekly_hours_within_the_derogation_warns_beyond_it_blocks():
    form = complete_apprenticeship_form()
    [within] = _findings(with_changes(form, {"contract.weekly_hours": Decimal("38")}), "MINOR_WEEKLY_HOURS_MAX")
    assert within.severity == Severity.WARNING
    [beyond] = _findings(with_changes(form, {"contract.weekly_hours": Decimal("41")}), "MINOR_WEEKLY_HOURS_MAX")
    assert beyond.blocking


def test_tutor_experience_below_the_default_conditions_is_a_warning():
    """R6223-22 applies unless a branch agreement sets other conditions, which the CERFA cannot show."""
    form = with_changes(
        complete_apprenticeship_form(), {"tutors[0].experience_years": 1, "tutors[0].related_diploma": False}
    )
    [finding] = _findings(form, "TUTOR_EXPERIENCE")
    assert finding.severity == Severity.WARNING and "accord de branche" in finding.message


# --- Fields a complete CERFA holds ----------------------------------------------------------------------------


def test_tutor_experience_in_years_and_months():
    form = complete_professionalisation_form()
    one_and_a_half = with_changes(form, {"tutors[0].experience_years": 1, "tutors[0].experience_months": 6})
    [finding] = _findings(one_and_a_half, "PRO_TUTOR_EXPERIENCE")
    assert "1 an et 6 mois" in finding.message
    apprentice = with_changes(
        complete_apprenticeship_form(),
        {"tutors[0].experience_years": 1, "tutors[0].experience_months": 11, "tutors[0].related_diploma": False},
    )
    assert _findings(apprentice, "TUTOR_EXPERIENCE")
    apprentice = with_changes(apprentice, {"tutors[0].experience_years": 2, "tutors[0].experience_months": 0})
    assert _findings(apprentice, "TUTOR_EXPERIENCE") == []


def test_eligibility_is_attested_per_tutor():
    form = complete_apprenticeship_form()
    second = form.tutors[0].model_copy(update={"first_name": "Anne", "eligibility_attested": None})
    form = form.model_copy(update={"tutors": [form.tutors[0], second], "tutor_eligibility_attested": True})
    [finding] = _findings(form, "ATTESTATIONS_REQUIRED")
    assert finding.field == "tutors[1].eligibility_attested" and finding.blocking
    assert "Anne Dupain" in finding.message


def test_single_tutor_keeps_the_former_contract_wide_attestation():
    form = with_changes(complete_apprenticeship_form(), {"tutors[0].eligibility_attested": None})
    assert form.tutor_eligibility_attested is True
    assert _findings(form, "ATTESTATIONS_REQUIRED") == []


def test_job_seeker_under_26_can_be_stated():
    form = with_changes(
        complete_professionalisation_form(), {"employee.job_seeker_registered": True, "employee.public_category": None}
    )
    assert form.employee.job_seeker_registered is True
    assert _blocking(form) == []


@pytest.mark.parametrize(
    "facts",
    [
        {"employee.job_seeker_registered": True},
        {"employee.social_benefit": "rsa"},
        {"employee.social_benefit": "aah"},
    ],
)
def test_26_and_over_opened_by_job_seeker_registration_or_a_benefit(facts):
    base = {"employee.birth_date": date(1990, 1, 1), "employee.nir": None, "employee.public_category": None}
    form = with_changes(complete_professionalisation_form(), base)
    assert _findings(form, "PRO_AGE_PUBLIC")
    assert _findings(with_changes(form, facts), "PRO_AGE_PUBLIC") == []


def test_social_benefit_opens_36_months():
    changes = {"contract.end_date": date(2028, 4, 5), "training.end_date": date(2028, 3, 1)}
    form = with_changes(complete_professionalisation_form(), changes)
    assert _findings(form, "PRO_DURATION_MAX")
    assert _findings(with_changes(form, {"employee.social_benefit": "ass"}), "PRO_DURATION_MAX") == []


def test_professionalisation_requires_the_activity_declaration_number():
    form = with_changes(
        complete_professionalisation_form(), {"training.organisation.activity_declaration_number": None}
    )
    assert "training.organisation.activity_declaration_number" in {f.field for f in _blocking(form)}


def test_the_cerfa_facts_are_accepted_and_kept():
    form = with_changes(
        complete_apprenticeship_form(),
        {
            "employer.idcc_label": "Boulangerie-pâtisserie (entreprises artisanales)",
            "employee.last_diploma_prepared": "25",
            "employee.last_diploma_prepared_title": "Diplôme national du brevet",
            "tutors[0].diploma_title": "CAP Boulanger",
        },
    )
    dumped = form.model_dump()
    assert dumped["employer"]["idcc_label"].startswith("Boulangerie")
    assert dumped["employee"]["last_diploma_prepared_title"] == "Diplôme national du brevet"
    assert dumped["tutors"][0]["diploma_title"] == "CAP Boulanger"
    assert dumped["employee"]["born_abroad"] is False
    assert _blocking(with_declared_minimum_pay(form)) == []
