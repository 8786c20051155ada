"""Issue #11, partner API on real PostgreSQL: stateless pay schedule, `as_of`, and bulk drafting."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    complete_apprenticeship_form,
)

from .test_contracts_api import CFA, outbox

pytestmark = pytest.mark.integration


async def test_pay_schedule_without_a_draft(client, auth):
    body = {
        "contract_type": "apprentissage",
        "birth_date": "14/03/2008",
        "start_date": "2025-09-01",
        "end_date": "2027-08-31",
    }
    answer = await client.post("/remuneration", json=body, headers=auth(CFA))
    assert answer.status_code == 200, answer.text
    periods = answer.json()["periods"]
    assert [(p["start"], p["rate_percent"], p["minimum_gross_monthly"]) for p in periods][:2] == [
        ("2025-09-01", "27", "486.49"),
        ("2026-01-01", "27", "492.22"),
    ]
    assert all(p["reference"].startswith("Code du travail") for p in periods)
    # As of a day before the SMIC of 1 January 2026 took effect, only the SMIC then in force prices the pay.
    before = await client.post("/remuneration", params={"as_of": "2025-12-15"}, json=body, headers=auth(CFA))
    assert before.json()["as_of"] == "2025-12-15"
    assert {p["smic_monthly"] for p in before.json()["periods"]} == {"1801.80"}
    wrong = await client.post("/remuneration", json={**body, "end_date": "2025-01-01"}, headers=auth(CFA))
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"][0]["path"] == "end_date"
    assert (await client.post("/remuneration", json=body)).status_code == 401


async def test_validation_as_of_a_day(client, auth):
    form = complete_apprenticeship_form().model_dump(mode="json")
    on_time = await client.post(
        "/validation",
        params={"as_of": "2025-09-05", "documents": ["convention_formation", "cerfa_signe"]},
        json=form,
        headers=auth(CFA),
    )
    late = await client.post(
        "/validation",
        params={"as_of": "2025-09-20", "documents": ["convention_formation", "cerfa_signe"]},
        json=form,
        headers=auth(CFA),
    )
    assert "FILING_DELAY" not in {f["rule_id"] for f in on_time.json()["findings"]}
    assert "FILING_DELAY" in {f["rule_id"] for f in late.json()["findings"]}


async def test_batch_validation_answers_each_contract_as_the_single_endpoint_does(client, auth):
    complete = complete_apprenticeship_form().model_dump(mode="json")
    incomplete = {**complete, "employee": {**complete["employee"], "nir": None, "birth_date": None}}
    items = [
        {"form": complete, "documents": ["convention_formation", "cerfa_signe"]},
        {"form": incomplete, "documents": ["convention_formation", "cerfa_signe"]},
        {"form": complete, "documents": []},
    ]
    batch = await client.post(
        "/validation/batch", params={"as_of": "2025-09-05"}, json={"contracts": items}, headers=auth(CFA)
    )
    assert batch.status_code == 200, batch.text
    reports = batch.json()["reports"]
    assert len(reports) == 3
    for item, report in zip(items, reports, strict=True):
        single = await client.post(
            "/validation",
            params={"as_of": "2025-09-05", "documents": item["documents"]},
            json=item["form"],
            headers=auth(CFA),
        )
        assert report == single.json()
    assert reports[0]["valid"] and not reports[1]["valid"] and not reports[2]["valid"]
    too_many = await client.post("/validation/batch", json={"contracts": [items[0]] * 201}, headers=auth(CFA))
    assert too_many.status_code == 422


def _drafts(count: int) -> list[dict]:
    training = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)["training"]
    return [
        {
            "reference": f"dossier-{index}",
            "contract_type": "apprentissage",
            "training_uai": DEMO_CFA_UAI,
            "training_siret": DEMO_CFA_SIRET,
            "employer_siret": DEMO_EMPLOYER_SIRET,
            "form": {"training": training},
        }
        for index in range(count)
    ]


async def _until_done(client, headers, location: str) -> dict:
    for _ in range(2000):  # bounded: the worker is woken by the submission
        status = (await client.get(location, headers=headers)).json()
        if status["status"] == "done":
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"submission not finished: {status}")


async def test_bulk_drafts_are_accepted_then_created_with_a_result_each(client, auth, database_url):
    headers = {**auth(CFA), "Idempotency-Key": str(uuid.uuid4())}
    drafts = _drafts(5)
    drafts[3]["training_uai"] = "0754321A"  # an invalid UAI: this one is refused, the others are created
    accepted = await client.post("/bulk/drafts", json={"drafts": drafts}, headers=headers)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["total"] == 5 and body["status"] in ("accepted", "running", "done")
    location = accepted.headers["Location"]
    assert location == f"/bulk/drafts/{body['id']}"

    done = await _until_done(client, headers, location)
    assert (done["processed"], done["created"], done["refused"]) == (5, 4, 1)
    by_reference = {r["reference"]: r for r in done["results"]}
    assert by_reference["dossier-3"]["status"] == "refused"
    assert by_reference["dossier-3"]["error"]["fields"][0]["path"] == "training_uai"
    created = by_reference["dossier-0"]
    contract = await client.get(f"/contracts/{created['contract_id']}", headers=auth(CFA))
    assert contract.status_code == 200
    assert contract.json()["form"]["training"]["qualification"]["rncp_code"] == "RNCP37680"
    assert [e["topic"] for e in outbox(database_url, created["contract_id"])] == ["contract.drafted"]
    # The end is published (partners need not poll): once, with the counts and the contracts created.
    completed = outbox(database_url, body["id"])
    assert [e["topic"] for e in completed] == ["bulk_drafts.completed"]
    told = completed[0]["payload"]
    assert (told["total"], told["created"], told["refused"]) == (5, 4, 1)
    assert told["contract_ids"] == [r["contract_id"] for r in done["results"] if r["status"] == "created"]
    assert told["request_key"] == headers["Idempotency-Key"]

    # The same key and body: the same submission, nothing created twice.
    again = await client.post("/bulk/drafts", json={"drafts": drafts}, headers=headers)
    assert again.status_code == 202 and again.json()["id"] == body["id"] and again.json()["created"] == 4
    # The same key with another body: refused.
    other = await client.post("/bulk/drafts", json={"drafts": drafts[:2]}, headers=headers)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


async def test_bulk_submission_is_seen_only_by_its_caller_and_needs_a_key(client, auth, orgs):
    headers = {**auth(CFA), "Idempotency-Key": str(uuid.uuid4())}
    accepted = await client.post("/bulk/drafts", json={"drafts": _drafts(1)}, headers=headers)
    other_caller = auth([orgs.training("0754321P", DEMO_CFA_SIRET)])
    assert (await client.get(accepted.headers["Location"], headers=other_caller)).status_code == 404
    no_key = await client.post("/bulk/drafts", json={"drafts": _drafts(1)}, headers=auth(CFA))
    assert no_key.status_code == 422
    assert no_key.json()["error"]["fields"][0]["path"] == "Idempotency-Key"
    bad_form = _drafts(1)
    bad_form[0]["form"]["employee"] = {"birth_date": "31/02/2008"}
    refused = await client.post("/bulk/drafts", json={"drafts": bad_form}, headers=headers | {"Idempotency-Key": "x"})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["path"] == "drafts[0].form.employee.birth_date"
