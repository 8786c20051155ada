"""Issue #11 (one person in charge per side) and #10.5 (each side acts within its own side; administrators and
contributors have different rights, from the one table in libs.access)."""

from __future__ import annotations

import uuid

import pytest

from passerelle.contracts.domain.codes import ContractStatus, ContractType
from passerelle.contracts.service_layer import commands, drafting, lifecycle
from passerelle.contracts.service_layer.errors import SideNotAllowed
from passerelle.contracts.service_layer.records import Colleague
from passerelle.contracts.testing.samples import DEMO_CFA_SIRET, DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET
from passerelle.libs.access import RIGHTS, Action, Right, Side, may
from passerelle.libs.errors import InvalidInput

from .test_service_layer import transmitted


async def _proposed_and_accepted(uow, deps, cfa, employer):
    command = commands.CreateContract(
        ContractType.APPRENTICESHIP, employer_siret=DEMO_EMPLOYER_SIRET, training_uai=DEMO_CFA_UAI
    )
    record = await drafting.create_contract(uow, cfa, command, deps)
    await drafting.propose_contract(uow, cfa, commands.ProposeContract(record.id, "rh@dupain.example.fr"), deps)
    await drafting.accept_proposal(uow, employer, commands.AcceptProposal(record.id), deps)
    await uow.commit()
    return record.id


async def _colleague(uow, kind: str, **where) -> uuid.UUID:
    account = uuid.uuid4()
    await uow.contracts.add_member(Colleague(uuid.uuid4(), account, kind, where.get("siret"), where.get("uai")))
    return account


async def test_each_side_has_its_own_person_in_charge(uow, deps, make_principal):
    cfa = make_principal(uais=[DEMO_CFA_UAI], training_sirets=[DEMO_CFA_SIRET])
    employer = make_principal(sirets=[DEMO_EMPLOYER_SIRET])
    contract_id = await _proposed_and_accepted(uow, deps, cfa, employer)
    record = uow.contracts.records[contract_id]
    assert record.in_charge == {Side.TRAINING: str(cfa.subject), Side.EMPLOYER: str(employer.subject)}
    # The employer hands its side to a colleague: the training organisation's person in charge stays.
    colleague = await _colleague(uow, "employer", siret=DEMO_EMPLOYER_SIRET)
    await lifecycle.transfer_contract(uow, employer, commands.TransferContract(contract_id, colleague), deps)
    await uow.commit()
    record = uow.contracts.records[contract_id]
    assert record.in_charge == {Side.TRAINING: str(cfa.subject), Side.EMPLOYER: str(colleague)}


async def test_the_training_side_cannot_transfer_to_the_employers_staff(uow, deps, make_principal):
    cfa = make_principal(uais=[DEMO_CFA_UAI], training_sirets=[DEMO_CFA_SIRET])
    employer = make_principal(sirets=[DEMO_EMPLOYER_SIRET])
    contract_id = await _proposed_and_accepted(uow, deps, cfa, employer)
    employer_colleague = await _colleague(uow, "employer", siret=DEMO_EMPLOYER_SIRET)
    with pytest.raises(InvalidInput):
        await lifecycle.transfer_contract(uow, cfa, commands.TransferContract(contract_id, employer_colleague), deps)


async def test_the_training_side_cannot_archive_the_employers_contract(uow, deps, make_principal):
    cfa = make_principal(uais=[DEMO_CFA_UAI], training_sirets=[DEMO_CFA_SIRET])
    employer = make_principal(sirets=[DEMO_EMPLOYER_SIRET])
    contract_id = await _proposed_and_accepted(uow, deps, cfa, employer)
    with pytest.raises(SideNotAllowed, match="employeur"):
        await lifecycle.archive_contract(uow, cfa, contract_id, deps)
    archived = await lifecycle.archive_contract(uow, employer, contract_id, deps)
    assert archived.contract.status == ContractStatus.ARCHIVED


async def test_a_contributor_transmits_and_archives_only_what_they_are_in_charge_of(uow, deps, make_principal):
    admin = make_principal(sirets=[DEMO_EMPLOYER_SIRET])
    record = await transmitted(uow, admin, deps)  # the administrator is in charge of it
    contributor = make_principal(sirets=[DEMO_EMPLOYER_SIRET], role="contributor")
    colleague = await _colleague(uow, "employer", siret=DEMO_EMPLOYER_SIRET)
    with pytest.raises(SideNotAllowed, match="administrateur"):
        await lifecycle.transfer_contract(uow, contributor, commands.TransferContract(record.id, colleague), deps)
    # Once in charge, the contributor may.
    uow.contracts.records[record.id].in_charge[Side.EMPLOYER] = str(contributor.subject)
    moved = await lifecycle.transfer_contract(uow, contributor, commands.TransferContract(record.id, colleague), deps)
    assert moved.in_charge[Side.EMPLOYER] == str(colleague)


def test_the_rights_table_distinguishes_administrators_from_contributors():
    assert all(RIGHTS[action]["admin"] == Right.YES for action in Action)
    assert may(Action.EDIT, "contributor", in_charge=False)
    assert not may(Action.ARCHIVE, "contributor", in_charge=False) and may(
        Action.ARCHIVE, "contributor", in_charge=True
    )
    assert not may(Action.TRANSFER, "reviewer", in_charge=True)  # OPCO roles do nothing on a party's side
