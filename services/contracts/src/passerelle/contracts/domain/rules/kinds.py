"""Contract kind and derogation codes, and the employer type against the employer's sector."""

from __future__ import annotations

from collections.abc import Iterator

from ..codes import (
    KIND_CODES_BY_KIND,
    PRIVATE_EMPLOYER_TYPES,
    DerogationCode,
    EmployerSector,
)
from ..facts import Facts
from ..fields import is_missing
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, Hit, Severity, rule


@rule(
    id="KIND_CODE_MATCHES_KIND",
    tab=Tab.CONTRACT,
    fields=("contract.kind_code", "introduction.contract_kind"),
    message=(
        "Le type de contrat ne correspond pas au choix de l'onglet Introduction : 11 pour un premier contrat, "
        "21, 22 ou 23 pour un contrat successif, 31 à 38 pour un avenant."
    ),
    reference="Notices des CERFA 10103 et 12434 (type de contrat ou d'avenant)",
)
def kind_code_matches_kind(facts: Facts) -> Iterator[Hit]:
    code = facts.form.contract.kind_code
    kind = facts.contract_kind
    if code is not None and kind is not None and code not in KIND_CODES_BY_KIND[kind]:
        yield Hit("contract.kind_code")


@rule(
    id="PREVIOUS_CONTRACT_NUMBER_REQUIRED",
    tab=Tab.CONTRACT,
    fields=("contract.previous_contract_number",),
    message=(
        "Le numéro du contrat précédent est obligatoire pour un contrat successif (21 à 23) ou un avenant (31 à 38)."
    ),
    reference="Notices des CERFA 10103 et 12434 (numéro du contrat précédent)",
)
def previous_contract_number(facts: Facts) -> Iterator[Hit]:
    if facts.follows_previous_contract and is_missing(facts.form.contract.previous_contract_number):
        yield Hit("contract.previous_contract_number")


@rule(
    id="AMENDMENT_EFFECTIVE_DATE_REQUIRED",
    tab=Tab.CONTRACT,
    fields=("contract.amendment_effective_date",),
    message="Un avenant (types 31 à 38) doit indiquer sa date d'effet.",
    reference="Notices des CERFA 10103 et 12434 (date d'effet de l'avenant)",
)
def amendment_effective_date(facts: Facts) -> Iterator[Hit]:
    if facts.is_amendment and facts.form.contract.amendment_effective_date is None:
        yield Hit("contract.amendment_effective_date")


@rule(
    id="AMENDMENT_FIELDS_UNEXPECTED",
    tab=Tab.CONTRACT,
    fields=("contract.amendment_effective_date",),
    message=(
        "Une date d'effet d'avenant n'a de sens que pour un avenant (types 31 à 38) : retirez-la ou changez le type."
    ),
    reference="Notices des CERFA 10103 et 12434",
    severity=Severity.WARNING,
)
def amendment_fields_unexpected(facts: Facts) -> Iterator[Hit]:
    terms = facts.form.contract
    if terms.amendment_effective_date is not None and terms.kind_code is not None and not facts.is_amendment:
        yield Hit("contract.amendment_effective_date")


_UNDER_16 = frozenset({DerogationCode.UNDER_16, DerogationCode.SEVERAL})
_OVER_29 = frozenset({DerogationCode.OVER_29, DerogationCode.SEVERAL})


@rule(
    id="DEROGATION_CODE_REQUIRED",
    tab=Tab.CONTRACT,
    fields=("contract.derogation_code",),
    message="L'âge de l'apprenti au début du contrat impose un code de dérogation (11 avant 16 ans, 12 après 29 ans).",
    reference="Code du travail, art. L6222-1 et L6222-2 ; notice du CERFA 10103 (type de dérogation)",
    applies_to=APPRENTICESHIP_ONLY,
)
def derogation_code_required(facts: Facts) -> Iterator[Hit]:
    age = facts.age_at_start
    if age is None:
        return
    code = facts.form.contract.derogation_code
    if age < facts.value("apprentice_age_min") and code not in _UNDER_16:
        yield Hit(
            "contract.derogation_code",
            f"L'apprenti a {age} ans au début du contrat : indiquez le code de dérogation 11 (âge inférieur à 16 ans).",
        )
    elif age > facts.value("apprentice_age_max") and code not in _OVER_29:
        yield Hit(
            "contract.derogation_code",
            f"L'apprenti a {age} ans au début du contrat : indiquez le code de dérogation 12 (âge supérieur à 29 ans).",
        )


@rule(
    id="DEROGATION_CODE_UNJUSTIFIED",
    tab=Tab.CONTRACT,
    fields=("contract.derogation_code",),
    message="Le code de dérogation déclaré ne correspond pas à l'âge de l'apprenti au début du contrat.",
    reference="Code du travail, art. L6222-1 et L6222-2 ; notice du CERFA 10103 (type de dérogation)",
    # A derogation the facts contradict would be registered on a false ground: blocking, as the OPCO refuses it.
    applies_to=APPRENTICESHIP_ONLY,
)
def derogation_code_unjustified(facts: Facts) -> Iterator[Hit]:
    age = facts.age_at_start
    code = facts.form.contract.derogation_code
    if age is None or code is None:
        return
    if code == DerogationCode.UNDER_16 and age >= facts.value("apprentice_age_min"):
        yield Hit(
            "contract.derogation_code",
            f"Le code 11 vise un apprenti de moins de {facts.value('apprentice_age_min')} ans ; il aura {age} ans "
            "au début du contrat : retirez ce code ou corrigez la date de naissance.",
        )
    elif code == DerogationCode.OVER_29 and age <= facts.value("apprentice_age_max"):
        yield Hit(
            "contract.derogation_code",
            f"Le code 12 vise un apprenti de plus de {facts.value('apprentice_age_max')} ans ; il aura {age} ans "
            "au début du contrat : retirez ce code ou corrigez la date de naissance.",
        )


@rule(
    id="EMPLOYER_TYPE_SECTOR",
    tab=Tab.EMPLOYER,
    fields=("employer.employer_type", "introduction.employer_sector"),
    message="Le type d'employeur ne correspond pas au secteur choisi (codes 11 à 16 : privé ; 21 à 30 : public).",
    reference="Notices des CERFA 10103 et 12434 (type d'employeur)",
)
def employer_type_sector(facts: Facts) -> Iterator[Hit]:
    employer_type = facts.form.employer.employer_type
    sector = facts.form.introduction.employer_sector
    if employer_type is None or sector is None:
        return
    if (employer_type in PRIVATE_EMPLOYER_TYPES) != (sector == EmployerSector.PRIVATE):
        yield Hit("employer.employer_type")
