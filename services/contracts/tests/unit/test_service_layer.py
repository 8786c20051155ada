"""The use cases with a unit of work in memory: access by side, saving, transmission, OPCO decisions, events."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from passerelle.contracts.domain.codes import ContractType, KindCode
from passerelle.contracts.domain.tabs import Tab
from passerelle.contracts.entrypoints.http.schemas import contract_public
from passerelle.contracts.service_layer import commands, drafting, lifecycle, projections, queries
from passerelle.contracts.service_layer.access import sides_of
from passerelle.contracts.service_layer.errors import ContractNotFound, SideNotAllowed
from passerelle.contracts.service_layer.records import Colleague
from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    DEMO_OTHER_COMPANY_SIRET,
    complete_apprenticeship_form,
)
from passerelle.libs.access import Side
from passerelle.libs.errors import DomainError, Forbidden, InvalidInput, PreconditionFailed
from passerelle.libs.revisions import NotYetApplicable
from passerelle.schemas.events import contracts as events
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.opco import (
    Anomaly,
    AnomalyRaised,
    AnomalyResolved,
    CaseOpened,
    ContractEngaged,
    ContractRefused,
)

NOW = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def employer(make_principal):
    return make_principal(sirets=[DEMO_EMPLOYER_SIRET])


@pytest.fixture
def cfa(make_principal):
    return make_principal(uais=[DEMO_CFA_UAI], training_sirets=[DEMO_CFA_SIRET])


async def draft(uow, who, deps, **kw):
    command = commands.CreateContract(contract_type=ContractType.APPRENTICESHIP, **kw)
    record = await drafting.create_contract(uow, who, command, deps)
    await uow.commit()
    return record


async def complete(uow, who, deps, contract_id):
    form = complete_apprenticeship_form().model_dump(mode="json")
    result = await drafting.save_form(uow, who, commands.SaveForm(contract_id, form), deps)
    await uow.commit()
    return result


def uploaded(contract_id, document_type="convention_formation", version=1) -> DocumentUploaded:
    return DocumentUploaded(
        document_id=uuid.uuid4(),
        contract_id=contract_id,
        document_type=document_type,
        version=version,
        filename="convention.pdf",
        size=10,
        sha256="00" * 32,
        media_type="application/pdf",
        uploaded_at=NOW,
    )


async def transmitted(uow, who, deps):
    record = await draft(uow, who, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    await complete(uow, who, deps, record.id)
    await projections.record_document(uow, uploaded(record.id))
    record, _ = await lifecycle.transmit_contract(uow, who, record.id, deps)
    await uow.commit()
    return record


# --- creation -------------------------------------------------------------------------------------------------


async def test_an_employer_creates_a_contract_auto_filled_from_its_siret(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    assert record.contract.form.employer.name == "Boulangerie Dupain SAS"
    assert record.contract.form.employer.idcc == "0843"
    assert record.created_by_side == Side.EMPLOYER and record.opco_code == "OPCOEP"  # IDCC 0843
    [event] = uow.committed_events
    assert isinstance(event, events.ContractDrafted)
    assert event.parties.employer_siret == DEMO_EMPLOYER_SIRET and event.parties.opco_code == "OPCOEP"
    assert event.actor_id == employer.subject
    assert [e.action for e in uow.contracts.entries] == ["drafted"]


async def test_nobody_creates_a_contract_for_an_organisation_they_are_not_in(uow, employer, deps):
    with pytest.raises(Forbidden):
        await draft(uow, employer, deps, employer_siret=DEMO_OTHER_COMPANY_SIRET)
    with pytest.raises(InvalidInput) as refused:
        await draft(uow, employer, deps, employer_siret="12345678901230")
    assert refused.value.fields[0].path == "employer_siret"
    assert uow.contracts.records == {}


async def test_a_training_organisation_creates_its_part_only(uow, cfa, deps):
    form = {"employee": {"first_name": "Lucas"}}
    with pytest.raises(SideNotAllowed):
        await drafting.create_contract(
            uow,
            cfa,
            commands.CreateContract(ContractType.APPRENTICESHIP, training_uai=DEMO_CFA_UAI, form=form),
            deps,
        )
    record = await draft(uow, cfa, deps, training_uai=DEMO_CFA_UAI, employer_siret=DEMO_EMPLOYER_SIRET)
    assert record.created_by_side == Side.TRAINING and not record.visible_to_employer
    assert record.contract.form.training.organisation.name == "CFA des Métiers de l'Alimentation de Paris"


# --- saving ---------------------------------------------------------------------------------------------------


async def test_saving_a_tab_returns_its_findings_and_publishes_the_changed_tabs(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    command = commands.SaveTab(record.id, Tab.EMPLOYEE, {"first_name": "Lucas", "nir": "123"})
    result = await drafting.save_tab(uow, employer, command, deps)
    await uow.commit()
    assert result.changed == ["employee.first_name", "employee.nir"]
    assert {f.tab for f in result.findings} == {Tab.EMPLOYEE}
    assert any(f.rule_id == "NIR_FORMAT" and f.field == "employee.nir" for f in result.findings)
    updated = uow.committed_events[-1]
    assert isinstance(updated, events.ContractUpdated) and updated.tabs == ["salarie"] and updated.revision == 1
    assert uow.contracts.entries[-1].details["changed"] == ["employee.first_name", "employee.nir"]
    assert uow.contracts.records[record.id].contract.version == 2


async def test_saving_the_same_content_again_changes_nothing(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    command = commands.SaveTab(record.id, Tab.EMPLOYEE, {"first_name": "Lucas"})
    await drafting.save_tab(uow, employer, command, deps)
    await uow.commit()
    published = len(uow.committed_events)
    result = await drafting.save_tab(uow, employer, command, deps)
    assert result.changed == [] and len(uow.committed_events) + len(uow.published) == published


async def test_bad_input_names_the_field_by_its_full_path(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    cases = [
        (Tab.EMPLOYER, {"address": {"postcode": 12}}, "employer.address.postcode"),
        (Tab.TUTOR, {"tutors": [{"experience_years": "dix"}]}, "tutors[0].experience_years"),
        (Tab.CONTRACT, {"surprise": True}, "contract.surprise"),
    ]
    for tab, content, path in cases:
        with pytest.raises(InvalidInput) as refused:
            await drafting.save_tab(uow, employer, commands.SaveTab(record.id, tab, content), deps)
        assert [f.path for f in refused.value.fields] == [path]
    with pytest.raises(InvalidInput):
        await drafting.save_tab(uow, employer, commands.SaveTab(record.id, Tab.DOCUMENTS, {}), deps)
    assert uow.contracts.records[record.id].contract.version == 1


async def test_a_stale_version_is_refused(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    await drafting.save_tab(uow, employer, commands.SaveTab(record.id, Tab.EMPLOYEE, {"first_name": "A"}), deps)
    with pytest.raises(PreconditionFailed) as conflict:
        await drafting.save_tab(
            uow, employer, commands.SaveTab(record.id, Tab.EMPLOYEE, {"first_name": "B"}, expected_version=1), deps
        )
    assert conflict.value.status_code == 412
    assert "vous aviez la version 1, il en est à la version 2" in conflict.value.message


async def test_each_side_writes_only_its_part(uow, employer, cfa, deps):
    record = await draft(uow, cfa, deps, training_uai=DEMO_CFA_UAI, employer_siret=DEMO_EMPLOYER_SIRET)
    with pytest.raises(ContractNotFound):  # not yet proposed: the employer does not see it
        await queries.get_contract(uow, employer, record.id)
    with pytest.raises(SideNotAllowed):
        await drafting.save_tab(uow, cfa, commands.SaveTab(record.id, Tab.EMPLOYER, {"name": "X"}), deps)
    training = complete_apprenticeship_form().training.model_dump(mode="json")
    await drafting.save_tab(uow, cfa, commands.SaveTab(record.id, Tab.TRAINING, training), deps)
    await drafting.propose_contract(uow, cfa, commands.ProposeContract(record.id, "rh@dupain.example.fr"), deps)
    await uow.commit()
    assert isinstance(uow.committed_events[-1], events.ContractProposed)
    with pytest.raises(DomainError) as not_yet:  # proposed: accept first
        await drafting.save_tab(uow, employer, commands.SaveTab(record.id, Tab.EMPLOYEE, {"first_name": "L"}), deps)
    assert not_yet.value.status_code == 409
    await drafting.accept_proposal(uow, employer, record.id, deps)
    with pytest.raises(SideNotAllowed):
        await drafting.save_tab(uow, employer, commands.SaveTab(record.id, Tab.TRAINING, training), deps)
    whole = complete_apprenticeship_form().model_dump(mode="json")
    whole["training"]["hours"] = "800"
    with pytest.raises(SideNotAllowed):  # the whole form may not change the other side's tab either
        await drafting.save_form(uow, employer, commands.SaveForm(record.id, whole), deps)
    stored = uow.contracts.records[record.id]
    assert sides_of(employer, stored) == {Side.EMPLOYER} and sides_of(cfa, stored) == {Side.TRAINING}


# --- transmission ---------------------------------------------------------------------------------------------


async def test_transmission_is_refused_with_every_error_by_tab_and_nothing_leaves(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    await complete(uow, employer, deps, record.id)
    published = len(uow.committed_events)
    with pytest.raises(DomainError) as refused:
        await lifecycle.transmit_contract(uow, employer, record.id, deps)
    error = refused.value
    body = error.as_dict()["error"]
    assert error.status_code == 422 and body["code"] == "contract_transmission_refused"
    assert body["tabs_in_error"] == ["documents"]
    assert [f.path for f in error.fields] == ["documents.convention_formation"]
    documents_tab = next(t for t in body["tabs"] if t["tab"] == "documents")
    assert documents_tab["state"] == "error" and documents_tab["errors"][0]["rule_id"] == "TRAINING_AGREEMENT_DOCUMENT"
    assert uow.published == [] and len(uow.committed_events) == published
    assert uow.contracts.records[record.id].contract.status.value == "draft"


async def test_transmission_sends_the_whole_contract_and_its_documents(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    event = uow.committed_events[-1]
    assert isinstance(event, events.ContractTransmitted)
    assert event.revision == 1 and event.is_amendment is False
    assert event.form == record.contract.form.model_dump(mode="json")
    assert [(d.document_type, d.version) for d in event.documents] == [("convention_formation", 1)]
    assert event.parties.training_uai == DEMO_CFA_UAI
    assert record.contract.status.value == "transmitted" and not record.contract.is_editable
    with pytest.raises(DomainError) as frozen:
        await drafting.save_tab(uow, employer, commands.SaveTab(record.id, Tab.EMPLOYEE, {"first_name": "X"}), deps)
    assert frozen.value.status_code == 409


async def test_only_the_employer_transmits(uow, employer, cfa, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    await complete(uow, employer, deps, record.id)
    with pytest.raises(SideNotAllowed):
        await lifecycle.transmit_contract(uow, cfa, record.id, deps)


# --- what the OPCO decides ------------------------------------------------------------------------------------


def anomaly(contract_id, revision=1) -> AnomalyRaised:
    return AnomalyRaised(
        case_id=uuid.uuid4(),
        contract_id=contract_id,
        revision=revision,
        anomalies=[Anomaly(code="MISSING_CERFA", kind="missing_document", document_type="cerfa_signe", message="…")],
        letter_document_id=uuid.uuid4(),
        raised_at=NOW,
    )


def engaged(contract_id, revision) -> ContractEngaged:
    return ContractEngaged(
        case_id=uuid.uuid4(),
        contract_id=contract_id,
        revision=revision,
        opco_file_number="OPC-1",
        letter_document_id=uuid.uuid4(),
        engaged_at=NOW,
    )


async def test_an_anomaly_reopens_the_contract_and_a_new_transmission_is_a_new_revision(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    event = anomaly(record.id)
    applied = await lifecycle.apply_anomaly(uow, event, deps)
    assert applied.contract.status.value == "in_anomaly" and applied.contract.is_editable
    assert applied.anomalies[0]["code"] == "MISSING_CERFA"
    assert applied.anomaly_letter_document_id == event.letter_document_id
    assert uow.published == []  # the OPCO's decision is its own event: nothing is published again
    again, _ = await lifecycle.transmit_contract(uow, employer, record.id, deps)
    await uow.commit()
    assert again.contract.revision == 2 and uow.committed_events[-1].revision == 2
    # A late decision about revision 1 changes nothing; the one about revision 2 engages.
    assert await lifecycle.engage(uow, engaged(record.id, 1), deps) is None
    done = await lifecycle.engage(uow, engaged(record.id, 2), deps)
    assert done.contract.status.value == "engaged" and done.contract.opco_file_number == "OPC-1"
    assert done.anomalies == []


async def test_a_received_document_closes_its_anomaly_and_the_contract_is_with_the_opco_again(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    await lifecycle.apply_anomaly(uow, anomaly(record.id), deps)
    resolved = AnomalyResolved(case_id=uuid.uuid4(), contract_id=record.id, revision=1, codes=["MISSING_CERFA"])
    done = await lifecycle.resolve_anomalies(uow, resolved, deps)
    assert done.anomalies == [] and done.contract.status.value == "transmitted"
    # Engaged at the same revision, without a new transmission.
    assert (await lifecycle.engage(uow, engaged(record.id, 1), deps)).contract.status.value == "engaged"


async def test_a_new_transmission_no_longer_shows_the_old_anomalies(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    await lifecycle.apply_anomaly(uow, anomaly(record.id), deps)
    again, _ = await lifecycle.transmit_contract(uow, employer, record.id, deps)
    assert again.anomalies == [] and again.contract.status.value == "transmitted"


async def test_the_opco_the_case_was_routed_to_sees_the_contract(uow, employer, deps, make_principal):
    record = await transmitted(uow, employer, deps)
    # contracts routed it by the IDCC already; opco-processing's routing (here to another OPCO) is the one kept.
    other = "OPCO2I" if record.opco_code != "OPCO2I" else "OPCOEP"
    opened = CaseOpened(
        case_id=uuid.uuid4(), contract_id=record.id, revision=1, opco_code=other, decision_due_on=date(2026, 3, 1)
    )
    routed = await lifecycle.assign_opco(uow, opened, deps)
    assert routed is not None and routed.opco_code == other
    assert await lifecycle.assign_opco(uow, opened, deps) is None  # nothing to change the second time


async def test_decisions_about_unknown_contracts_are_retried_not_dropped(uow, deps):
    unknown = uuid.uuid4()
    with pytest.raises(NotYetApplicable):
        await lifecycle.apply_anomaly(uow, anomaly(unknown), deps)
    with pytest.raises(NotYetApplicable):
        await lifecycle.engage(uow, engaged(unknown, 1), deps)
    assert await projections.record_document(uow, uploaded(unknown)) is False
    assert uow.contracts.records == {} and uow.contracts.attached == {}


def resolution(contract_id, revision=1, codes=("MISSING_CERFA",)) -> AnomalyResolved:
    return AnomalyResolved(case_id=uuid.uuid4(), contract_id=contract_id, revision=revision, codes=list(codes))


async def test_an_engagement_that_overtakes_the_resolution_waits_for_it(uow, employer, deps):
    """The OPCO decides only once its anomalies are closed: an engagement read here while the contract is still
    in anomaly (anomaly.resolved is on another topic, not applied yet) is retried, then applied."""
    record = await transmitted(uow, employer, deps)
    await lifecycle.apply_anomaly(uow, anomaly(record.id), deps)
    for early in (
        lambda: lifecycle.engage(uow, engaged(record.id, 1), deps),
        lambda: lifecycle.refuse(uow, refusal(record.id), deps),
        lambda: lifecycle.apply_anomaly(uow, anomaly(record.id), deps),
    ):
        with pytest.raises(NotYetApplicable):
            await early()
    assert (await uow.contracts.get(record.id)).contract.status.value == "in_anomaly"
    await lifecycle.resolve_anomalies(uow, resolution(record.id), deps)
    done = await lifecycle.engage(uow, engaged(record.id, 1), deps)
    assert done.contract.status.value == "engaged" and done.contract.opco_file_number == "OPC-1"
    # Delivered once more (another event id), the engagement changes nothing.
    assert await lifecycle.engage(uow, engaged(record.id, 1), deps) is None


async def test_a_decision_about_a_revision_not_transmitted_here_is_retried(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    with pytest.raises(NotYetApplicable):
        await lifecycle.engage(uow, engaged(record.id, 7), deps)
    with pytest.raises(NotYetApplicable):
        await lifecycle.resolve_anomalies(uow, resolution(record.id, revision=7), deps)
    assert (await uow.contracts.get(record.id)).contract.status.value == "transmitted"


async def test_a_resolution_that_overtakes_its_anomaly_is_retried_then_applied(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    with pytest.raises(NotYetApplicable):
        await lifecycle.resolve_anomalies(uow, resolution(record.id), deps)
    await lifecycle.apply_anomaly(uow, anomaly(record.id), deps)
    # Another anomaly's code is not closed by a resolution of codes never raised here.
    with pytest.raises(NotYetApplicable):
        await lifecycle.resolve_anomalies(uow, resolution(record.id, codes=("OTHER",)), deps)
    done = await lifecycle.resolve_anomalies(uow, resolution(record.id), deps)
    assert done.anomalies == [] and done.contract.status.value == "transmitted"
    # After a new transmission, a late resolution of the first revision is skipped, not retried.
    await lifecycle.apply_anomaly(uow, anomaly(record.id), deps)
    await lifecycle.transmit_contract(uow, employer, record.id, deps)
    assert await lifecycle.resolve_anomalies(uow, resolution(record.id), deps) is None


async def test_an_archived_contract_in_anomaly_is_resumed_by_the_resolution(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    await lifecycle.apply_anomaly(uow, anomaly(record.id), deps)
    stored = await uow.contracts.get(record.id)
    stored.contract.archive(by="test")
    await uow.contracts.update(stored)
    done = await lifecycle.resolve_anomalies(uow, resolution(record.id), deps)
    assert done.contract.status.value == "archived" and done.contract.status_before_archive.value == "transmitted"
    engaged_while_archived = await lifecycle.engage(uow, engaged(record.id, 1), deps)
    assert engaged_while_archived.contract.status_before_archive.value == "engaged"


def refusal(contract_id, revision=1) -> ContractRefused:
    return ContractRefused(
        case_id=uuid.uuid4(), contract_id=contract_id, revision=revision, reason="Délai dépassé.", refused_at=NOW
    )


async def test_a_refusal_is_kept(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    refusal = ContractRefused(
        case_id=uuid.uuid4(), contract_id=record.id, revision=1, reason="Délai dépassé.", refused_at=NOW
    )
    refused = await lifecycle.refuse(uow, refusal, deps)
    assert refused.contract.status.value == "refused" and refused.refusal_reason == "Délai dépassé."


async def test_after_engagement_an_amendment_follows_the_same_path(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    await lifecycle.engage(uow, engaged(record.id, 1), deps)
    command = commands.RequestAmendment(record.id, KindCode.OTHER_CHANGE, date(2026, 3, 1))
    opened = await lifecycle.request_amendment(uow, employer, command, deps)
    await uow.commit()
    assert opened.contract.status.value == "draft" and opened.contract.revision == 2
    assert isinstance(uow.committed_events[-1], events.AmendmentRequested) and uow.committed_events[-1].revision == 2
    again, _ = await lifecycle.transmit_contract(uow, employer, record.id, deps)
    await uow.commit()
    assert uow.committed_events[-1].is_amendment is True and uow.committed_events[-1].revision == 2


async def test_the_latest_document_version_is_kept(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    assert await projections.record_document(uow, uploaded(record.id, version=2))
    assert not await projections.record_document(uow, uploaded(record.id, version=1))
    [document] = await uow.contracts.documents(record.id)
    assert document.version == 2


# --- the file's life ------------------------------------------------------------------------------------------


async def test_transfers_go_to_colleagues_of_the_same_establishment(uow, employer, deps):
    record = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    colleague, stranger = uuid.uuid4(), uuid.uuid4()
    await uow.contracts.add_member(Colleague(uuid.uuid4(), colleague, "employer", DEMO_EMPLOYER_SIRET, None))
    await uow.contracts.add_member(Colleague(uuid.uuid4(), stranger, "employer", DEMO_OTHER_COMPANY_SIRET, None))
    with pytest.raises(InvalidInput):
        await lifecycle.transfer_contract(uow, employer, commands.TransferContract(record.id, stranger), deps)
    moved = await lifecycle.transfer_contract(uow, employer, commands.TransferContract(record.id, colleague), deps)
    await uow.commit()
    assert moved.contract.owner_id == str(colleague)
    event = uow.committed_events[-1]
    assert isinstance(event, events.ContractTransferred) and event.to_account_id == colleague


async def test_only_drafts_are_deleted_and_deleted_contracts_disappear(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    with pytest.raises(DomainError) as refused:
        await lifecycle.delete_contract(uow, employer, record.id, deps)
    assert refused.value.status_code == 409
    other = await draft(uow, employer, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    await lifecycle.delete_contract(uow, employer, other.id, deps)
    await uow.commit()
    assert isinstance(uow.committed_events[-1], events.ContractDeleted)
    with pytest.raises(ContractNotFound):
        await queries.get_contract(uow, employer, other.id)


async def test_opco_staff_read_transmitted_contracts_of_their_opco_only(uow, employer, deps, make_principal):
    record = await transmitted(uow, employer, deps)
    reviewer = make_principal(opco=["OPCOEP"])
    stored, sides, documents = await queries.get_contract(uow, reviewer, record.id)
    assert sides == {Side.OPCO}
    view = contract_public(stored, sides, documents)
    assert view.writable_tabs == [] and view.documents[0].document_type == "convention_formation"
    with pytest.raises(ContractNotFound):
        await queries.get_contract(uow, make_principal(opco=["AKTO"]), record.id)
    with pytest.raises(SideNotAllowed):
        await lifecycle.archive_contract(uow, reviewer, record.id, deps)


async def test_anomalies_the_corrected_transmission_closed_are_told_on_the_new_revision_and_applied(
    uow, employer, deps
):
    """opco-processing closes the fixed anomalies when the corrected contract arrives, on the new revision: they
    were raised on the earlier one, so the resolution is applied at once (never retried until parked)."""
    record = await transmitted(uow, employer, deps)
    await lifecycle.apply_anomaly(uow, anomaly(record.id), deps)
    await lifecycle.transmit_contract(uow, employer, record.id, deps)
    done = await lifecycle.resolve_anomalies(uow, resolution(record.id, revision=2), deps)
    assert done is not None and done.contract.status.value == "transmitted"
    # A new anomaly on revision 2, then the late resolution of revision 1's: the new one stays.
    second = anomaly(record.id, revision=2)
    second = second.model_copy(update={"anomalies": [second.anomalies[0].model_copy(update={"code": "NIR"})]})
    await lifecycle.apply_anomaly(uow, second, deps)
    kept = await lifecycle.resolve_anomalies(uow, resolution(record.id, revision=2), deps)
    assert kept.contract.status.value == "in_anomaly" and [a["code"] for a in kept.anomalies] == ["NIR"]
