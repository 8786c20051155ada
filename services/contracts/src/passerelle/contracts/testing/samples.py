"""Complete, valid sample contracts of both types, for tests, end-to-end scenarios, demos and benchmarks.

The identifiers are those of the offline referential (adapters/referentials): valid SIRET, UAI and NIR.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from passerelle.contracts.domain.codes import DocumentType
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.form import ContractForm, DeclaredPayPeriod
from passerelle.contracts.domain.remuneration import compute_pay_schedule

DEMO_EMPLOYER_SIRET = "81208328500013"  # Boulangerie Dupain SAS, Paris
DEMO_EMPLOYER_SECOND_SIRET = "81208328500021"  # same company (SIREN 812083285), Boulogne-Billancourt
DEMO_OTHER_COMPANY_SIRET = "43935504100021"  # Garage Martin et Fils SARL, Nantes
DEMO_CFA_SIRET = "19793776650011"  # CFA des Métiers de l'Alimentation de Paris
DEMO_CFA_UAI = "0754321P"
DEMO_TRAINING_ORGANISATION_SIRET = "90399192500012"  # Institut de Formation Numérique Sud (no UAI)
DEMO_PRO_EMPLOYER_SIRET = "48256477000030"  # Numérica Conseil SAS


def _address(number: str, street: str, postcode: str, city: str) -> dict[str, str]:
    return {"number": number, "street": street, "postcode": postcode, "city": city}


def complete_apprenticeship_form() -> ContractForm:
    """A first apprenticeship contract (CAP Boulanger, 2 years) of a 17-year-old apprentice: valid for transmission."""
    form = ContractForm.model_validate(
        {
            "introduction": {"contract_type": "apprentissage", "employer_sector": "private", "contract_kind": "first"},
            "employer": {
                "siret": DEMO_EMPLOYER_SIRET,
                "name": "Boulangerie Dupain SAS",
                "address": _address("12", "rue Oberkampf", "75011", "Paris"),
                "phone": "01 43 55 12 34",
                "email": "recrutement@dupain.example.fr",
                "employer_type": "11",
                "specific_employer": "0",
                "naf_code": "10.71C",
                "headcount": 28,
                "idcc": "0843",
                "idcc_label": "Convention collective nationale de la boulangerie-pâtisserie",
                "supplementary_pension_fund": "AG2R La Mondiale",
            },
            "employee": {
                "birth_name": "Durand",
                "first_name": "Lucas",
                "birth_date": date(2008, 3, 14),
                "birth_city": "Paris",
                "birth_department": "75",
                "born_abroad": False,
                "sex": "M",
                "nir": "108037511102447",
                "nationality": "1",
                "social_regime": "2",
                "address": _address("5", "rue des Lilas", "75019", "Paris"),
                "phone": "06 12 34 56 78",
                "email": "lucas.durand@example.fr",
                "disabled_worker": False,
                "high_level_athlete": False,
                "business_project": False,
                "situation_before_contract": "1",
                "last_class": "40",
                "highest_diploma": "25",
                "legal_representative": {
                    "last_name": "Durand",
                    "first_name": "Sophie",
                    "relationship": "Mère",
                    "address": _address("5", "rue des Lilas", "75019", "Paris"),
                    "email": "sophie.durand@example.fr",
                    "phone": "06 98 76 54 32",
                },
            },
            "tutors": [
                {
                    "last_name": "Dupain",
                    "first_name": "Marc",
                    "birth_date": date(1980, 5, 10),
                    "job_title": "Artisan boulanger",
                    "highest_diploma": "33",
                    "related_diploma": True,
                    "diploma_title": "CAP Boulanger",
                    "experience_years": 15,
                    "eligibility_attested": True,
                    "email": "marc.dupain@dupain.example.fr",
                    "phone": "06 11 22 33 44",
                    "apprentices_supervised": 1,
                    "supervises_repeating_apprentice": False,
                }
            ],
            "tutor_eligibility_attested": True,
            "contract": {
                "kind_code": "11",
                "employment_form": "cdd",
                "signature_date": date(2025, 8, 25),
                "start_date": date(2025, 9, 1),
                "practical_training_start_date": date(2025, 9, 1),
                "end_date": date(2027, 8, 31),
                "weekly_hours": Decimal("35"),
                "dangerous_work": False,
                "signature_place": "Paris",
            },
            "training": {
                "organisation": {
                    "siret": DEMO_CFA_SIRET,
                    "uai": DEMO_CFA_UAI,
                    "name": "CFA des Métiers de l'Alimentation de Paris",
                    "address": _address("7", "rue des Boulangers", "75005", "Paris"),
                    "internal_cfa": False,
                    "email": "alternance@cfa-alimentation.example.fr",
                    "phone": "01 44 07 80 00",
                },
                "qualification": {
                    "rncp_code": "RNCP37680",
                    "diploma_code": "50022141",
                    "title": "CAP Boulanger",
                    "diploma_type": "33",
                    "level": "3",
                },
                "start_date": date(2025, 9, 1),
                "end_date": date(2027, 6, 30),
                "hours": Decimal("950"),
                "main_site_same_as_organisation": True,
            },
            "synthesis": {"employer_attests_accuracy": True, "employer_attests_supporting_documents": True},
        }
    )
    return with_declared_minimum_pay(form)


def complete_professionalisation_form() -> ContractForm:
    """A 12-month professionalisation contract (web developer title) of a 24-year-old: valid for transmission."""
    form = ContractForm.model_validate(
        {
            "introduction": {
                "contract_type": "professionnalisation",
                "employer_sector": "private",
                "contract_kind": "first",
            },
            "employer": {
                "siret": DEMO_PRO_EMPLOYER_SIRET,
                "name": "Numérica Conseil SAS",
                "address": _address("40", "rue de la Victoire", "75009", "Paris"),
                "phone": "01 53 20 40 40",
                "email": "rh@numerica.example.fr",
                "employer_type": "12",
                "naf_code": "62.02A",
                "headcount": 140,
                "idcc": "1486",
                "idcc_label": "Convention collective nationale des bureaux d'études techniques (Syntec)",
                "provident_fund": "Malakoff Humanis Prévoyance",
            },
            "employee": {
                "birth_name": "Martin",
                "first_name": "Camille",
                "birth_date": date(2000, 11, 5),
                "birth_city": "Lyon",
                "birth_department": "69",
                "born_abroad": False,
                "sex": "F",
                "nir": "200116912304507",
                "nationality": "1",
                "social_regime": "2",
                "address": _address("18", "rue Paul Bert", "69003", "Lyon"),
                "phone": "+33 6 45 67 89 01",
                "email": "camille.martin@example.fr",
                "disabled_worker": False,
                "highest_diploma": "54",
                "public_category": "young",
                "job_seeker_registered": False,
                "social_benefit": "none",
            },
            "tutors": [
                {
                    "last_name": "Lefebvre",
                    "first_name": "Julien",
                    "birth_date": date(1987, 2, 2),
                    "job_title": "Développeur senior",
                    "highest_diploma": "74",
                    "diploma_title": "Diplôme d'ingénieur en informatique",
                    "experience_years": 9,
                    "eligibility_attested": True,
                    "email": "julien.lefebvre@numerica.example.fr",
                    "apprentices_supervised": 0,
                }
            ],
            "tutor_eligibility_attested": True,
            "contract": {
                "kind_code": "11",
                "employment_form": "cdd",
                "signature_date": date(2025, 9, 29),
                "start_date": date(2025, 10, 6),
                "end_date": date(2026, 10, 5),
                "weekly_hours": Decimal("35"),
                "job_title": "Développeuse web",
                "classification": "Position 1.1, coefficient 230",
                "branch_minimum_salary": Decimal("1900.00"),
                "hiring_salary": Decimal("1800.00"),
            },
            "training": {
                "organisation": {
                    "siret": DEMO_TRAINING_ORGANISATION_SIRET,
                    "name": "Institut de Formation Numérique Sud",
                    "activity_declaration_number": "93131234513",
                    "address": _address("25", "rue de la Loge", "13002", "Marseille"),
                    "email": "contrats@ifns.example.fr",
                },
                "qualification": {
                    "kind": "rncp",
                    "rncp_code": "RNCP31678",
                    "diploma_code": "36T32602",
                    "title": "Titre professionnel Développeur web et web mobile",
                    "diploma_type": "58",
                    "level": "5",
                },
                "start_date": date(2025, 10, 6),
                "end_date": date(2026, 9, 30),
                "hours": Decimal("400"),
                "hours_in_organisation": Decimal("400"),
                "main_site_same_as_organisation": True,
            },
            "synthesis": {"employer_attests_accuracy": True, "employer_attests_supporting_documents": True},
        }
    )
    return form


def with_declared_minimum_pay(form: ContractForm) -> ContractForm:
    """The form with its declared pay schedule and hiring salary set to the legal minimum."""
    schedule = compute_pay_schedule(form)
    declared = [
        DeclaredPayPeriod(
            year=period.year,
            start_date=period.start,
            end_date=period.end,
            rate_percent=period.rate_percent,
            base=period.base,
            gross_monthly=period.minimum_gross_monthly,
        )
        for period in schedule
    ]
    terms = form.contract.model_copy(
        update={"pay_schedule": declared, "hiring_salary": schedule[0].minimum_gross_monthly if schedule else None}
    )
    return form.model_copy(update={"contract": terms})


def sample_documents() -> frozenset[str]:
    return frozenset({DocumentType.TRAINING_AGREEMENT.value, DocumentType.SIGNED_CERFA.value})


def transmission_context(
    form: ContractForm | None = None, documents: frozenset[str] | None = None
) -> ValidationContext:
    """The context of a transmission on the contract's start day, with the training agreement attached."""
    today = form.contract.start_date if form is not None else None
    return ValidationContext(
        documents=sample_documents() if documents is None else documents, for_transmission=True, today=today
    )


_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def _step(part: str) -> tuple[str, int | None]:
    """`tutors[0]` -> ("tutors", 0); `employee` -> ("employee", None)."""
    match = _STEP.fullmatch(part)
    if match is None:
        raise ValueError(f"not a path step: {part!r}")
    return match.group(1), int(match.group(2)) if match.group(2) is not None else None


def with_changes(form: ContractForm, changes: dict[str, Any]) -> ContractForm:
    """A copy of the form with values set at dotted paths (`employee.birth_date`, `tutors[0].experience_years`).

    Intermediate objects are created when missing; the result is validated again.
    """
    data = form.model_dump()
    for path, new_value in changes.items():
        steps = [_step(part) for part in path.split(".")]
        current: Any = data
        for position, (name, index) in enumerate(steps):
            last = position == len(steps) - 1
            if index is None:
                if last:
                    current[name] = new_value
                else:
                    if current.get(name) is None:
                        current[name] = {}
                    current = current[name]
            else:
                items = current.setdefault(name, []) or []
                current[name] = items
                while len(items) <= index:
                    items.append({})
                if last:
                    items[index] = new_value
                else:
                    current = items[index]
    return ContractForm.model_validate(data)
