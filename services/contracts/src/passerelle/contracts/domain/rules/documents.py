"""Documents attached to the contract, and the filing delay."""

from __future__ import annotations

from collections.abc import Iterator

from ..codes import DerogationCode, DocumentType
from ..facts import Facts
from ..holidays import working_days_after
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, BOTH_TYPES, Hit, Severity, rule


@rule(
    id="TRAINING_AGREEMENT_DOCUMENT",
    tab=Tab.DOCUMENTS,
    fields=("documents.convention_formation",),
    message="La convention de formation signée par l'employeur et l'organisme de formation doit être jointe.",
    reference="Code du travail, art. L6353-1 et D6224-1",
    applies_to=BOTH_TYPES,
)
def training_agreement(facts: Facts) -> Iterator[Hit]:
    if DocumentType.TRAINING_AGREEMENT not in facts.context.documents:
        severity = Severity.ERROR if facts.context.for_transmission else Severity.WARNING
        yield Hit("documents.convention_formation", severity=severity)


@rule(
    id="DURATION_AGREEMENT_DOCUMENT",
    tab=Tab.DOCUMENTS,
    fields=("documents.convention_reduction_duree", "contract.derogation_code"),
    message="Une réduction ou un allongement de durée s'accompagne d'une convention jointe au contrat.",
    reference="Code du travail, art. L6222-7-1 et R6222-23-1",
    severity=Severity.WARNING,
    applies_to=APPRENTICESHIP_ONLY,
)
def duration_agreement(facts: Facts) -> Iterator[Hit]:
    code = facts.form.contract.derogation_code
    changes_duration = code in (DerogationCode.SHORTENED, DerogationCode.LENGTHENED, DerogationCode.SEVERAL)
    if changes_duration and DocumentType.DURATION_AGREEMENT not in facts.context.documents:
        yield Hit("documents.convention_reduction_duree")


@rule(
    id="MOBILITY_AGREEMENT_DOCUMENT",
    tab=Tab.DOCUMENTS,
    fields=("documents.convention_mobilite", "contract.international_mobility"),
    message="Une mobilité à l'étranger s'accompagne d'une convention de mobilité jointe au contrat.",
    reference="Code du travail, art. L6222-42 et L6325-25",
    severity=Severity.WARNING,
    applies_to=BOTH_TYPES,
)
def mobility_agreement(facts: Facts) -> Iterator[Hit]:
    if facts.form.contract.international_mobility and DocumentType.MOBILITY_AGREEMENT not in facts.context.documents:
        yield Hit("documents.convention_mobilite")


@rule(
    id="SIGNED_CERFA_DOCUMENT",
    tab=Tab.DOCUMENTS,
    fields=("documents.cerfa_signe",),
    message="Pensez à joindre le CERFA signé par les parties.",
    reference="Code du travail, art. D6224-1 et D6325-1",
    severity=Severity.WARNING,
    applies_to=BOTH_TYPES,
)
def signed_cerfa(facts: Facts) -> Iterator[Hit]:
    if facts.context.for_transmission and DocumentType.SIGNED_CERFA not in facts.context.documents:
        yield Hit("documents.cerfa_signe")


@rule(
    id="FILING_DELAY",
    tab=Tab.CONTRACT,
    fields=("contract.start_date",),
    message=(
        "Le contrat doit être transmis à l'OPCO dans les 5 jours ouvrables (apprentissage) ou les 5 jours "
        "(professionnalisation) qui suivent le début de son exécution."
    ),
    reference="Code du travail, art. D6224-1 (apprentissage) et D6325-1 (professionnalisation)",
    severity=Severity.WARNING,
    applies_to=BOTH_TYPES,
)
def filing_delay(facts: Facts) -> Iterator[Hit]:
    today = facts.context.today
    if not facts.context.for_transmission or today is None or facts.start is None or today <= facts.start:
        return
    name = "filing_delay_working_days" if facts.is_apprenticeship else "professionalisation_filing_delay_days"
    limit = facts.value(name)
    if facts.is_apprenticeship:
        # Jours ouvrables: Sundays and public holidays (fixed ones and those following Easter) do not count.
        elapsed, unit = working_days_after(facts.start, today), "jours ouvrables"
    else:
        elapsed, unit = (today - facts.start).days, "jours"
    if elapsed > limit:
        yield Hit(
            "contract.start_date",
            f"Le contrat a commencé il y a {elapsed} {unit}, plus que les {limit} {unit} du délai légal : "
            "il est transmis hors délai.",
        )
