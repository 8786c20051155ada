"""The fake DECA over HTTP (in process, no I/O): contract, attachments with checksums, verdict, simulated outages."""

from __future__ import annotations

import uuid

import httpx
import pytest

from passerelle.deca_fake.bootstrap import bootstrap
from passerelle.deca_fake.config import Settings

KEY = {"Authorization": "Bearer cle-de-test"}
SHA = "ab" * 32


@pytest.fixture
async def deca():
    app = bootstrap(Settings(api_key="cle-de-test", kafka_bootstrap="127.0.0.1:9")).app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://deca") as client:
        yield client


def contract(file_number: str = "OPCOEP-2026-000001", revision: int = 1, **extra) -> dict:
    return {
        "opco_code": "OPCOEP",
        "numero_dossier": file_number,
        "revision": revision,
        "type_contrat": "apprentissage",
        "contrat": {"employer": {"siret": "81208328500013"}, "contract": {"start_date": "2026-09-01"}},
        **extra,
    }


async def deposit(deca, body: dict, pieces: list[tuple[str, str]]) -> dict:
    opened = await deca.post("/depots", json=body, headers=KEY)
    assert opened.status_code in (200, 201), opened.text
    depot = opened.json()["depot_id"]
    for document_type, sha in pieces:
        sent = await deca.put(
            f"/depots/{depot}/pieces/{uuid.uuid4()}", json={"document_type": document_type, "sha256": sha}, headers=KEY
        )
        assert sent.status_code == 201, sent.text
    closed = await deca.post(f"/depots/{depot}/cloture", headers=KEY)
    assert closed.status_code == 200
    return closed.json()


async def test_a_complete_contract_is_deposited_with_a_number_and_a_retry_creates_nothing(deca):
    body = contract()
    first = await deca.post("/depots", json=body, headers=KEY)
    again = await deca.post("/depots", json=body, headers=KEY)  # the answer was lost: the client sends it again
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["depot_id"] == first.json()["depot_id"]
    done = await deposit(deca, body, [("convention_formation", SHA)])
    assert done["statut"] == "depose" and done["numero"].startswith("DECA-") and done["pieces"] == 1
    # Closing again answers the same verdict, with the same number.
    replay = await deca.post(f"/depots/{done['depot_id']}/cloture", headers=KEY)
    assert replay.json()["numero"] == done["numero"]
    assert (await deca.get(f"/depots/{done['depot_id']}", headers=KEY)).json()["statut"] == "depose"


async def test_what_the_service_refuses_to_deposit_comes_back_with_its_reason(deca):
    missing = await deposit(deca, contract("F-1"), [("cerfa_signe", SHA)])
    assert missing["statut"] == "non_deposable" and "convention de formation" in missing["motif"]
    body = contract("F-2")
    body["contrat"]["employer"]["siret"] = "812083285"
    bad_siret = await deposit(deca, body, [("convention_formation", SHA)])
    assert bad_siret["statut"] == "non_deposable" and "SIRET" in bad_siret["motif"]
    orphan = await deposit(deca, contract("F-3", revision=2, avenant=True), [("convention_formation", SHA)])
    assert orphan["statut"] == "non_deposable" and "avenant" in orphan["motif"].lower()
    # The amendment of a deposited contract is deposited.
    await deposit(deca, contract("F-4"), [("convention_formation", SHA)])
    amendment = await deposit(deca, contract("F-4", revision=2, avenant=True), [("convention_formation", SHA)])
    assert amendment["statut"] == "depose"


async def test_bad_requests_are_refused_before_anything_is_kept(deca):
    no_number = await deca.post("/depots", json=contract(""), headers=KEY)
    assert no_number.status_code == 422 and no_number.json()["erreur"]["champ"] == "numero_dossier"
    opened = (await deca.post("/depots", json=contract("F-5"), headers=KEY)).json()["depot_id"]
    bad = await deca.put(
        f"/depots/{opened}/pieces/{uuid.uuid4()}", json={"document_type": "cerfa_signe", "sha256": "xyz"}, headers=KEY
    )
    assert bad.status_code == 422 and bad.json()["erreur"]["code"] == "empreinte_invalide"
    unknown = await deca.post(f"/depots/{uuid.uuid4()}/cloture", headers=KEY)
    assert unknown.status_code == 404
    assert (await deca.post("/depots", json=contract(), headers={"Authorization": "Bearer autre"})).status_code == 401
    await deca.post(f"/depots/{opened}/cloture", headers=KEY)
    late = await deca.put(
        f"/depots/{opened}/pieces/{uuid.uuid4()}", json={"document_type": "cerfa_signe", "sha256": SHA}, headers=KEY
    )
    assert late.status_code == 409


async def test_a_simulated_outage_answers_503_for_the_calls_asked_then_the_service_is_back(deca):
    assert (await deca.post("/simulation/pannes", json={"indisponible": 2}, headers=KEY)).status_code == 200
    first, second = [await deca.post("/depots", json=contract("F-6"), headers=KEY) for _ in range(2)]
    assert (first.status_code, second.status_code) == (503, 503) and first.headers["Retry-After"] == "1"
    back = await deca.post("/depots", json=contract("F-6"), headers=KEY)
    assert back.status_code == 201  # nothing was kept during the outage
    assert (await deca.get("/ready")).status_code == 200
