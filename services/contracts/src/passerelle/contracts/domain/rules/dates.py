"""Dates that must agree: signature, start, practical training, training at the CFA, end, amendment effect."""

from __future__ import annotations

from collections.abc import Iterator

from ..dates import add_months
from ..facts import Facts
from ..legal import legal_parameters
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, BOTH_TYPES, Hit, rule


@rule(
    id="CONTRACT_END_AFTER_START",
    tab=Tab.CONTRACT,
    fields=("contract.end_date", "contract.start_date"),
    message="La date de fin du contrat doit être postérieure à sa date de début.",
    reference="Code du travail, art. L6222-7-1 et L6325-11",
    applies_to=BOTH_TYPES,
)
def end_after_start(facts: Facts) -> Iterator[Hit]:
    if facts.start is not None and facts.end is not None and facts.end <= facts.start:
        yield Hit("contract.end_date")


@rule(
    id="SIGNATURE_BEFORE_START",
    tab=Tab.CONTRACT,
    fields=("contract.signature_date", "contract.start_date"),
    message="Le contrat doit être signé au plus tard le jour du début de son exécution.",
    reference="Code du travail, art. L6222-4 et L6325-5 (contrat écrit conclu avant son exécution)",
    applies_to=BOTH_TYPES,
)
def signature_before_start(facts: Facts) -> Iterator[Hit]:
    if facts.is_amendment:
        # An amendment (31 to 38) is signed while the contract runs, after its start: only its effective date
        # has to fall within the contract (AMENDMENT_DATE_WITHIN_CONTRACT).
        return
    signature = facts.form.contract.signature_date
    if signature is not None and facts.start is not None and signature > facts.start:
        yield Hit("contract.signature_date")


@rule(
    id="PRACTICAL_TRAINING_START_WINDOW",
    tab=Tab.CONTRACT,
    fields=("contract.practical_training_start_date",),
    message=(
        "La formation pratique chez l'employeur doit commencer entre le début du contrat et trois mois après, "
        "et avant la fin du contrat."
    ),
    reference="Code du travail, art. L6222-12",
    applies_to=APPRENTICESHIP_ONLY,
)
def practical_training_window(facts: Facts) -> Iterator[Hit]:
    practical = facts.form.contract.practical_training_start_date
    if practical is None or facts.start is None:
        return
    latest = add_months(facts.start, facts.value("practical_training_start_max_delay_months"))
    if practical < facts.start or practical > latest or (facts.end is not None and practical > facts.end):
        yield Hit("contract.practical_training_start_date")


@rule(
    id="TRAINING_START_WINDOW",
    tab=Tab.TRAINING,
    fields=("training.start_date",),
    message=(
        "La formation doit commencer au plus tôt trois mois avant et au plus tard trois mois après le début du contrat."
    ),
    reference="Code du travail, art. L6222-12 et L6222-12-1",
    applies_to=BOTH_TYPES,
)
def training_start_window(facts: Facts) -> Iterator[Hit]:
    training_start = facts.form.training.start_date
    if training_start is None or facts.start is None:
        return
    months = facts.value("training_start_window_months")
    if not add_months(facts.start, -months) <= training_start <= add_months(facts.start, months):
        yield Hit("training.start_date")


@rule(
    id="TRAINING_END_WITHIN_CONTRACT",
    tab=Tab.TRAINING,
    fields=("training.end_date",),
    message="La formation doit se terminer entre le début et la fin du contrat, et après son propre début.",
    reference="Code du travail, art. L6222-7-1 et L6325-11 ; notices des CERFA 10103 et 12434",
    applies_to=BOTH_TYPES,
)
def training_end_within_contract(facts: Facts) -> Iterator[Hit]:
    training = facts.form.training
    if training.end_date is None:
        return
    if (
        (facts.start is not None and training.end_date < facts.start)
        or (facts.end is not None and training.end_date > facts.end)
        or (training.start_date is not None and training.end_date < training.start_date)
    ):
        yield Hit("training.end_date")


@rule(
    id="CONTRACT_END_AFTER_TRAINING",
    tab=Tab.CONTRACT,
    fields=("contract.end_date", "training.end_date"),
    message="Le contrat doit se terminer au plus tard trois mois après la fin de la formation.",
    reference="Code du travail, art. L6222-7-1 ; notice du CERFA 10103",
    applies_to=BOTH_TYPES,
)
def contract_end_after_training(facts: Facts) -> Iterator[Hit]:
    training_end = facts.form.training.end_date
    if training_end is None or facts.end is None:
        return
    if facts.end > add_months(training_end, facts.value("contract_end_after_training_max_months")):
        yield Hit("contract.end_date")


@rule(
    id="AMENDMENT_DATE_WITHIN_CONTRACT",
    tab=Tab.CONTRACT,
    fields=("contract.amendment_effective_date",),
    message="La date d'effet de l'avenant doit être comprise entre le début et la fin du contrat.",
    reference="Notices des CERFA 10103 et 12434 (date d'effet de l'avenant)",
    applies_to=BOTH_TYPES,
)
def amendment_within_contract(facts: Facts) -> Iterator[Hit]:
    effect = facts.form.contract.amendment_effective_date
    if effect is None:
        return
    if (facts.start is not None and effect < facts.start) or (facts.end is not None and effect > facts.end):
        yield Hit("contract.amendment_effective_date")


@rule(
    id="BIRTH_DATE_BEFORE_START",
    tab=Tab.EMPLOYEE,
    fields=("employee.birth_date",),
    message="La date de naissance doit être antérieure au début du contrat.",
    reference="Notices des CERFA 10103 et 12434",
    applies_to=BOTH_TYPES,
)
def birth_before_start(facts: Facts) -> Iterator[Hit]:
    if facts.birth_date is not None and facts.start is not None and facts.birth_date >= facts.start:
        yield Hit("employee.birth_date")


@rule(
    id="LEGAL_PARAMETERS_IN_FORCE",
    tab=Tab.CONTRACT,
    fields=("contract.start_date",),
    message=(
        "Les valeurs légales (SMIC, grilles, limites d'âge et de durée) en vigueur à la date du contrat ne sont "
        "pas connues : vérifiez la date de début du contrat."
    ),
    reference="Code du travail, art. D6222-26 et D6325-15 (valeurs en vigueur à la date du contrat)",
    applies_to=BOTH_TYPES,
)
def legal_parameters_in_force(facts: Facts) -> Iterator[Hit]:
    earliest = legal_parameters().earliest_complete_date()
    if facts.reference_date < earliest:
        yield Hit(
            "contract.start_date",
            f"Les valeurs légales ne sont connues qu'à partir du {earliest:%d/%m/%Y} : vérifiez la date de début "
            "du contrat.",
        )
