from datetime import date

from passerelle.opco_processing.adapters.referentials.offline import OfflineReferentials
from passerelle.opco_processing.domain.case import CheckResult
from passerelle.opco_processing.domain.checks import run_checks

from .cases import form

REFS = OfflineReferentials()


def by_id(checks):
    return {c.id: c for c in checks}


def test_a_valid_apprenticeship_passes_every_check_with_prorated_npec():
    checks, funding = run_checks("apprentissage", form(), [], REFS, barred=False, filing=None, on=date(2025, 9, 3))
    found = by_id(checks)
    assert all(c.effective != CheckResult.FAILED for c in checks), [c for c in checks if c.blocks]
    assert found["FILING_DEADLINE"].result == CheckResult.NOT_APPLICABLE
    # 7100 € a year over 1 Sep 2025 - 31 Aug 2027 (730 days).
    assert funding is not None and funding["amount"] == "14200.00"
    assert "L6316-1" in found["TRAINING_ORGANISATION_CERTIFIED"].reference


def test_engine_findings_are_grouped_into_the_opco_controls():
    findings = [
        {
            "rule_id": "APPRENTICE_AGE_MAX",
            "severity": "error",
            "tab": "salarie",
            "field": "employee.birth_date",
            "message": "Trop âgé",
            "reference": "L6222-1",
        },
        {
            "rule_id": "PAY_BELOW_MINIMUM",
            "severity": "error",
            "tab": "contrat",
            "field": None,
            "message": "Salaire trop bas",
            "reference": "D6222-26",
        },
        {
            "rule_id": "FILING_DELAY",
            "severity": "warning",
            "tab": "contrat",
            "field": None,
            "message": "x",
            "reference": "y",
        },
    ]
    found = by_id(run_checks("apprentissage", form(), findings, REFS, barred=False, filing=None, on=date.today())[0])
    assert found["APPRENTICE_AGE"].result == CheckResult.FAILED and "Trop âgé" in found["APPRENTICE_AGE"].reason
    assert found["PAY"].result == CheckResult.FAILED
    assert found["APPRENTICESHIP_MASTER"].result == CheckResult.PASSED
    assert found["LEGAL_CONTROLS"].result == CheckResult.PASSED  # a warning does not fail


def test_registers_barred_employer_unknown_certification_and_unauthorised_organisation():
    f = form()
    f["training"]["qualification"]["rncp_code"] = "RNCP99999"
    found = by_id(run_checks("apprentissage", f, [], REFS, barred=True, filing=None, on=date.today())[0])
    assert found["EMPLOYER_NOT_BARRED"].result == CheckResult.FAILED
    assert found["ELIGIBLE_TRAINING"].result == CheckResult.FAILED
    assert found["TRAINING_ORGANISATION_AUTHORISED"].result == CheckResult.FAILED
    assert found["FUNDING"].result == CheckResult.FAILED


def test_professionalisation_uses_the_hourly_funding_and_skips_apprenticeship_controls():
    checks, funding = run_checks(
        "professionnalisation", form("professionnalisation"), [], REFS, barred=True, filing=None, on=date.today()
    )
    found = by_id(checks)
    assert found["EMPLOYER_NOT_BARRED"].result == CheckResult.NOT_APPLICABLE
    assert funding is not None and funding["basis"] == "hourly" and funding["amount"] == "3660.00"


def test_routing_by_idcc_with_a_fallback():
    assert REFS.route("0843", None).opco_code == "OPCOEP"
    assert REFS.route("2216", None).opco_code == "OPCOMMERCE"
    unknown = REFS.route("0000", "OPCOMMERCE")
    assert unknown.opco_code == "OPCOMMERCE" and unknown.source == "fallback"
    # The platform's one table (contracts-schemas), which contracts reads too: same answer, same version.
    from passerelle.schemas.referentials import idcc_opco

    assert REFS.route("1486", None).opco_code == idcc_opco().agreement("1486").opco_code == "ATLAS"
    assert REFS.route("0843", None).referential_version == idcc_opco().version
    assert REFS.opco("OPCOEP").name == idcc_opco().opco("OPCOEP").name


def test_the_shipped_npec_amounts_say_they_are_examples():
    assert REFS.sources["npec"]["source"].startswith("VALEURS D'EXEMPLE")
    assert "France compétences" in REFS.sources["npec"]["source"]
