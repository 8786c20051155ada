"""Durations of the contract (or of the apprenticeship / professionalisation period of a CDI)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..dates import lasts_at_least, lasts_at_most
from ..facts import Facts
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, PROFESSIONALISATION_ONLY, Hit, Severity, rule


def _dates(facts: Facts) -> tuple[date, date] | None:
    if facts.start is None or facts.end is None or facts.end < facts.start:
        return None
    return facts.start, facts.end


@rule(
    id="APPRENTICESHIP_DURATION_MIN",
    tab=Tab.CONTRACT,
    fields=("contract.end_date",),
    message="Un contrat d'apprentissage dure au moins 6 mois.",
    reference="Code du travail, art. L6222-7-1",
    applies_to=APPRENTICESHIP_ONLY,
)
def apprenticeship_duration_min(facts: Facts) -> Iterator[Hit]:
    dates = _dates(facts)
    if dates and not lasts_at_least(*dates, facts.value("apprenticeship_duration_min_months")):
        yield Hit("contract.end_date")


@rule(
    id="APPRENTICESHIP_DURATION_MAX",
    tab=Tab.CONTRACT,
    fields=("contract.end_date", "employee.disabled_worker", "employee.failed_exam"),
    message=(
        "Un contrat d'apprentissage dure au plus 3 ans ; 4 ans pour un apprenti reconnu travailleur handicapé ou "
        "prolongé après un échec à l'examen."
    ),
    reference="Code du travail, art. L6222-7-1, L6222-11 et R6222-46",
    applies_to=APPRENTICESHIP_ONLY,
)
def apprenticeship_duration_max(facts: Facts) -> Iterator[Hit]:
    dates = _dates(facts)
    if not dates:
        return
    employee = facts.form.employee
    extended = employee.disabled_worker or employee.failed_exam
    name = "apprenticeship_duration_max_months_extended" if extended else "apprenticeship_duration_max_months"
    maximum = facts.value(name)
    if not lasts_at_most(*dates, maximum):
        yield Hit("contract.end_date", f"Ce contrat d'apprentissage ne peut pas dépasser {maximum} mois.")


@rule(
    id="PRO_DURATION_MIN",
    tab=Tab.CONTRACT,
    fields=("contract.end_date",),
    message="Un contrat (ou une action) de professionnalisation dure au moins 6 mois.",
    reference="Code du travail, art. L6325-11",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_duration_min(facts: Facts) -> Iterator[Hit]:
    dates = _dates(facts)
    if dates and not lasts_at_least(*dates, facts.value("professionalisation_duration_min_months")):
        yield Hit("contract.end_date")


@rule(
    id="PRO_DURATION_EXTENDED",
    tab=Tab.CONTRACT,
    fields=("contract.end_date",),
    message=(
        "Au-delà de 12 mois, un contrat de professionnalisation n'est possible que si un accord de branche le prévoit "
        "(jusqu'à 24 mois) ou pour les publics prioritaires (jusqu'à 36 mois)."
    ),
    reference="Code du travail, art. L6325-11 et L6325-12",
    severity=Severity.WARNING,
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_duration_extended(facts: Facts) -> Iterator[Hit]:
    dates = _dates(facts)
    if not dates:
        return
    if not lasts_at_most(*dates, facts.value("professionalisation_duration_standard_max_months")) and lasts_at_most(
        *dates, facts.value("professionalisation_duration_public_max_months")
    ):
        yield Hit("contract.end_date")


@rule(
    id="PRO_DURATION_MAX",
    tab=Tab.CONTRACT,
    fields=("contract.end_date", "employee.social_benefit", "employee.public_category"),
    message=(
        "Un contrat de professionnalisation dure au plus 24 mois "
        "(accord de branche) ; 36 mois seulement pour les jeunes "
        "sans qualification et les bénéficiaires du RSA, de l'ASS, de l'AAH ou sortant d'un CUI."
    ),
    reference="Code du travail, art. L6325-11 et L6325-12",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_duration_max(facts: Facts) -> Iterator[Hit]:
    dates = _dates(facts)
    if not dates:
        return
    eligible = facts.pro_open_to_36_months
    name = (
        "professionalisation_duration_public_max_months"
        if eligible
        else "professionalisation_duration_branch_max_months"
    )
    maximum = facts.value(name)
    if not lasts_at_most(*dates, maximum):
        yield Hit("contract.end_date", f"Ce contrat de professionnalisation ne peut pas dépasser {maximum} mois.")
