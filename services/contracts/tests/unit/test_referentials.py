"""Offline referentials: establishments by SIRET/UAI (valid identifiers) and qualifications by RNCP code."""

from __future__ import annotations

from passerelle.contracts.adapters.referentials import OfflineEstablishmentDirectory, OfflineQualificationDirectory
from passerelle.contracts.domain import identifiers as ids
from passerelle.contracts.domain.autofill import autofill_employer, autofill_training
from passerelle.contracts.domain.codes import EmployerSector, QualificationLevel
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.domain.referentials import EstablishmentDirectory, QualificationDirectory
from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SECOND_SIRET,
    DEMO_EMPLOYER_SIRET,
    DEMO_OTHER_COMPANY_SIRET,
    with_changes,
)

establishments = OfflineEstablishmentDirectory()
qualifications = OfflineQualificationDirectory()


def test_implements_the_domain_protocols():
    directory: EstablishmentDirectory = establishments
    catalogue: QualificationDirectory = qualifications
    assert directory.find_by_siret(DEMO_EMPLOYER_SIRET) and catalogue.find_by_rncp("RNCP37680")


def test_every_sample_identifier_is_valid():
    records = establishments.all()
    assert 15 <= len(records) <= 30
    for record in records:
        assert ids.siret_problem(record.siret) is None, record.siret
        assert ids.naf_problem(record.naf_code) is None and ids.idcc_problem(record.idcc) is None
        assert ids.postcode_problem(record.address.postcode) is None
        if record.uai:
            assert ids.uai_problem(record.uai) is None, record.uai


def test_demo_company_with_two_establishments_and_a_third_company():
    first, second = (
        establishments.find_by_siret(DEMO_EMPLOYER_SIRET),
        establishments.find_by_siret(DEMO_EMPLOYER_SECOND_SIRET),
    )
    assert first.siren == second.siren == "812083285"
    assert [r.siret for r in establishments.establishments_of("812083285")] == [
        DEMO_EMPLOYER_SIRET,
        DEMO_EMPLOYER_SECOND_SIRET,
    ]
    assert establishments.find_by_siret(DEMO_OTHER_COMPANY_SIRET).siren != first.siren


def test_training_organisation_by_uai_and_siret():
    cfa = establishments.find_by_uai(DEMO_CFA_UAI.lower())
    assert cfa.siret == DEMO_CFA_SIRET and cfa.training_organisation
    assert establishments.find_by_siret("197 937 766 50011") == cfa


def test_la_poste_sample_is_found():
    assert establishments.find_by_siret("35600000049837").employer_sector == EmployerSector.PUBLIC


def test_qualifications():
    records = qualifications.all()
    assert len(records) >= 20
    for record in records:
        assert ids.rncp_problem(record.rncp_code) is None and ids.diploma_code_problem(record.diploma_code) is None
    cap = qualifications.find_by_rncp("rncp37680")
    assert (cap.title, cap.diploma_code, cap.level) == ("CAP Boulanger", "50022141", QualificationLevel.LEVEL_3)
    assert qualifications.find_by_diploma_code("32031212").title.startswith("BTS Management")
    assert [r.rncp_code for r in qualifications.search("bts comptabilite")] == ["RNCP35302"]
    assert qualifications.find_by_rncp("RNCP1") is None


def test_autofill_employer_from_siret_keeps_typed_contacts():
    form = with_changes(ContractForm(), {"employer.siret": DEMO_OTHER_COMPANY_SIRET, "employer.email": "moi@garage.fr"})
    filled = autofill_employer(form, establishments)
    employer = filled.employer
    assert (employer.name, employer.naf_code, employer.idcc, employer.headcount) == (
        "Garage Martin et Fils SARL",
        "45.20A",
        "1090",
        12,
    )
    assert employer.address.city == "Nantes" and employer.email == "moi@garage.fr"
    assert filled.introduction.employer_sector == EmployerSector.PRIVATE


def test_autofill_unknown_siret_changes_nothing():
    form = with_changes(ContractForm(), {"employer.siret": "81208328500039"})
    assert autofill_employer(form, establishments) == form


def test_autofill_training_from_uai_and_rncp():
    form = with_changes(
        ContractForm(), {"training.organisation.uai": DEMO_CFA_UAI, "training.qualification.rncp_code": "RNCP38376"}
    )
    training = autofill_training(form, establishments, qualifications).training
    assert training.organisation.siret == DEMO_CFA_SIRET
    assert training.qualification.title == "BTS Management commercial opérationnel"
    assert training.qualification.diploma_type == "54"
