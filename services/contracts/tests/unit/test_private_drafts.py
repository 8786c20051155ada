"""Issue #10.1: the member of an organisation not verified yet fills in drafts private to them; once the
organisation is verified they become its ordinary drafts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from passerelle.contracts.domain.codes import ContractType
from passerelle.contracts.domain.tabs import Tab
from passerelle.contracts.service_layer import commands, drafting, lifecycle, projections, queries
from passerelle.contracts.service_layer.access import sides_of
from passerelle.contracts.service_layer.errors import ContractNotFound, OrganisationNotVerified
from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET
from passerelle.libs.access import Side
from passerelle.libs.auth import Membership
from passerelle.libs.errors import Forbidden
from passerelle.schemas.events.identity import OrganisationVerified

ORG_ID = uuid.uuid4()


@pytest.fixture
def newcomer(make_principal):
    """The first account of an employer establishment not verified yet."""
    return make_principal(pending=[Membership(ORG_ID, "employer", "admin", siret=DEMO_EMPLOYER_SIRET)])


def verified(organisation_id=ORG_ID, members=()):
    return OrganisationVerified(
        organisation_id=organisation_id,
        kind="employer",
        siret=DEMO_EMPLOYER_SIRET,
        siren=DEMO_EMPLOYER_SIRET[:9],
        method="opco_approval",
        verified_at=datetime(2025, 9, 2, tzinfo=UTC),
        member_account_ids=list(members),
    )


async def _draft(uow, who, deps, **kw):
    command = commands.CreateContract(contract_type=ContractType.APPRENTICESHIP, **kw)
    record = await drafting.create_contract(uow, who, command, deps)
    await uow.commit()
    return record


async def test_a_pending_member_drafts_privately_and_nobody_else_sees_it(uow, deps, newcomer, make_principal):
    record = await _draft(uow, newcomer, deps, employer_siret=DEMO_EMPLOYER_SIRET, training_uai=DEMO_CFA_UAI)
    assert record.employer_siret == DEMO_EMPLOYER_SIRET
    assert record.private_to == newcomer.subject and record.private_organisation_id == ORG_ID
    stored = uow.contracts.records[record.id]
    assert sides_of(newcomer, stored) == {Side.EMPLOYER}
    [drafted] = uow.committed_events
    assert drafted.parties.private_to == newcomer.subject  # the documents' projection applies the same rule
    colleague = make_principal(sirets=[DEMO_EMPLOYER_SIRET])  # a verified member of that SIRET
    cfa = make_principal(uais=[DEMO_CFA_UAI])  # the CFA the draft names
    for other in (colleague, cfa, make_principal(pending=list(newcomer.pending))):
        with pytest.raises(ContractNotFound):
            await queries.get_contract(uow, other, record.id)
    # The dashboard: ordinary reach leaves private drafts out, the creator's own private reach lists them.
    assert queries.dashboard_query(colleague).private_to is None
    mine = queries.dashboard_query(newcomer)
    assert mine.private_to == newcomer.subject and mine.private_organisations == {ORG_ID}
    # Saving works, for the creator's own establishment only.
    saved = await drafting.save_tab(
        uow, newcomer, commands.SaveTab(record.id, Tab.EMPLOYEE, {"first_name": "Léa"}, expected_version=1), deps
    )
    assert saved.changed and saved.record.private_to == newcomer.subject


async def test_a_private_draft_is_neither_proposed_nor_transmitted_until_verified(uow, deps, make_principal):
    cfa_id = uuid.uuid4()
    cfa = make_principal(pending=[Membership(cfa_id, "training", "admin", uai=DEMO_CFA_UAI)])
    record = await _draft(uow, cfa, deps, training_uai=DEMO_CFA_UAI)
    assert record.private_organisation_id == cfa_id and not record.visible_to_employer
    with pytest.raises(OrganisationNotVerified) as refused:
        await drafting.propose_contract(
            uow, cfa, commands.ProposeContract(record.id, "rh@dupain.example.fr", DEMO_EMPLOYER_SIRET), deps
        )
    error = refused.value.as_dict()["error"]
    assert error["code"] == "organisation_not_verified"
    assert error["fields"][0]["path"] == "organisation" and "vérifié" in error["message"]


async def test_transmitting_a_private_draft_is_refused_with_the_field(uow, deps, newcomer):
    record = await _draft(uow, newcomer, deps)
    with pytest.raises(OrganisationNotVerified) as refused:
        await lifecycle.transmit_contract(uow, newcomer, record.id, deps)
    assert refused.value.fields[0].code == "organisation_not_verified"


async def test_verification_makes_the_private_drafts_ordinary_drafts_of_the_organisation(
    uow, deps, newcomer, make_principal
):
    record = await _draft(uow, newcomer, deps)
    other_org = await _draft(uow, make_principal(sirets=[DEMO_EMPLOYER_SIRET]), deps)
    assert await projections.organisation_verified(uow, verified()) == 1
    await uow.commit()
    stored = uow.contracts.records[record.id]
    assert stored.private_to is None and stored.private_organisation_id is None
    assert stored.contract.version == 2 and uow.contracts.records[other_org.id].contract.version == 1
    updated = [e for e in uow.committed_events if e.topic == "contract.updated"]
    assert [(e.contract_id, e.parties.private_to, e.version) for e in updated] == [(record.id, None, 2)]
    colleague = make_principal(sirets=[DEMO_EMPLOYER_SIRET])
    assert sides_of(colleague, stored) == {Side.EMPLOYER}
    # Redelivered (or a second organisation.verified): nothing more to do.
    assert await projections.organisation_verified(uow, verified()) == 0
    # A draft made afterwards with a token older than the verification is an ordinary one.
    late = await _draft(uow, newcomer, deps)
    assert late.private_to is None


async def test_a_pending_membership_creates_nothing_for_an_identifier_it_does_not_hold(uow, deps, newcomer):
    with pytest.raises(Forbidden):
        await _draft(uow, newcomer, deps, employer_siret="55210055400013")
