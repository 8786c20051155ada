"""The dashboard's search with a million contracts stored: p50/p95 per query through the API (in process, ASGI),
for an employer establishment and for a training organisation with many contracts, with the filters of issue #14
(periods of creation, start and transmission, the person in charge, the orders).

The contracts are inserted by SQL (generate_series) into a fresh database of the running stack: 1 in 50 for the
bench's CFA (20,000 of a million), 1 in 500 for its employer establishment, the others spread over 20,000 SIRETs
and 500 UAIs; ten persons in charge per side; one in five transmitted; start dates over two years.

uv run --no-sync python services/contracts/bench/bench_dashboard.py     (BENCH_DASHBOARD_CONTRACTS, ..._ROUNDS)
    --fill-only   fill the database and stop (a long write, not what is measured)
    --reuse       measure on the database a previous run filled, if it holds the contracts (migrated to head)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from passerelle.contracts.bootstrap import bootstrap
from passerelle.contracts.config import Settings
from passerelle.contracts.testing.samples import DEMO_CFA_SIRET, DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET
from passerelle.libs.migrations import upgrade
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.stack import REPO, database_admin_url, ensure_stack
from passerelle.libs.testing.tokens import TokenFactory

CONTRACTS = int(os.environ.get("BENCH_DASHBOARD_CONTRACTS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_DASHBOARD_ROUNDS", "100"))
TARGET_P95_MS = 50.0  # issue #17: the dashboard's search with each filter, a million contracts stored

INSERT = """
INSERT INTO contract (id, contract_type, status, revision, transmitted_revision, version, owner_id, in_charge,
    created_by_side, visible_to_employer, employer_siret, employer_siren, training_uai, training_siret, opco_code,
    employer_name, employee_name, search_text, form, created_at, updated_at, transmitted_at, start_date, archived)
SELECT gen_random_uuid(), 'apprentissage', CASE WHEN g % 5 = 0 THEN 'transmitted' ELSE 'draft' END, 1,
    CASE WHEN g % 5 = 0 THEN 1 ELSE 0 END, 1, employer_owner,
    jsonb_build_object('employer', employer_owner, 'training', training_owner), 'employer', true, siret,
    left(siret, 9), uai, NULL, 'OPCOEP', 'Employeur ' || (g % 20000), 'Apprenti ' || g,
    lower('employeur ' || siret || ' apprenti ' || g), '{}'::jsonb, created, created + interval '1 hour',
    CASE WHEN g % 5 = 0 THEN created + interval '3 days' END, date '2026-01-01' + (g % 730)::int, false
FROM (
    SELECT g,
        CASE WHEN g % 500 = 0 THEN :employer ELSE lpad((g % 20000)::text, 14, '3') END AS siret,
        CASE WHEN g % 50 = 0 THEN :uai ELSE lpad((g % 500)::text, 7, '0') || 'Z' END AS uai,
        md5('employer-' || ((g / 500) % 10))::uuid::text AS employer_owner,
        md5('training-' || ((g / 50) % 10))::uuid::text AS training_owner,
        timestamptz '2025-06-01' + (g % 500000) * interval '1 minute' AS created
    FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
) AS rows
"""


def person(side: str, n: int) -> uuid.UUID:
    import hashlib

    return uuid.UUID(hashlib.md5(f"{side}-{n}".encode()).hexdigest())  # noqa: S324 - an id, not a secret


def fill(url: str) -> float:
    engine = sa.create_engine(url)
    started = time.perf_counter()
    try:
        step = 100_000
        for first in range(1, CONTRACTS + 1, step):
            with engine.begin() as conn:
                params = {"employer": DEMO_EMPLOYER_SIRET, "uai": DEMO_CFA_UAI}
                conn.execute(sa.text(INSERT), {**params, "first": first, "last": min(first + step - 1, CONTRACTS)})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE contract"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


async def measure(url: str) -> None:
    settings = Settings(
        database_url=url,
        consumers_enabled=False,
        relay_in_process=False,
        jwks_url="http://127.0.0.1:9/unused",
        log_json=False,
        log_level="WARNING",
    )
    service = bootstrap(settings)
    app = service.app()
    signer = TokenFactory()
    employer = [{"id": str(uuid.uuid4()), "kind": "employer", "role": "admin", "siret": DEMO_EMPLOYER_SIRET}]
    training = [
        {"id": str(uuid.uuid4()), "kind": "training", "role": "admin", "uai": DEMO_CFA_UAI, "siret": DEMO_CFA_SIRET}
    ]
    as_employer = signer.headers(person("employer", 0), orgs=employer)
    as_cfa = signer.headers(person("training", 0), orgs=training)
    queries: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("employer: default page", as_employer, {}),
        ("employer: start in a quarter, by start", as_employer, {"start_from": "2026-09-01", "start_to": "2026-11-30", "sort": "start_date"}),  # noqa: E501
        ("employer: mine (person in charge)", as_employer, {"in_charge": str(person("employer", 0))}),
        ("employer: transmitted in a month, newest", as_employer, {"transmitted_from": "2025-09-01", "transmitted_to": "2025-09-30", "sort": "-transmitted_at"}),  # noqa: E501
        ("CFA (20,000): default page", as_cfa, {}),
        ("CFA: start in a quarter, by start", as_cfa, {"start_from": "2026-09-01", "start_to": "2026-11-30", "sort": "start_date"}),  # noqa: E501
        ("CFA: mine, by start", as_cfa, {"in_charge": str(person("training", 0)), "sort": "start_date"}),
        ("CFA: created in a week, oldest", as_cfa, {"created_from": "2025-07-01", "created_to": "2025-07-07", "sort": "created_at"}),  # noqa: E501
        ("CFA: by employee name, page 50", as_cfa, {"sort": "employee_name", "page": "50"}),
        ("CFA: oldest first (updated)", as_cfa, {"sort": "updated_at"}),
        ("CFA: latest start first", as_cfa, {"sort": "-start_date"}),
        ("CFA: drafts only", as_cfa, {"status": "draft"}),
        ("CFA: text search (an apprentice's number)", as_cfa, {"q": "apprenti 4150"}),
    ]  # fmt: skip
    async with app.router.lifespan_context(app):
        app.state.token_verifier.set_jwks(signer.jwks())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://contracts") as client:
            print(
                f"{'query':48} {'found':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
                f"  target p95 < {TARGET_P95_MS:.0f} ms"
            )
            missed = []
            for label, headers, params in queries:
                for _ in range(5):
                    answer = await client.get("/contracts", params=params, headers=headers)
                    assert answer.status_code == 200, answer.text
                timings = []
                for _ in range(ROUNDS):
                    start = time.perf_counter()
                    answer = await client.get("/contracts", params=params, headers=headers)
                    timings.append((time.perf_counter() - start) * 1000)
                page = answer.json()
                found = f"{page['total']}" + ("" if page.get("total_exact", True) else "+")
                p95 = statistics.quantiles(timings, n=20)[18]
                verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
                if p95 >= TARGET_P95_MS:
                    missed.append(label)
                print(
                    f"{label:48} {found:>8} {statistics.median(timings):8.1f} {p95:8.1f} {max(timings):8.1f}  {verdict}"
                )
            print("(+: the count stopped there, the page says « plus de »)")
            print(
                f"every query p95 < {TARGET_P95_MS:.0f} ms: "
                + ("yes" if not missed else "no (" + "; ".join(missed) + ")")
            )


def filled(url: str) -> bool:
    """Whether the database a previous run filled is there with the contracts (then brought to head)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM contract")).scalar_one()
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()
    if count != CONTRACTS:
        return False
    upgrade(REPO / "services" / "contracts", url)
    engine = sa.create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE contract"))
    engine.dispose()
    return True


def main() -> None:
    ensure_stack()
    url = f"{database_admin_url()}/bench_dashboard"
    if "--reuse" in sys.argv and filled(url):
        print(f"{CONTRACTS:,} contracts of an earlier fill; {ROUNDS} sequential requests per query")
    else:
        url = fresh_service_database(REPO / "services" / "contracts", "bench_dashboard")
        seconds = fill(url)
        print(
            f"{CONTRACTS:,} contracts inserted and analysed in {seconds:.0f} s; {ROUNDS} sequential requests per query"
        )
    if "--fill-only" not in sys.argv:
        asyncio.run(measure(url))


if __name__ == "__main__":
    main()
