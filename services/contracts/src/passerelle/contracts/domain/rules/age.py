"""Age limits at the start of the contract, their exceptions, and the legal representative of a minor."""

from __future__ import annotations

from collections.abc import Iterator

from ..dates import add_months
from ..facts import Facts
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, BOTH_TYPES, PROFESSIONALISATION_ONLY, Hit, Severity, rule


@rule(
    id="APPRENTICE_AGE_MIN",
    tab=Tab.EMPLOYEE,
    fields=("employee.birth_date", "employee.completed_middle_school"),
    message="L'apprenti doit avoir au moins 16 ans au début du contrat, ou 15 ans s'il a terminé le collège.",
    reference="Code du travail, art. L6222-1",
    applies_to=APPRENTICESHIP_ONLY,
)
def apprentice_age_min(facts: Facts) -> Iterator[Hit]:
    age = facts.age_at_start
    if age is None or age >= facts.value("apprentice_age_min"):
        return
    after_middle_school = facts.value("apprentice_age_min_after_middle_school")
    if age >= after_middle_school and facts.form.employee.completed_middle_school:
        return
    yield Hit(
        "employee.birth_date",
        f"L'apprenti aura {age} ans au début du contrat : il faut au moins 16 ans, ou {after_middle_school} ans "
        "après avoir terminé le collège.",
    )


@rule(
    id="APPRENTICE_AGE_MAX",
    tab=Tab.EMPLOYEE,
    fields=("employee.birth_date", "employee.disabled_worker", "employee.pursues_higher_diploma"),
    message=(
        "L'apprenti doit avoir au plus 29 ans révolus au début du "
        "contrat, sauf reconnaissance de travailleur handicapé, "
        "sportif de haut niveau, projet de création ou de reprise d'entreprise, échec à l'examen, ou contrat successif "
        "(jusqu'à 35 ans)."
    ),
    reference="Code du travail, art. L6222-1, L6222-2 et D6222-1-1",
    applies_to=APPRENTICESHIP_ONLY,
)
def apprentice_age_max(facts: Facts) -> Iterator[Hit]:
    age = facts.age_at_start
    if age is None or age <= facts.value("apprentice_age_max") or facts.has_no_age_limit_exception:
        return
    exception_max = facts.value("apprentice_age_max_successive_contract")
    if facts.has_successive_contract_exception:
        if age <= exception_max:
            return
        yield Hit(
            "employee.birth_date",
            f"L'apprenti aura {age} ans au début du contrat : un contrat successif n'est possible que jusqu'à "
            f"{exception_max} ans révolus.",
        )
        return
    yield Hit(
        "employee.birth_date",
        f"L'apprenti aura {age} ans au début du contrat, au-delà de 29 ans révolus, sans situation permettant "
        "de dépasser cette limite (RQTH, sportif de haut niveau, "
        "projet d'entreprise, échec à l'examen, contrat successif).",
    )


@rule(
    id="APPRENTICE_AGE_EXCEPTION_DELAY",
    tab=Tab.EMPLOYEE,
    fields=("employee.previous_apprenticeship_end_date",),
    message="Au-delà de 29 ans, un contrat successif doit commencer au plus un an après la fin du précédent contrat.",
    reference="Code du travail, art. L6222-2",
    applies_to=APPRENTICESHIP_ONLY,
)
def apprentice_age_exception_delay(facts: Facts) -> Iterator[Hit]:
    age = facts.age_at_start
    if age is None or facts.start is None:
        return
    if age <= facts.value("apprentice_age_max") or facts.has_no_age_limit_exception:
        return
    if not facts.has_successive_contract_exception:
        return
    previous_end = facts.form.employee.previous_apprenticeship_end_date
    gap = facts.value("apprentice_successive_contract_max_gap_months")
    if previous_end is None:
        # The CERFA does not carry this date: the OPCO checks it on the previous contract. Ask, do not block.
        yield Hit(
            "employee.previous_apprenticeship_end_date",
            f"Indiquez la date de fin du précédent contrat d'apprentissage : au-delà de 29 ans, le nouveau contrat "
            f"doit commencer au plus {gap} mois après elle (l'OPCO le vérifiera sur le précédent contrat).",
            Severity.WARNING,
        )
        return
    if facts.start > add_months(previous_end, gap):
        yield Hit("employee.previous_apprenticeship_end_date")


@rule(
    id="PRO_AGE_MIN",
    tab=Tab.EMPLOYEE,
    fields=("employee.birth_date",),
    message="Le salarié en contrat de professionnalisation doit avoir au moins 16 ans au début du contrat.",
    reference="Code du travail, art. L6325-1",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_age_min(facts: Facts) -> Iterator[Hit]:
    age = facts.age_at_start
    if age is not None and age < facts.value("professionalisation_age_min"):
        yield Hit("employee.birth_date")


@rule(
    id="PRO_AGE_PUBLIC",
    tab=Tab.EMPLOYEE,
    fields=(
        "employee.birth_date",
        "employee.job_seeker_registered",
        "employee.social_benefit",
        "employee.public_category",
    ),
    message=(
        "À partir de 26 ans, le contrat de professionnalisation est réservé aux demandeurs d'emploi et aux "
        "bénéficiaires du RSA, de l'ASS, de l'AAH ou sortant d'un CUI."
    ),
    reference="Code du travail, art. L6325-1",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_age_public(facts: Facts) -> Iterator[Hit]:
    age = facts.age_at_start
    if age is None or age <= facts.value("professionalisation_age_max_initial_training"):
        return
    if not facts.pro_open_from_26:
        yield Hit(
            "employee.job_seeker_registered",
            f"Le salarié aura {age} ans au début du contrat : indiquez s'il est demandeur d'emploi ou bénéficiaire du "
            "RSA, de l'ASS, de l'AAH ou d'un ancien CUI ; sinon ce contrat n'est pas possible.",
        )


@rule(
    id="LEGAL_REPRESENTATIVE_REQUIRED",
    tab=Tab.EMPLOYEE,
    fields=("employee.legal_representative",),
    message=(
        "Le salarié sera mineur au début du contrat : son représentant légal doit être indiqué et signer le contrat."
    ),
    reference="Code du travail, art. L6222-4 ; Code civil, art. 388-1-1",
    applies_to=BOTH_TYPES,
)
def legal_representative(facts: Facts) -> Iterator[Hit]:
    if not facts.needs_legal_representative:
        return
    representative = facts.form.employee.legal_representative
    if representative is None or not (representative.last_name or "").strip():
        yield Hit("employee.legal_representative")
