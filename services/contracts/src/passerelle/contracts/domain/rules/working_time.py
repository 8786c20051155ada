"""Working time and dangerous work."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import Facts
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, BOTH_TYPES, Hit, Severity, rule


@rule(
    id="WEEKLY_HOURS_MAX",
    tab=Tab.CONTRACT,
    fields=("contract.weekly_hours",),
    message="La durée hebdomadaire du travail ne peut pas dépasser 48 heures.",
    reference="Code du travail, art. L3121-20",
    applies_to=BOTH_TYPES,
)
def weekly_hours_max(facts: Facts) -> Iterator[Hit]:
    hours = facts.form.contract.weekly_hours
    if hours is not None and hours > facts.value("weekly_hours_max"):
        yield Hit("contract.weekly_hours")


@rule(
    id="MINOR_WEEKLY_HOURS_MAX",
    tab=Tab.CONTRACT,
    fields=("contract.weekly_hours",),
    message=(
        "Un salarié mineur ne peut pas travailler plus de 35 heures par semaine, sauf dérogation de cinq heures au "
        "plus (inspecteur du travail, ou activités fixées par décret)."
    ),
    reference="Code du travail, art. L6222-25, L3162-1 et R3162-1",
    applies_to=BOTH_TYPES,
)
def minor_weekly_hours_max(facts: Facts) -> Iterator[Hit]:
    hours = facts.form.contract.weekly_hours
    if hours is None or not facts.is_minor_at_start or hours <= facts.value("minor_weekly_hours_max"):
        return
    if hours <= facts.value("minor_weekly_hours_max_with_derogation"):
        # Within the derogation the labour inspector may grant (or the sectors set by decree): the CERFA cannot
        # show the authorisation, so the OPCO checks it.
        yield Hit(
            "contract.weekly_hours",
            f"Un salarié mineur travaille au plus {facts.value('minor_weekly_hours_max')} heures par semaine : "
            f"{hours} heures ne sont possibles qu'avec une dérogation de l'inspecteur du travail ou dans les "
            "activités fixées par décret. Vérifiez que l'employeur en dispose.",
            Severity.WARNING,
        )
        return
    yield Hit(
        "contract.weekly_hours",
        f"Un salarié mineur ne peut pas travailler {hours} heures par semaine, même avec une dérogation "
        f"(au plus {facts.value('minor_weekly_hours_max_with_derogation')} heures).",
    )


@rule(
    id="DANGEROUS_WORK_MINOR",
    tab=Tab.CONTRACT,
    fields=("contract.dangerous_work",),
    message=(
        "Un apprenti mineur ne peut être affecté à des travaux réglementés qu'après la déclaration de dérogation de "
        "l'employeur à l'inspection du travail."
    ),
    reference="Code du travail, art. R4153-40 et D4153-15",
    severity=Severity.WARNING,
    applies_to=APPRENTICESHIP_ONLY,
)
def dangerous_work_minor(facts: Facts) -> Iterator[Hit]:
    if facts.form.contract.dangerous_work and facts.is_minor_at_start:
        yield Hit("contract.dangerous_work")
