"""The access projection on the real PostgreSQL: the contract's version decides, never the producer's clock."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from passerelle.documents.domain.access import ContractAccess

pytestmark = pytest.mark.integration

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)


def access(contract_id, *, version, at, employer_siret, transmitted=False, deleted=False):
    return ContractAccess(
        contract_id=contract_id,
        employer_siret=employer_siret,
        training_uai="0754321P",
        training_siret=None,
        opco_code="OPCOMMERCE",
        transmitted=transmitted,
        updated_at=at,
        contract_version=version,
        deleted=deleted,
    )


async def stored(docs, contract_id):
    async with docs.uow_factory() as uow:
        return await uow.contracts.get(contract_id)


async def apply(docs, row):
    async with docs.uow_factory() as uow:
        await uow.contracts.apply(row)
        await uow.commit()


async def test_an_older_version_with_a_later_clock_changes_nothing(docs):
    contract_id = uuid.uuid4()
    await apply(docs, access(contract_id, version=3, at=NOW, employer_siret="81208328500013", transmitted=True))
    # Version 2 arrives late from another topic, stamped in the future (a skewed clock, or a forger).
    await apply(docs, access(contract_id, version=2, at=NOW + timedelta(days=365), employer_siret="43935504100021"))
    row = await stored(docs, contract_id)
    assert (row.employer_siret, row.contract_version, row.transmitted) == ("81208328500013", 3, True)

    # Version 4, stamped in the past, is newer all the same.
    await apply(docs, access(contract_id, version=4, at=NOW - timedelta(days=30), employer_siret="81208328500021"))
    row = await stored(docs, contract_id)
    assert (row.employer_siret, row.contract_version, row.transmitted) == ("81208328500021", 4, True)


async def test_deletion_stays_whatever_the_order(docs):
    contract_id = uuid.uuid4()
    await apply(docs, access(contract_id, version=5, at=NOW, employer_siret="81208328500013", deleted=True))
    await apply(docs, access(contract_id, version=4, at=NOW, employer_siret="81208328500013"))
    assert (await stored(docs, contract_id)).deleted
