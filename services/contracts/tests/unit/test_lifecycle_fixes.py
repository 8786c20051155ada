"""Issue #11 lifecycle defects, through the use cases with a unit of work in memory."""

from __future__ import annotations

import pytest

from passerelle.contracts.domain.codes import ContractStatus
from passerelle.contracts.service_layer import lifecycle, queries
from passerelle.contracts.testing.samples import DEMO_EMPLOYER_SIRET, DEMO_PRO_EMPLOYER_SIRET
from passerelle.libs.errors import DomainError

from .test_service_layer import anomaly, engaged, transmitted


@pytest.fixture
def employer(make_principal):
    return make_principal(sirets=[DEMO_EMPLOYER_SIRET])


async def test_a_decision_arriving_while_archived_is_applied_not_dropped(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    # Archived while transmitted (possible before the rule that now refuses it).
    stored = uow.contracts.records[record.id]
    stored.contract.status_before_archive, stored.contract.status = ContractStatus.TRANSMITTED, ContractStatus.ARCHIVED
    applied = await lifecycle.engage(uow, engaged(record.id, record.contract.revision), deps)
    await uow.commit()
    assert applied is not None
    after = uow.contracts.records[record.id]
    assert after.contract.status == ContractStatus.ARCHIVED
    assert after.contract.status_before_archive == ContractStatus.ENGAGED
    assert after.contract.opco_file_number == "OPC-1"
    restored = await lifecycle.restore_contract(uow, employer, record.id, deps)
    assert restored.contract.status == ContractStatus.ENGAGED and restored.contract.opco_file_number == "OPC-1"


async def test_archiving_a_transmitted_contract_is_refused_in_french(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    with pytest.raises(DomainError) as refused:
        await lifecycle.archive_contract(uow, employer, record.id, deps)
    assert "attend sa décision" in refused.value.message
    assert uow.contracts.records[record.id].contract.status == ContractStatus.TRANSMITTED


async def test_after_correcting_and_transmitting_again_the_previous_anomalies_are_gone(uow, employer, deps):
    record = await transmitted(uow, employer, deps)
    await lifecycle.apply_anomaly(uow, anomaly(record.id, record.contract.revision), deps)
    await uow.commit()
    assert uow.contracts.records[record.id].anomalies
    again, _ = await lifecycle.transmit_contract(uow, employer, record.id, deps)
    await uow.commit()
    assert again.contract.status == ContractStatus.TRANSMITTED
    assert uow.contracts.records[record.id].anomalies == []


async def test_the_opco_is_the_one_of_the_employer_branch(uow, employer, deps):
    record = await transmitted(uow, employer, deps)  # the bakery: IDCC 0843, OPCO EP
    assert record.opco_code == "OPCOEP"
    assert deps.default_opco_code == "OPCOMMERCE"
    assert deps.opco_for("1486") == "ATLAS"  # Syntec
    assert deps.opco_for("843") == "OPCOEP"  # written without its leading zero
    assert deps.opco_for("9999") == "OPCOMMERCE"  # no agreement: the default OPCO
    assert deps.opco_for(None) == "OPCOMMERCE"
    assert deps.opcos.agreement_label("0843") == "Boulangerie-pâtisserie (entreprises artisanales)"


def test_opco_staff_dashboard_query_carries_their_opco(make_principal):
    query = queries.dashboard_query(make_principal(opco=["OPCOEP"]))
    assert query.opco_codes == frozenset({"OPCOEP"})
    assert queries.dashboard_query(make_principal(sirets=[DEMO_PRO_EMPLOYER_SIRET])).opco_codes == frozenset()
