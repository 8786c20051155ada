"""Training share of the contract duration and training hours."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from ..facts import Facts
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, PROFESSIONALISATION_ONLY, Hit, Severity, rule


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}".replace(",", "\u202f")


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}".replace(".", ",")


@rule(
    id="TRAINING_SHARE_MIN",
    tab=Tab.TRAINING,
    fields=("training.hours", "contract.weekly_hours"),
    message=(
        "La formation en CFA représente en principe au moins 25 % de la durée du contrat, calculée sur la durée "
        "légale annuelle du travail (1 607 heures par an) ; l'organisme certificateur du diplôme ou du titre peut "
        "fixer une autre part : vérifiez ses règles."
    ),
    reference="Code du travail, art. L6211-2 et L3121-41",
    # The certifier's rules come first (L6211-2, "sous réserve des règles fixées par l'organisme certificateur"),
    # and the CERFA cannot show them: the OPCO checks, the platform warns.
    severity=Severity.WARNING,
    applies_to=APPRENTICESHIP_ONLY,
)
def training_share_min(facts: Facts) -> Iterator[Hit]:
    share = facts.training_share_percent
    minimum = facts.value("apprenticeship_training_share_min_percent")
    if share is not None and share < minimum:
        hours = facts.contract_hours or Decimal(0)
        annual = Decimal(facts.value("legal_annual_working_hours"))
        yield Hit(
            "training.hours",
            f"La formation représente {_percent(share)} % de la durée du contrat ({_hours(hours)} heures de "
            f"travail sur la base de {_hours(annual)} heures par an) ; la loi prévoit au moins {minimum} %, "
            "sauf autre part fixée par l'organisme certificateur du diplôme ou du titre.",
        )


@rule(
    id="PRO_TRAINING_SHARE_MIN",
    tab=Tab.TRAINING,
    fields=("training.hours", "contract.weekly_hours"),
    message=(
        "La formation doit représenter au moins 15 % de la durée du contrat ou de l'action de professionnalisation, "
        "calculée sur la durée légale annuelle du travail (1 607 heures par an)."
    ),
    reference="Code du travail, art. L6325-13",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_training_share_min(facts: Facts) -> Iterator[Hit]:
    share = facts.training_share_percent
    minimum = facts.value("professionalisation_training_share_min_percent")
    if share is not None and share < minimum:
        yield Hit(
            "training.hours",
            f"La formation représente {_percent(share)} % de la durée du contrat ; il faut au moins {minimum} %.",
        )


@rule(
    id="PRO_TRAINING_SHARE_MAX",
    tab=Tab.TRAINING,
    fields=("training.hours",),
    message=(
        "Une formation de plus de 25 % de la durée du contrat n'est possible que si un accord de branche le prévoit "
        "(publics prioritaires, qualifications particulières)."
    ),
    reference="Code du travail, art. L6325-14",
    severity=Severity.WARNING,
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_training_share_max(facts: Facts) -> Iterator[Hit]:
    share = facts.training_share_percent
    if share is not None and share > facts.value("professionalisation_training_share_max_percent"):
        yield Hit("training.hours", f"La formation représente {_percent(share)} % de la durée du contrat.")


@rule(
    id="PRO_TRAINING_HOURS_MIN",
    tab=Tab.TRAINING,
    fields=("training.hours",),
    message="Un contrat de professionnalisation comporte au moins 150 heures de formation.",
    reference="Code du travail, art. L6325-13",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_training_hours_min(facts: Facts) -> Iterator[Hit]:
    hours = facts.form.training.hours
    if hours is not None and hours < facts.value("professionalisation_training_hours_min"):
        yield Hit("training.hours")


@rule(
    id="PRO_TRAINING_HOURS_SPLIT",
    tab=Tab.TRAINING,
    fields=("training.hours_in_organisation", "training.hours_internal_service"),
    message=(
        "Les heures en organisme de formation et en service interne "
        "ne peuvent pas dépasser la durée totale de formation."
    ),
    reference="Notice du CERFA 12434 (organisation de la formation)",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_training_hours_split(facts: Facts) -> Iterator[Hit]:
    training = facts.form.training
    if training.hours is None:
        return
    parts = (training.hours_in_organisation or 0) + (training.hours_internal_service or 0)
    if parts > training.hours:
        yield Hit("training.hours_in_organisation")
