"""Password-reset answer time, known account vs unknown address (issue #10, item 8): both paths do the same work.

Runs identity in-process on the stack's PostgreSQL (`make up` or the test stack, PASSERELLE_* variables) and
prints the median and p90 of each path over N alternated requests. Figures, not a test.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

from passerelle.identity.bootstrap import bootstrap
from passerelle.identity.config import Settings
from passerelle.identity.service_layer import commands, provisioning
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.stack import ensure_stack

REPO = Path(__file__).resolve().parents[1]


async def main(rounds: int) -> None:
    ensure_stack()
    settings = Settings(
        database_url=fresh_service_database(REPO / "services" / "identity", "bench_password_reset"),
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        mail_worker_enabled=False,
        consumers_enabled=False,
        relay_in_process=False,
        revocation_feed_enabled=False,
        password_reset_requests_per_ip=10**9,
        log_json=False,
        log_level="WARNING",
    )
    service = bootstrap(settings)
    app = service.app()
    async with app.router.lifespan_context(app):
        ctx = service.context
        known = [f"connu.{i}.{uuid.uuid4().hex[:6]}@bench.example.fr" for i in range(rounds)]
        for email in known:
            cmd = commands.ProvisionAccount(email=email, password="cheval-agrafe-lune-42", full_name="Camille Bench")
            await provisioning.provision_account(cmd, ctx.uow(), ctx.ports)
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
            for i in range(rounds):
                for label, email in (("known", known[i]), ("unknown", f"inconnu.{uuid.uuid4().hex}@bench.example.fr")):
                    start = time.perf_counter()
                    r = await client.post("/auth/password-reset", json={"email": email})
                    timings[label].append((time.perf_counter() - start) * 1000)
                    assert r.status_code == 202, r.text
    for label, values in timings.items():
        values.sort()
        p90 = values[int(len(values) * 0.9)]
        print(
            f"password reset, {label} address: median {statistics.median(values):.2f} ms, "
            f"p90 {p90:.2f} ms ({len(values)} requests)"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
