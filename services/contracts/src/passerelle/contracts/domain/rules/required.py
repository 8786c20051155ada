"""Required fields: missing answers block transmission (errors) and are listed as reminders while saving."""

from __future__ import annotations

from collections.abc import Iterator

from ..codes import ContractType
from ..facts import Facts
from ..fields import CATALOGUE, concrete_paths, get_value, is_missing
from ..tabs import Tab
from .engine import BOTH_TYPES, Hit, Severity, rule

_REFERENCE = "Notices des CERFA 10103 (apprentissage) et 12434 (professionnalisation)"


def _missing_in(tab: Tab):
    specs = tuple(spec for spec in CATALOGUE if spec.tab == tab and spec.required and spec.enforced_by is None)
    # Specs by contract type (None: type not chosen yet, only the questions common to both types).
    by_type = {
        contract_type: tuple(spec for spec in specs if spec.is_for_type(contract_type))
        for contract_type in (*ContractType, None)
    }

    def check(facts: Facts) -> Iterator[Hit]:
        severity = Severity.ERROR if facts.context.for_transmission else Severity.WARNING
        form = facts.form
        for spec in by_type[facts.contract_type]:
            if spec.asked_when is not None and not spec.asked_when(facts):
                continue
            required = spec.required
            if required is not True and not (callable(required) and required(facts)):
                continue
            for path in concrete_paths(spec, facts):
                if is_missing(get_value(form, path)):
                    yield Hit(path, f"Champ obligatoire à renseigner : {spec.label}.", severity)

    return check


def _register(rule_id: str, tab: Tab) -> None:
    fields = tuple(spec.path for spec in CATALOGUE if spec.tab == tab and spec.required and spec.enforced_by is None)
    rule(
        id=rule_id,
        tab=tab,
        fields=fields,
        message="Champ obligatoire à renseigner.",
        reference=_REFERENCE,
        applies_to=BOTH_TYPES,
    )(_missing_in(tab))


_register("INTRODUCTION_REQUIRED", Tab.INTRODUCTION)
_register("EMPLOYER_REQUIRED", Tab.EMPLOYER)
_register("EMPLOYEE_REQUIRED", Tab.EMPLOYEE)
_register("TUTOR_REQUIRED", Tab.TUTOR)
_register("CONTRACT_REQUIRED", Tab.CONTRACT)
_register("TRAINING_REQUIRED", Tab.TRAINING)


@rule(
    id="ATTESTATIONS_REQUIRED",
    tab=Tab.SYNTHESIS,
    fields=(
        "synthesis.employer_attests_accuracy",
        "synthesis.employer_attests_supporting_documents",
        "tutors[].eligibility_attested",
    ),
    message="L'employeur doit cocher cette attestation avant de transmettre le contrat.",
    reference="Notices des CERFA 10103 et 12434 ; Code du travail, art. R6223-22 et D6325-6",
)
def attestations(facts: Facts) -> Iterator[Hit]:
    severity = Severity.ERROR if facts.context.for_transmission else Severity.WARNING
    form = facts.form
    if form.synthesis.employer_attests_accuracy is not True:
        yield Hit(
            "synthesis.employer_attests_accuracy",
            "L'employeur doit attester l'exactitude des informations avant de transmettre le contrat.",
            severity,
        )
    if form.synthesis.employer_attests_supporting_documents is not True:
        yield Hit(
            "synthesis.employer_attests_supporting_documents",
            "L'employeur doit attester disposer des pièces justificatives avant de transmettre le contrat.",
            severity,
        )
    # One attestation per tutor; the former contract-wide attestation still stands for a single tutor.
    single = len(form.tutors) == 1
    for index, tutor in enumerate(form.tutors):
        attested = tutor.eligibility_attested
        if attested is None and single:
            attested = form.tutor_eligibility_attested
        if attested is not True:
            name = " ".join(part for part in (tutor.first_name, tutor.last_name) if part) or f"n° {index + 1}"
            yield Hit(
                f"tutors[{index}].eligibility_attested",
                f"L'employeur doit attester que le tuteur ou maître d'apprentissage {name} remplit les conditions "
                "légales.",
                severity,
            )
