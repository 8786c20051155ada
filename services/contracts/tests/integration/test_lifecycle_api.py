"""Issue #11 lifecycle defects on real PostgreSQL: the OPCO's contract list, archive while transmitted."""

from __future__ import annotations

import uuid

import pytest

from passerelle.contracts.testing.samples import DEMO_EMPLOYER_SIRET

from .test_contracts_api import EMPLOYER, attach, create, form_json

pytestmark = pytest.mark.integration


def _opco(code: str) -> list[dict]:
    return [{"id": str(uuid.uuid4()), "kind": "opco", "role": "reviewer", "opco": code}]


async def _transmitted(client, auth, service) -> str:
    headers = auth(EMPLOYER)
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    contract_id = created["id"]
    saved = await client.put(f"/contracts/{contract_id}", json=form_json("apprentissage"), headers=headers)
    assert saved.status_code == 200, saved.text
    await attach(service, contract_id)
    await attach(service, contract_id, "cerfa_signe")
    sent = await client.post(f"/contracts/{contract_id}/transmit", headers=headers)
    assert sent.status_code == 200, sent.text
    return contract_id


async def test_opco_staff_list_their_opco_transmitted_contracts(client, auth, service):
    contract_id = await _transmitted(client, auth, service)
    draft = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    # The bakery's branch (IDCC 0843) is OPCO EP's: its staff list the transmitted contract, not the draft.
    listed = await client.get("/contracts", params={"page_size": 100}, headers=auth(_opco("OPCOEP")))
    assert listed.status_code == 200
    ids = {item["id"] for item in listed.json()["items"]}
    assert contract_id in ids and draft["id"] not in ids
    other = await client.get("/contracts", params={"page_size": 100}, headers=auth(_opco("AKTO")))
    assert contract_id not in {item["id"] for item in other.json()["items"]}
    opened = await client.get(f"/contracts/{contract_id}", headers=auth(_opco("OPCOEP")))
    assert opened.status_code == 200 and opened.json()["parties"]["opco_code"] == "OPCOEP"


async def test_a_transmitted_contract_cannot_be_archived(client, auth, service):
    contract_id = await _transmitted(client, auth, service)
    refused = await client.post(f"/contracts/{contract_id}/archive", headers=auth(EMPLOYER))
    assert refused.status_code == 409, refused.text
    assert "attend sa décision" in refused.json()["error"]["message"]
