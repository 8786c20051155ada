"""The DECA client against the fake administration's own app (in process): the protocol both sides speak."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from passerelle.deca_fake.bootstrap import bootstrap as deca_fake
from passerelle.deca_fake.config import Settings as DecaSettings
from passerelle.libs.errors import Unavailable
from passerelle.opco_processing.adapters.deca import HttpDeca

from .cases import REVIEWER, T0, new_case, revision


def engaged(documents=None, contract_type="apprentissage"):
    case = new_case(contract_type)
    if documents is not None:
        case.revisions[-1] = revision(documents=documents, contract_type=contract_type)
    case.status = case.status.__class__.IN_REVIEW
    case.engage(REVIEWER, "OPCOEP-2025-000123", T0)
    return case


@pytest.fixture
def deca():
    app = deca_fake(DecaSettings(api_key="k", kafka_bootstrap="127.0.0.1:9")).app()
    return app, HttpDeca("http://deca", "k", transport=httpx.ASGITransport(app=app))


async def test_an_engaged_contract_is_deposited_with_its_attachments_and_checksums(deca):
    app, client = deca
    sha = "cd" * 32
    case = engaged([{"document_type": "convention_formation", "document_id": str(uuid4()), "sha256": sha}])
    result = await client.deposit(case, uuid4())
    assert result.status == "deposited" and result.number and result.number.startswith("DECA-")
    [kept] = app.state.deposits._by_id.values()
    assert [a.sha256 for a in kept.attachments.values()] == [sha] and kept.file_number == "OPCOEP-2025-000123"
    # Deposited again (a crash before the answer was recorded): the same deposit, the same number.
    assert (await client.deposit(case, None)).number == result.number


async def test_not_depositable_comes_back_with_the_administration_s_reason(deca):
    _, client = deca
    case = engaged([{"document_type": "cerfa_signe", "document_id": str(uuid4()), "sha256": "ef" * 32}])
    result = await client.deposit(case, None)
    assert result.status == "not_depositable" and "convention de formation" in (result.reason or "")


async def test_an_outage_raises_unavailable_so_the_step_tries_again(deca):
    app, client = deca
    app.state.faults.unavailable = 1
    case = engaged([{"document_type": "convention_formation", "document_id": str(uuid4()), "sha256": "cd" * 32}])
    with pytest.raises(Unavailable):
        await client.deposit(case, None)
    assert (await client.deposit(case, None)).status == "deposited"
    unreachable = HttpDeca("http://127.0.0.1:9", "k")
    with pytest.raises(Unavailable):
        await unreachable.deposit(case, None)
