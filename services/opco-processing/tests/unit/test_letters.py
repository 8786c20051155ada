import hashlib
import subprocess
from datetime import date, timedelta

from passerelle.opco_processing.adapters.letters_pdf import LetterRenderer, field_name
from passerelle.opco_processing.adapters.referentials.offline import OfflineReferentials
from passerelle.opco_processing.domain.case import Anomaly, AnomalyKind, Check, CheckResult

from .cases import REVIEWER, T0, new_case

OPCO = OfflineReferentials().opco("OPCOEP")


def ready_case(contract_type="apprentissage"):
    case = new_case(contract_type)
    case.record_checks(
        1,
        [Check(id="A", label="A", result=CheckResult.PASSED, reason="", reference="")],
        {"amount": "14200.00", "basis": "npec", "yearly_amount": "7100", "days": 730},
        T0,
    )
    return case


def text_of(pdf: bytes) -> str:
    """The text a reader sees (poppler's pdftotext, as a person's viewer would lay it out)."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_agreement_letter_names_the_opco_contract_number_funding_and_basis_and_is_deterministic():
    case = ready_case()
    letter = case.engage(REVIEWER, "OPCOEP-2025-000001", T0)
    renderer = LetterRenderer()
    pdf = renderer.render(case, letter, OPCO)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in ("OPCO EP", "OPCOEP-2025-000001", "14 200,00 €", "D6224-2", "Boulangerie Dupain", "CAP Boulanger"):
        assert expected in text, expected
    assert hashlib.sha256(renderer.render(case, letter, OPCO)).digest() == hashlib.sha256(pdf).digest()


def test_anomaly_letter_lists_each_anomaly_and_the_answer_deadline():
    case = ready_case()
    anomalies = [
        Anomaly(
            code="MISSING_DOCUMENT:cerfa_signe",
            kind=AnomalyKind.MISSING_DOCUMENT,
            document_type="cerfa_signe",
            reason="Le CERFA signé par les parties manque.",
            revision=1,
            raised_at=T0,
        ),
        Anomaly(
            code="FIELD:employee.nir",
            kind=AnomalyKind.FIELD_ERROR,
            tab="salarie",
            field="employee.nir",
            reason="Le NIR ne correspond pas à la date de naissance.",
            revision=1,
            raised_at=T0,
        ),
    ]
    letter = case.raise_anomaly(anomalies, date(2025, 9, 20), REVIEWER, T0)
    labels = {"employee.nir": "Numéro de sécurité sociale (NIR)"}
    text = text_of(LetterRenderer().render(case, letter, OPCO, labels))
    assert "CERFA signé" in text and "20 septembre 2025" in text
    # The field is named as the form shows it, never by its path.
    assert "Onglet Salarié / Apprenti, «" in text and "Numéro de sécurité sociale" in text
    assert "employee.nir" not in text


def test_a_field_is_named_by_its_label_with_the_tutor_rank():
    labels = {"tutors[].last_name": "Nom", "employee.nir": "Numéro de sécurité sociale (NIR)"}
    assert field_name("employee.nir", labels) == "« Numéro de sécurité sociale (NIR) »"
    assert field_name("tutors[1].last_name", labels) == "« Nom » (tuteur 2)"
    assert field_name("contract.unknown", labels) == "champ contract.unknown"  # not in the registry: its path
    assert field_name(None, labels) == "champ non précisé"


def test_implicit_refusal_letter_is_motivated():
    case = ready_case()
    letter = case.expire(case.clock.due_at() + timedelta(minutes=1), None)
    text = text_of(LetterRenderer().render(case, letter, OPCO))
    assert "refus implicite" in text and "vaut refus" in text and "D6224-2" in text
