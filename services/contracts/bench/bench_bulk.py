"""Bulk drafting throughput: drafts submitted through `POST /bulk/drafts` and created by the worker, per second.

The service runs in process on a fresh database of the running stack (its relay off: the outbox rows are written,
as in production, and published by the relay elsewhere). Prints the acceptance time of one request and the
drafts created per second, for a few chunk sizes.

uv run --no-sync python services/contracts/bench/bench_bulk.py [drafts]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path

import httpx

from passerelle.contracts.bootstrap import bootstrap
from passerelle.contracts.config import Settings
from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    complete_apprenticeship_form,
)
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.stack import REPO, ensure_stack
from passerelle.libs.testing.tokens import TokenFactory


def drafts(count: int) -> list[dict]:
    training = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)["training"]
    return [
        {
            "reference": f"bench-{index}",
            "contract_type": "apprentissage",
            "training_uai": DEMO_CFA_UAI,
            "training_siret": DEMO_CFA_SIRET,
            "employer_siret": DEMO_EMPLOYER_SIRET,
            "form": {"training": training},
        }
        for index in range(count)
    ]


async def run(count: int, chunk: int, database_url: str, signer: TokenFactory) -> None:
    settings = Settings(
        database_url=database_url,
        consumers_enabled=False,
        relay_in_process=False,
        jwks_url="http://127.0.0.1:9/unused",
        log_json=False,
        bulk_chunk_size=chunk,
    )
    service = bootstrap(settings)
    app = service.app()
    claims = [
        {"id": str(uuid.uuid4()), "kind": "training", "role": "admin", "uai": DEMO_CFA_UAI, "siret": DEMO_CFA_SIRET}
    ]
    headers = {**signer.headers(None, orgs=claims), "Idempotency-Key": str(uuid.uuid4())}
    body = {"drafts": drafts(count)}
    async with app.router.lifespan_context(app):
        app.state.token_verifier.set_jwks(signer.jwks())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contracts", timeout=120) as client:
            started = time.perf_counter()
            accepted = await client.post("/bulk/drafts", json=body, headers=headers)
            accepted_after = time.perf_counter() - started
            assert accepted.status_code == 202, accepted.text
            location = accepted.headers["Location"]
            while True:
                status = (await client.get(location, headers=headers)).json()
                if status["status"] == "done":
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
    assert status["created"] == count, status["refused"]
    print(
        f"bulk drafts={count:<6} chunk={chunk:<4} accepted in {accepted_after * 1000:7.1f} ms   "
        f"all created in {elapsed:6.2f} s   {count / elapsed:8.1f} drafts/s"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    ensure_stack()
    database_url = fresh_service_database(REPO / Path("services/contracts"), "contracts_bench_bulk")
    signer = TokenFactory()
    for chunk in (50, 200, 500):
        asyncio.run(run(count, chunk, database_url, signer))


if __name__ == "__main__":
    main()
