"""Issue #11 and #10.2: proposing to an e-mail, declining, proposing only what the training side holds alone,
and an employer of several establishments asked which one."""

from __future__ import annotations

import pytest

from passerelle.contracts.domain.codes import ContractStatus, ContractType
from passerelle.contracts.service_layer import commands, drafting, queries
from passerelle.contracts.service_layer.access import sides_of
from passerelle.contracts.service_layer.errors import ContractNotFound
from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SECOND_SIRET,
    DEMO_EMPLOYER_SIRET,
    DEMO_OTHER_COMPANY_SIRET,
)
from passerelle.libs.access import Side
from passerelle.libs.errors import DomainError, InvalidInput

EMAIL = "recrutement@dupain.example.fr"


@pytest.fixture
def cfa(make_principal):
    return make_principal(uais=[DEMO_CFA_UAI], training_sirets=[DEMO_CFA_SIRET])


async def _cfa_draft(uow, cfa, deps, **kw):
    command = commands.CreateContract(
        contract_type=ContractType.APPRENTICESHIP, training_uai=DEMO_CFA_UAI, training_siret=DEMO_CFA_SIRET, **kw
    )
    record = await drafting.create_contract(uow, cfa, command, deps)
    await uow.commit()
    return record


async def test_a_proposal_to_an_email_is_found_by_that_employer_who_chooses_the_establishment(
    uow, cfa, deps, make_principal
):
    record = await _cfa_draft(uow, cfa, deps)
    proposed = await drafting.propose_contract(uow, cfa, commands.ProposeContract(record.id, EMAIL), deps)
    await uow.commit()
    assert proposed.contract.status == ContractStatus.PROPOSED and proposed.employer_siret is None
    employer = make_principal(sirets=[DEMO_EMPLOYER_SIRET, DEMO_EMPLOYER_SECOND_SIRET], email=EMAIL.upper())
    stranger = make_principal(sirets=[DEMO_OTHER_COMPANY_SIRET], email="autre@garage.example.fr")
    assert sides_of(employer, uow.contracts.records[record.id]) == {Side.EMPLOYER}
    assert queries.dashboard_query(employer).proposals_to_email == EMAIL
    with pytest.raises(ContractNotFound):
        await queries.get_contract(uow, stranger, record.id)
    # Two establishments: accepting asks which one.
    with pytest.raises(InvalidInput) as asked:
        await drafting.accept_proposal(uow, employer, commands.AcceptProposal(record.id), deps)
    assert (
        asked.value.fields[0].path == "employer_siret" and DEMO_EMPLOYER_SECOND_SIRET in asked.value.fields[0].message
    )
    accepted = await drafting.accept_proposal(
        uow, employer, commands.AcceptProposal(record.id, DEMO_EMPLOYER_SIRET), deps
    )
    await uow.commit()
    assert accepted.contract.status == ContractStatus.DRAFT and accepted.employer_siret == DEMO_EMPLOYER_SIRET
    assert accepted.contract.form.employer.name == "Boulangerie Dupain SAS"  # filled from the chosen SIRET
    # ... and the label of its collective agreement, from the platform's IDCC table (IDCC 0843).
    assert accepted.contract.form.employer.idcc_label == "Boulangerie-pâtisserie (entreprises artisanales)"
    assert accepted.visible_to_employer and accepted.opco_code == "OPCOEP"


async def test_the_employer_can_decline_and_the_draft_goes_back_to_the_training_side(uow, cfa, deps, make_principal):
    record = await _cfa_draft(uow, cfa, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    await drafting.propose_contract(uow, cfa, commands.ProposeContract(record.id, EMAIL), deps)
    await uow.commit()
    employer = make_principal(sirets=[DEMO_EMPLOYER_SIRET])
    declined = await drafting.decline_proposal(uow, employer, commands.DeclineProposal(record.id, "Pas nous"), deps)
    await uow.commit()
    assert declined.contract.status == ContractStatus.DRAFT and not declined.visible_to_employer
    # The training organisation is told (contract.declined), and the employer may no longer see the draft.
    told = uow.committed_events[-1]
    assert told.topic == "contract.declined" and told.reason == "Pas nous"
    assert told.parties.training_uai == record.training_uai and told.parties.employer_may_see is False
    with pytest.raises(ContractNotFound):
        await queries.get_contract(uow, employer, record.id)
    # The training organisation may address it again.
    again = await drafting.propose_contract(
        uow, cfa, commands.ProposeContract(record.id, "rh@garage.example.fr", DEMO_OTHER_COMPANY_SIRET), deps
    )
    assert again.contract.status == ContractStatus.PROPOSED and again.employer_siret == DEMO_OTHER_COMPANY_SIRET
    assert "declined" in [e.action for e in uow.contracts.entries]


async def test_a_draft_the_employer_created_cannot_be_proposed_to_another_employer(uow, deps, make_principal):
    """#10.2: the CFA on an employer's draft cannot hand it (and the apprentice's data) to a stranger."""
    both = make_principal(sirets=[DEMO_EMPLOYER_SIRET], uais=[DEMO_CFA_UAI])
    command = commands.CreateContract(
        contract_type=ContractType.APPRENTICESHIP, employer_siret=DEMO_EMPLOYER_SIRET, training_uai=DEMO_CFA_UAI
    )
    record = await drafting.create_contract(uow, both, command, deps)
    await uow.commit()
    cfa = make_principal(uais=[DEMO_CFA_UAI])
    with pytest.raises(DomainError) as refused:
        await drafting.propose_contract(
            uow, cfa, commands.ProposeContract(record.id, "x@garage.example.fr", DEMO_OTHER_COMPANY_SIRET), deps
        )
    assert refused.value.code == "proposal_not_allowed"
    assert uow.contracts.records[record.id].employer_siret == DEMO_EMPLOYER_SIRET


async def test_a_proposal_already_seen_by_an_employer_cannot_be_readdressed(uow, cfa, deps):
    record = await _cfa_draft(uow, cfa, deps, employer_siret=DEMO_EMPLOYER_SIRET)
    await drafting.propose_contract(uow, cfa, commands.ProposeContract(record.id, EMAIL), deps)
    await uow.commit()
    with pytest.raises(DomainError):
        await drafting.propose_contract(
            uow, cfa, commands.ProposeContract(record.id, "x@garage.example.fr", DEMO_OTHER_COMPANY_SIRET), deps
        )
    assert uow.contracts.records[record.id].employer_siret == DEMO_EMPLOYER_SIRET


async def test_an_employer_of_several_establishments_is_asked_which_one(uow, deps, make_principal):
    admin = make_principal(sirets=[DEMO_EMPLOYER_SIRET, DEMO_EMPLOYER_SECOND_SIRET])
    with pytest.raises(InvalidInput) as asked:
        await drafting.create_contract(uow, admin, commands.CreateContract(ContractType.APPRENTICESHIP), deps)
    [field] = asked.value.fields
    assert field.path == "employer_siret" and field.code == "establishment_to_choose"
    assert DEMO_EMPLOYER_SIRET in field.message and DEMO_EMPLOYER_SECOND_SIRET in field.message
    single = make_principal(sirets=[DEMO_EMPLOYER_SIRET])
    record = await drafting.create_contract(uow, single, commands.CreateContract(ContractType.APPRENTICESHIP), deps)
    assert record.employer_siret == DEMO_EMPLOYER_SIRET
