from datetime import UTC, datetime, timedelta
from uuid import uuid4

from passerelle.documents.service_layer.projection import PROJECTED_EVENTS, apply_contract_event
from passerelle.schemas import Envelope
from passerelle.schemas.events.common import ContractParties
from passerelle.schemas.events.contracts import (
    ContractAccepted,
    ContractDeclined,
    ContractDrafted,
    ContractTransmitted,
    ContractUpdated,
)

PARTIES = ContractParties(employer_siret="73282932000074", training_uai="0751234J", opco_code="OPCO-EP")


def envelope(event, at):
    return Envelope(
        type=event.topic, schema_version=1, producer="contracts", subject=str(event.contract_id), occurred_at=at
    )


async def apply(uow, event, at):
    await apply_contract_event(uow, envelope(event, at), event)


def test_the_projection_follows_every_event_that_carries_the_parties():
    assert {e.topic for e in PROJECTED_EVENTS} == {
        "contract.drafted",
        "contract.proposed",
        "contract.accepted",
        "contract.declined",
        "contract.updated",
        "contract.transmitted",
        "contract.transferred",
        "contract.deleted",
    }


async def test_parties_and_transmission_are_projected(fake_uow):
    contract_id = uuid4()
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    drafted = ContractDrafted(contract_id=contract_id, contract_type="apprentissage", parties=PARTIES)
    transmitted = ContractTransmitted(
        contract_id=contract_id,
        contract_type="apprentissage",
        parties=PARTIES,
        revision=1,
        form={},
        transmitted_at=t0,
    )
    changed = PARTIES.model_copy(update={"training_uai": "0759999Z"})
    corrected = ContractUpdated(contract_id=contract_id, contract_type="apprentissage", parties=changed, revision=2)
    async with fake_uow as uow:
        await apply(uow, drafted, t0)
        assert not uow.contracts.rows[contract_id].transmitted
        await apply(uow, transmitted, t0 + timedelta(seconds=1))
        await apply(uow, corrected, t0 + timedelta(seconds=2))
        await apply(uow, drafted, t0)  # late and old: changes nothing
        access = uow.contracts.rows[contract_id]
    assert access.transmitted  # the OPCO keeps seeing a contract sent back for correction
    assert access.training_uai == "0759999Z"
    assert access.opco_code == "OPCO-EP"


async def test_the_contract_version_decides_never_the_clock(fake_uow):
    contract_id = uuid4()
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    moved = PARTIES.model_copy(update={"employer_siret": "43935504100021"})
    newer = ContractUpdated(
        contract_id=contract_id, contract_type="apprentissage", parties=PARTIES, revision=1, version=3
    )
    older = ContractUpdated(
        contract_id=contract_id, contract_type="apprentissage", parties=moved, revision=1, version=2
    )
    async with fake_uow as uow:
        await apply(uow, newer, t0)
        await apply(uow, older, t0 + timedelta(days=365))  # a forged or skewed clock does not win
        assert uow.contracts.rows[contract_id].employer_siret == PARTIES.employer_siret


async def test_a_declined_proposal_hides_the_documents_from_the_employer_again(fake_uow):
    contract_id = uuid4()
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    accepted = ContractAccepted(contract_id=contract_id, contract_type="apprentissage", parties=PARTIES, version=2)
    hidden = PARTIES.model_copy(update={"employer_may_see": False})
    declined = ContractDeclined(
        contract_id=contract_id, contract_type="apprentissage", parties=hidden, version=3, reason="Pas nous"
    )
    async with fake_uow as uow:
        await apply(uow, accepted, t0)
        assert uow.contracts.rows[contract_id].employer_may_see
        await apply(uow, declined, t0 + timedelta(seconds=1))
        assert not uow.contracts.rows[contract_id].employer_may_see


async def test_a_private_draft_opens_to_its_organisation_when_contracts_says_it_is_ordinary(fake_uow):
    """Issue #10.1: the projection carries `private_to` and the newer version clears it, as in contracts."""
    from passerelle.documents.domain.access import may_see
    from passerelle.libs.testing.tokens import employer_claim, principal_of

    contract_id, creator = uuid4(), uuid4()
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    private = PARTIES.model_copy(update={"private_to": creator})
    drafted = ContractDrafted(contract_id=contract_id, contract_type="apprentissage", parties=private, version=1)
    async with fake_uow as uow:
        await apply(uow, drafted, t0)
        access = uow.contracts.rows[contract_id]
    owner = principal_of(pending=[employer_claim(PARTIES.employer_siret)], subject=creator)
    colleague = principal_of(employer_claim(PARTIES.employer_siret))
    assert access.private_to == creator and may_see(owner, access) and not may_see(colleague, access)
    ordinary = ContractUpdated(
        contract_id=contract_id, contract_type="apprentissage", parties=PARTIES, revision=1, tabs=[], version=2
    )
    async with fake_uow as uow:
        await apply(uow, ordinary, t0 + timedelta(seconds=1))
        access = uow.contracts.rows[contract_id]
    assert access.private_to is None and may_see(colleague, access)
