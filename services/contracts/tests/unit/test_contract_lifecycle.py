"""The contract's status lifecycle, revisions and domain events."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from passerelle.contracts.domain.codes import ContractKind, ContractStatus, ContractType, KindCode
from passerelle.contracts.domain.contract import Contract
from passerelle.contracts.domain.errors import (
    ContractNotEditable,
    ContractTypeMismatch,
    InvalidAmendment,
    InvalidTransition,
    TransmissionRefused,
)
from passerelle.contracts.domain.events import (
    AmendmentOpened,
    AnomalyApplied,
    ContractAccepted,
    ContractArchived,
    ContractDeleted,
    ContractDrafted,
    ContractEngaged,
    ContractProposed,
    ContractRefused,
    ContractRestored,
    ContractSaved,
    ContractTransferred,
    ContractTransmitted,
)
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.testing.samples import (
    complete_apprenticeship_form,
    complete_professionalisation_form,
    transmission_context,
    with_changes,
)

EMPLOYER = "user-employer"


def _drafted(form=None) -> Contract:
    form = form or complete_apprenticeship_form()
    return Contract.draft(id=uuid4(), contract_type=form.introduction.contract_type, owner_id=EMPLOYER, form=form)


def _event_types(contract: Contract) -> list[type]:
    return [type(event) for event in contract.collect_events()]


def test_draft_records_contract_drafted_and_is_editable():
    contract = _drafted()
    assert contract.status == ContractStatus.DRAFT and contract.status.label == "En cours de saisie"
    assert contract.is_editable and contract.revision == 1
    assert _event_types(contract) == [ContractDrafted]
    assert contract.collect_events() == []


def test_draft_sets_the_type_on_an_empty_form():
    contract = Contract.draft(id=uuid4(), contract_type=ContractType.PROFESSIONALISATION, owner_id=EMPLOYER)
    assert contract.form.introduction.contract_type == ContractType.PROFESSIONALISATION


def test_a_contract_never_changes_type():
    contract = _drafted()
    with pytest.raises(ContractTypeMismatch) as error:
        contract.save(complete_professionalisation_form(), by=EMPLOYER)
    assert error.value.field == "introduction.contract_type"


def test_proposal_by_training_organisation_then_acceptance():
    """The CFA pre-fills and sends to the employer; accepting only opens the contract for completing."""
    contract = Contract.draft(id=uuid4(), contract_type=ContractType.APPRENTICESHIP, owner_id="user-cfa")
    contract.propose(employer_email="rh@dupain.example.fr", by="user-cfa")
    assert contract.status == ContractStatus.PROPOSED and contract.status.label == "Envoyé par l'organisme ou le CFA"
    assert not contract.is_editable
    with pytest.raises(ContractNotEditable):
        contract.save(complete_apprenticeship_form(), by=EMPLOYER)
    contract.accept(by=EMPLOYER)
    assert contract.status == ContractStatus.DRAFT
    assert _event_types(contract) == [ContractDrafted, ContractProposed, ContractAccepted]


def test_accept_requires_a_proposal():
    with pytest.raises(InvalidTransition):
        _drafted().accept(by=EMPLOYER)


def test_saving_an_incomplete_draft_is_allowed_and_returns_findings():
    contract = _drafted(ContractForm())
    findings = contract.save(with_changes(ContractForm(), {"employer.siret": "123"}), by=EMPLOYER)
    assert any(f.rule_id == "SIRET_FORMAT" for f in findings)
    assert ContractSaved in _event_types(contract)


def test_transmit_refuses_with_every_blocking_finding_and_changes_nothing():
    form = with_changes(
        complete_apprenticeship_form(), {"employer.siret": "81208328500014", "employee.first_name": None}
    )
    contract = _drafted(form)
    contract.collect_events()
    with pytest.raises(TransmissionRefused) as refused:
        contract.transmit(ValidationContext(documents=frozenset()), by=EMPLOYER)
    rule_ids = {finding.rule_id for finding in refused.value.errors}
    assert {"SIRET_CHECKSUM", "EMPLOYEE_REQUIRED", "TRAINING_AGREEMENT_DOCUMENT"} <= rule_ids
    assert refused.value.code == "CONTRACT_TRANSMISSION_REFUSED"
    assert set(refused.value.tabs_in_error) >= {"employeur", "salarie", "documents"}
    assert contract.status == ContractStatus.DRAFT and contract.revision == 1
    assert contract.collect_events() == []


def test_full_path_transmit_anomaly_correct_retransmit_engage_amend():
    contract = _drafted()
    context = transmission_context(contract.form)

    warnings = contract.transmit(context, by=EMPLOYER)
    assert warnings == []
    assert (contract.status, contract.revision) == (ContractStatus.TRANSMITTED, 1)
    assert not contract.is_editable
    with pytest.raises(ContractNotEditable):
        contract.save(contract.form, by=EMPLOYER)
    with pytest.raises(InvalidTransition):
        contract.transmit(context, by=EMPLOYER)

    contract.apply_anomaly(reasons=["Convention de formation non signée"], letter_document_id="doc-1", by="opco")
    assert contract.status == ContractStatus.IN_ANOMALY and contract.is_editable
    contract.save(with_changes(contract.form, {"employee.phone": "06 00 00 00 01"}), by=EMPLOYER)

    contract.transmit(context, by=EMPLOYER)
    assert (contract.status, contract.revision) == (ContractStatus.TRANSMITTED, 2)

    contract.engage(opco_file_number="075202509000123", agreement_letter_document_id="doc-2", by="opco")
    assert contract.status == ContractStatus.ENGAGED and contract.status.label == "Engagé"
    with pytest.raises(ContractNotEditable):
        contract.save(contract.form, by=EMPLOYER)

    contract.open_amendment(kind_code=KindCode.OTHER_CHANGE, effective_date=date(2026, 1, 5), by=EMPLOYER)
    assert (contract.status, contract.revision, contract.amendment_number) == (ContractStatus.DRAFT, 3, 1)
    terms = contract.form.contract
    assert contract.form.introduction.contract_kind == ContractKind.AMENDMENT
    assert (terms.kind_code, terms.previous_contract_number, terms.amendment_effective_date) == (
        KindCode.OTHER_CHANGE,
        "075202509000123",
        date(2026, 1, 5),
    )
    contract.transmit(context, by=EMPLOYER)
    assert (contract.status, contract.revision) == (ContractStatus.TRANSMITTED, 3)
    contract.engage(opco_file_number="ignored", agreement_letter_document_id=None, by="opco")
    assert contract.opco_file_number == "075202509000123"

    assert _event_types(contract) == [
        ContractDrafted,
        ContractTransmitted,
        AnomalyApplied,
        ContractSaved,
        ContractTransmitted,
        ContractEngaged,
        AmendmentOpened,
        ContractTransmitted,
        ContractEngaged,
    ]


def test_transmitted_event_carries_revision():
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    event = contract.collect_events()[-1]
    assert isinstance(event, ContractTransmitted) and event.revision == 1 and event.contract_id == contract.id


def test_amendment_requires_engagement_and_an_amendment_code():
    contract = _drafted()
    with pytest.raises(InvalidTransition):
        contract.open_amendment(kind_code=KindCode.OTHER_CHANGE, effective_date=date(2026, 1, 1), by=EMPLOYER)
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    contract.engage(opco_file_number="N1", agreement_letter_document_id=None, by="opco")
    with pytest.raises(InvalidAmendment):
        contract.open_amendment(kind_code=KindCode.FIRST, effective_date=date(2026, 1, 1), by=EMPLOYER)


def test_an_amendment_stays_an_amendment():
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    contract.engage(opco_file_number="N1", agreement_letter_document_id=None, by="opco")
    contract.open_amendment(kind_code=KindCode.WORKPLACE_CHANGE, effective_date=date(2026, 2, 1), by=EMPLOYER)
    with pytest.raises(InvalidAmendment):
        contract.save(with_changes(contract.form, {"introduction.contract_kind": "first"}), by=EMPLOYER)


def test_amendment_without_effective_date_cannot_be_transmitted():
    """Notice du CERFA 10103: an amendment (31-38) has its effective date."""
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    contract.engage(opco_file_number="N1", agreement_letter_document_id=None, by="opco")
    contract.open_amendment(kind_code=KindCode.OTHER_CHANGE, effective_date=date(2026, 2, 1), by=EMPLOYER)
    contract.save(with_changes(contract.form, {"contract.amendment_effective_date": None}), by=EMPLOYER)
    with pytest.raises(TransmissionRefused) as refused:
        contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    assert [f.rule_id for f in refused.value.errors] == ["AMENDMENT_EFFECTIVE_DATE_REQUIRED"]


def test_refusal():
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    contract.refuse(reason="Dossier incomplet après 20 jours", by="opco")
    assert contract.status == ContractStatus.REFUSED
    assert ContractRefused in _event_types(contract)


def test_opco_decisions_require_a_transmitted_contract():
    contract = _drafted()
    with pytest.raises(InvalidTransition):
        contract.engage(opco_file_number="N1", agreement_letter_document_id=None, by="opco")
    with pytest.raises(InvalidTransition):
        contract.apply_anomaly(reasons=[], letter_document_id=None, by="opco")


def test_engage_requires_a_file_number():
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    with pytest.raises(InvalidTransition):
        contract.engage(opco_file_number=" ", agreement_letter_document_id=None, by="opco")


def test_archive_and_restore():
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    contract.engage(opco_file_number="OPC-1", agreement_letter_document_id=None, by="opco")
    contract.archive(by=EMPLOYER)
    assert contract.status == ContractStatus.ARCHIVED and not contract.is_editable
    with pytest.raises(InvalidTransition):
        contract.archive(by=EMPLOYER)
    contract.restore(by=EMPLOYER)
    assert contract.status == ContractStatus.ENGAGED
    assert _event_types(contract)[-2:] == [ContractArchived, ContractRestored]


def test_a_contract_awaiting_the_opco_decision_cannot_be_archived():
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    with pytest.raises(InvalidTransition, match="attend sa décision"):
        contract.archive(by=EMPLOYER)
    assert contract.status == ContractStatus.TRANSMITTED


@pytest.mark.parametrize(
    ("decide", "status"),
    [
        (lambda c: c.engage(opco_file_number="OPC-9", agreement_letter_document_id=None, by="opco"), "engaged"),
        (lambda c: c.apply_anomaly(reasons=["x"], letter_document_id=None, by="opco"), "in_anomaly"),
        (lambda c: c.refuse(reason="Hors délai", by="opco"), "refused"),
    ],
)
def test_a_decision_reaching_a_contract_archived_while_transmitted_is_kept_beside_the_archive(decide, status):
    """Contracts archived while transmitted before this rule existed: the decision is applied, never lost."""
    contract = _drafted()
    contract.transmit(transmission_context(contract.form), by=EMPLOYER)
    contract.status_before_archive, contract.status = contract.status, ContractStatus.ARCHIVED
    assert contract.awaits_decision
    decide(contract)
    assert contract.status == ContractStatus.ARCHIVED
    assert contract.status_before_archive == ContractStatus(status)
    contract.restore(by=EMPLOYER)
    assert contract.status == ContractStatus(status)
    if status == "engaged":
        assert contract.opco_file_number == "OPC-9"


def test_only_never_transmitted_drafts_can_be_deleted():
    draft = _drafted()
    draft.delete(by=EMPLOYER)
    assert draft.status == ContractStatus.DELETED
    assert _event_types(draft)[-1] is ContractDeleted
    transmitted = _drafted()
    transmitted.transmit(transmission_context(transmitted.form), by=EMPLOYER)
    with pytest.raises(InvalidTransition):
        transmitted.delete(by=EMPLOYER)
    transmitted.apply_anomaly(reasons=["x"], letter_document_id=None, by="opco")
    with pytest.raises(InvalidTransition):
        transmitted.delete(by=EMPLOYER)


def test_transfer_to_a_colleague():
    contract = _drafted()
    contract.transfer(to_owner_id="user-colleague", by=EMPLOYER)
    assert contract.owner_id == "user-colleague"
    event = contract.collect_events()[-1]
    assert isinstance(event, ContractTransferred) and (event.from_owner_id, event.to_owner_id) == (
        EMPLOYER,
        "user-colleague",
    )
    with pytest.raises(InvalidTransition):
        contract.transfer(to_owner_id="user-colleague", by=EMPLOYER)


def test_status_labels_are_french():
    assert {status.value: status.label for status in ContractStatus} == {
        "draft": "En cours de saisie",
        "proposed": "Envoyé par l'organisme ou le CFA",
        "transmitted": "Transmis à l'OPCO",
        "in_anomaly": "En anomalie",
        "engaged": "Engagé",
        "refused": "Refusé",
        "archived": "Archivé",
        "deleted": "Supprimé",
    }


def test_transmission_keeps_warnings():
    form = with_changes(complete_apprenticeship_form(), {"contract.dangerous_work": True})
    contract = _drafted(form)
    warnings = contract.transmit(transmission_context(form), by=EMPLOYER)
    assert [w.rule_id for w in warnings] == ["DANGEROUS_WORK_MINOR"]
    assert contract.collect_events()[-1].warnings == 1
