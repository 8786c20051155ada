"""Engine behaviour: findings carry rule id, tab, field path, French message and reference; required fields block
transmission only; findings come in tab order; every rule is well described."""

from __future__ import annotations

import re

from passerelle.contracts.domain.codes import ContractType
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.domain.rules import Severity, all_rules, blocking, validate
from passerelle.contracts.domain.tabs import Tab, tab_of
from passerelle.contracts.testing.samples import complete_apprenticeship_form, sample_documents, with_changes


def test_rules_are_described():
    ids = [rule.id for rule in all_rules()]
    assert len(ids) == len(set(ids)) >= 60
    for rule in all_rules():
        assert re.fullmatch(r"[A-Z0-9_]+", rule.id)
        assert rule.message and rule.reference and rule.fields and rule.applies_to
        assert rule.severity in (Severity.ERROR, Severity.WARNING)
        for path in rule.fields:
            tab_of(path)


def test_required_fields_warn_while_saving_and_block_transmission():
    form = with_changes(complete_apprenticeship_form(), {"employer.name": None})
    saving = [
        f for f in validate(form, ValidationContext(documents=sample_documents())) if f.rule_id == "EMPLOYER_REQUIRED"
    ]
    assert [(f.severity, f.field, f.tab) for f in saving] == [(Severity.WARNING, "employer.name", Tab.EMPLOYER)]
    sending = validate(form, ValidationContext(documents=sample_documents(), for_transmission=True))
    assert [(f.rule_id, f.field) for f in blocking(sending)] == [("EMPLOYER_REQUIRED", "employer.name")]
    assert sending[0].message == "Champ obligatoire à renseigner : Dénomination de l'employeur."


def test_training_agreement_blocks_only_transmission():
    """Code du travail, art. L6353-1: the training agreement is attached before transmission."""
    form = complete_apprenticeship_form()
    saving = validate(form, ValidationContext())
    assert [(f.rule_id, f.severity) for f in saving] == [("TRAINING_AGREEMENT_DOCUMENT", Severity.WARNING)]
    sending = validate(form, ValidationContext(documents=frozenset(), for_transmission=True))
    assert ("TRAINING_AGREEMENT_DOCUMENT", Severity.ERROR) in [(f.rule_id, f.severity) for f in sending]


def test_findings_are_in_tab_order_with_indexed_paths():
    form = with_changes(
        complete_apprenticeship_form(),
        {"training.organisation.uai": "0754321A", "tutors[0].email": "x@", "employer.naf_code": "1071"},
    )
    findings = validate(form, ValidationContext(documents=sample_documents()))
    assert [(f.tab, f.field) for f in findings] == [
        (Tab.EMPLOYER, "employer.naf_code"),
        (Tab.TUTOR, "tutors[0].email"),
        (Tab.TRAINING, "training.organisation.uai"),
    ]


def test_without_a_type_only_common_rules_run():
    findings = validate(ContractForm(), ValidationContext(for_transmission=True))
    assert {f.rule_id for f in findings} <= {r.id for r in all_rules() if r.applies_to == frozenset(ContractType)}
    assert "introduction.contract_type" in {f.field for f in findings}


def test_tab_of_paths():
    assert tab_of("tutors[1].birth_date") == Tab.TUTOR
    assert tab_of("tutor_eligibility_attested") == Tab.TUTOR
    assert tab_of("contract.pay_schedule[0].gross_monthly") == Tab.CONTRACT
    assert tab_of("documents.convention_formation") == Tab.DOCUMENTS
    assert tab_of("synthesis.employer_attests_accuracy") == Tab.SYNTHESIS
