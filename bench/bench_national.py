"""A national September on this machine: the whole pipeline, from the transmit request to the notifications.

Every service runs as a real process on the running stack (Kafka, PostgreSQL, S3, clamd, the stack's SMTP mail
catcher): contracts (its consumers and relay), documents, opco-processing (automatic engagement on for every
OPCO), the notifier (e-mails to the stack's SMTP server, web notifications); identity's two token endpoints are
served by the benchmark (its keys and the OPCOs' machine clients), and the people of each organisation reach the
notifier as identity's membership events.

1. Preparation (not measured): complete drafts of the national mix (bench/national_mix.py: both contract
   types, employers of several branches and OPCOs, ages and start dates) submitted through contracts' bulk
   drafts API by each employer's software, their training agreements uploaded through documents (scanned by
   clamd, stored in S3), until contracts shows the agreement on each and the notifier knows each contract.
2. Measure: the contracts transmitted through `POST /contracts/{id}/transmit` at the given rate;
   opco-processing opens a case, runs its checks (the contracts engine through its validation endpoint, the
   registers), engages automatically, renders and stores its agreement letter through documents, publishes
   `contract.engaged`; the share trained by a CFA whose Qualiopi certification lapsed fails its checks, and
   the benchmark, as that OPCO's reviewer, raises an anomaly on each through the API; contracts applies each
   decision; the notifier tells both sides (e-mail and web).
3. Figures: contracts per second sustained from the first transmit to the last decision notification; the
   time for the whole set; p50/p95/p99 of transmit -> decision applied by contracts and transmit -> decision
   notification (web, and e-mail accepted by the SMTP server); CPU per contract of each service and each piece
   of infrastructure (/proc/<pid>/stat of each supervised process and its children); PostgreSQL transactions
   per contract (pg_stat_database xact_commit of the four databases); the ratio to a pgbench ceiling measured
   in the same run. Then it checks that every contract reached its final state and that every notification and
   e-mail exists once, and that the SMTP server received each e-mail once.

uv run --no-sync python -m bench.bench_national [--contracts 2000] [--rate 150] [--pgbench-seconds 20]
Environment: the stack's (`eval "$(uv run --no-sync python deploy/native/stack.py env)"`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.national_mix import LAPSED_CFA, Draw, draw
from passerelle.contracts.entrypoints.consumers import HANDLERS as CONTRACTS_HANDLERS
from passerelle.documents.entrypoints.consumers import HANDLERS as DOCUMENTS_HANDLERS
from passerelle.libs.client import pool_limits
from passerelle.libs.testing.cpu import CpuMeter, stack_meter
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.identity import serve_identity
from passerelle.libs.testing.kafka import publish_all, start_group_at_end
from passerelle.libs.testing.processes import ServiceProcess, pids
from passerelle.libs.testing.samples import sample_pdf
from passerelle.libs.testing.stack import REPO, scratch_bucket
from passerelle.libs.testing.tokens import TokenFactory, opco_claim, org_claim
from passerelle.notifier.entrypoints.consumers import HANDLERS as NOTIFIER_HANDLERS
from passerelle.opco_processing.entrypoints.consumers import HANDLERS as OPCO_HANDLERS
from passerelle.schemas import Event
from passerelle.schemas.events import identity as i

OPCOS = ["OPCOEP", "AKTO", "OPCOMMERCE", "OPCOMOBILITES", "CONSTRUCTYS", "ATLAS", "OPCO2I", "OPCOSANTE"]
CLIENTS = {f"pcl_bench_{code.lower()}": (f"pcs_bench_{code.lower()}", code) for code in OPCOS}
INFRASTRUCTURE = ("postgres", "kafka", "clamd", "s3", "mail")
DECISION_KINDS = ("contract_engaged", "anomaly_raised")
QUIET = ["--no-access-log", "--log-level", "warning"]


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return f"n={len(values)}"
    q = statistics.quantiles(values, n=100)
    spread = f"p50 {q[49]:6.0f} ms   p95 {q[94]:6.0f} ms   p99 {q[98]:6.0f} ms"
    return f"{spread}   max {max(values):6.0f} ms  (n={len(values)})"


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {timeout:.0f} s")
        await asyncio.sleep(0.5)


class People:
    """One administrator per organisation of the mix (each employer establishment, each training organisation):
    their tokens for the APIs, and their memberships as identity publishes them (for the notifier)."""

    def __init__(self, tokens: TokenFactory, draws: list[Draw]) -> None:
        self.tokens = tokens
        self.employers: dict[str, tuple[uuid.UUID, dict[str, Any]]] = {}
        self.trainings: dict[str, tuple[uuid.UUID, dict[str, Any]]] = {}
        self.events: list[Event] = []
        for d in draws:
            if d.employer_siret not in self.employers:
                org = uuid.uuid4()
                claim = org_claim("employer", "admin", organisation_id=org, siret=d.employer_siret)
                self.employers[d.employer_siret] = (uuid.uuid4(), claim)
                self._member(self.employers[d.employer_siret][0], org, "employer", siret=d.employer_siret)
            if d.training_siret not in self.trainings:
                org = uuid.uuid4()
                claim = org_claim("training", "admin", organisation_id=org, siret=d.training_siret, uai=d.training_uai)
                self.trainings[d.training_siret] = (uuid.uuid4(), claim)
                self._member(
                    self.trainings[d.training_siret][0], org, "training", siret=d.training_siret, uai=d.training_uai
                )

    def _member(self, account: uuid.UUID, org: uuid.UUID, kind: str, **ids: Any) -> None:
        self.events.append(
            i.MembershipGranted(
                membership_id=uuid.uuid4(), account_id=account, email=f"{kind}-{account.hex[:8]}@bench.example.fr",
                full_name=f"Responsable {kind}", organisation_id=org, organisation_kind=kind, role="admin", **ids,
            )
        )  # fmt: skip

    def employer(self, siret: str) -> dict[str, str]:
        subject, claim = self.employers[siret]
        return {"Authorization": f"Bearer {self.tokens.issue(subject, [claim], ttl=7200)}"}

    def staff(self, opco: str, role: str) -> dict[str, str]:
        subject = uuid.uuid5(uuid.NAMESPACE_URL, f"bench-{opco}-{role}")
        token = self.tokens.issue(subject, [opco_claim(opco, role)], name=f"Agent {opco}", ttl=7200)
        return {"Authorization": f"Bearer {token}"}


def agreement(index: int) -> bytes:
    return sample_pdf(60_000, f"convention {index}".encode())


async def prepare(
    draws: list[Draw], people: People, contracts_url: str, documents_url: str
) -> tuple[list[str], dict[str, Draw]]:
    """The drafts created through the bulk API (per employer, 500 a request) and their agreements uploaded."""
    by_employer: dict[str, list[Draw]] = {}
    for d in draws:
        by_employer.setdefault(d.employer_siret, []).append(d)
    ids: list[str] = []
    of: dict[str, Draw] = {}
    async with httpx.AsyncClient(base_url=contracts_url, timeout=300, limits=pool_limits()) as api:
        for siret, mine in by_employer.items():
            for start in range(0, len(mine), 500):
                chunk = mine[start : start + 500]
                body = {
                    "drafts": [
                        {
                            "reference": f"national-{start + k}",
                            "contract_type": d.contract_type,
                            "employer_siret": d.employer_siret,
                            "training_siret": d.training_siret,
                            **({"training_uai": d.training_uai} if d.training_uai else {}),
                            "side": "employer",
                            "form": d.form,
                        }
                        for k, d in enumerate(chunk)
                    ]
                }
                headers = {**people.employer(siret), "Idempotency-Key": str(uuid.uuid4())}
                accepted = await api.post("/bulk/drafts", json=body, headers=headers)
                accepted.raise_for_status()
                location = accepted.headers["Location"]
                # Polling the submission, as partner software does.
                status = (await api.get(location, headers=headers)).json()
                while status["status"] != "done":
                    await asyncio.sleep(0.3)
                    status = (await api.get(location, headers=headers)).json()
                refused = [r for r in status["results"] if r["status"] != "created"]
                if refused:
                    sys.exit(f"bulk drafts refused: {refused[:3]}")
                for result in status["results"]:
                    cid = result["contract_id"]
                    ids.append(cid)
                    of[cid] = chunk[result["index"]]
    gate = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=documents_url, timeout=120, limits=pool_limits()) as docs:

        async def upload(k: int, cid: str) -> None:
            headers = people.employer(of[cid].employer_siret)
            async with gate:
                for _ in range(600):  # until the documents service learned of the contract (its event)
                    stored = await docs.post(
                        f"/contracts/{cid}/documents",
                        data={"document_type": "convention_formation"},
                        files={"file": ("Convention de formation.pdf", agreement(k), "application/pdf")},
                        headers=headers,
                    )
                    if stored.status_code == 201:
                        return
                    if stored.status_code not in (403, 404):
                        sys.exit(f"upload refused: {stored.status_code} {stored.text[:300]}")
                    await asyncio.sleep(0.5)
                sys.exit(f"the documents service never learned of {cid}")

        await asyncio.gather(*(upload(k, cid) for k, cid in enumerate(ids)))
    return ids, of


def scalar(engine: sa.Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def xact_commits(engine: sa.Engine, databases: list[str]) -> int:
    return int(
        scalar(engine, "SELECT sum(xact_commit) FROM pg_stat_database WHERE datname = ANY(:d)", d=databases) or 0
    )


def pgbench_ceiling(seconds: int) -> float:
    """PostgreSQL's raw ceiling on this machine now: pgbench's TPC-B-like transactions per second."""
    env = {**os.environ, "PGPASSWORD": "passerelle"}
    port = os.environ.get("PG_PORT") or re.sub(r".*:(\d+)$", r"\1", os.environ["PASSERELLE_DATABASE_URL_BASE"])
    pgbench = "/usr/lib/postgresql/15/bin/pgbench"
    common = ["-h", "127.0.0.1", "-p", port, "-U", "passerelle"]
    subprocess.run(
        ["/usr/lib/postgresql/15/bin/createdb", *common, "bench_national_pgbench"], env=env, capture_output=True
    )
    subprocess.run([pgbench, *common, "-i", "-q", "-s", "10", "bench_national_pgbench"], env=env, capture_output=True)
    out = subprocess.run(
        [pgbench, *common, "-c", "8", "-j", "2", "-T", str(seconds), "bench_national_pgbench"],
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([\d.]+)", out)
    return float(match.group(1)) if match else float("nan")


def meter_for(processes: dict[str, ServiceProcess]) -> CpuMeter:
    return stack_meter(pids(processes), INFRASTRUCTURE, client="bench client")


def statuses_engaged(engine: sa.Engine, ids: list[uuid.UUID]) -> int:
    return int(scalar(engine, "SELECT count(*) FROM contract WHERE id = ANY(:ids) AND status = 'engaged'", ids=ids))


def mail_catcher_count(addresses: set[str]) -> Counter[str]:
    """The messages the stack's SMTP server kept for this run's people (their addresses are the run's own)."""
    port = os.environ.get("MAIL_WEB_PORT", "8025")
    messages = httpx.get(f"http://127.0.0.1:{port}/api/messages", timeout=300).json()
    out: Counter[str] = Counter()
    for m in messages:
        for to in m.get("to") or []:
            if to in addresses:
                out[to] += 1
    return out


async def reviewers(opco_url: str, people: People, stop: asyncio.Event, raised: dict[str, float]) -> None:
    """Each OPCO's reviewer: the cases of the lapsed CFA that wait in the queue get an anomaly."""
    async with httpx.AsyncClient(base_url=opco_url, timeout=60, limits=pool_limits()) as api:
        while not stop.is_set():
            found = 0
            for opco in OPCOS:
                headers = people.staff(opco, "reviewer")
                queue = await api.get(
                    "/cases",
                    params={"tab": "a_traiter", "training_siret": str(LAPSED_CFA["siret"]), "limit": 200},
                    headers=headers,
                )
                if queue.status_code != 200:
                    continue
                for case in queue.json()["items"]:
                    if case["status"] not in ("ready", "in_review") or case["contract_id"] in raised:
                        continue
                    found += 1
                    answer = await api.post(
                        f"/cases/{case['id']}/anomaly",
                        json={
                            "anomalies": [
                                {
                                    "kind": "field_error",
                                    "tab": "formation",
                                    "field": "training.organisation.siret",
                                    "reason": "L'organisme de formation n'est plus certifié Qualiopi : choisissez un "
                                    "organisme certifié ou joignez son certificat en cours de validité.",
                                }
                            ]
                        },
                        headers=headers,
                    )
                    if answer.status_code == 200:
                        raised.setdefault(case["contract_id"], time.time())
            if not found:
                # A reviewer looks at the queue every second (more often would be the benchmark's own load on
                # opco-processing: each look reads the queue's cases).
                await asyncio.sleep(1.0)


async def measure(
    ids: list[str], of: dict[str, Draw], people: People, rate: float, urls: dict[str, str]
) -> tuple[dict[str, float], float, float]:
    """Transmit every contract at `rate` a second; returns (transmit times, first request, last answer)."""
    transmit_at: dict[str, float] = {}
    async with httpx.AsyncClient(
        base_url=urls["contracts"], timeout=120, limits=pool_limits(max_connections=64)
    ) as api:
        etags = {}
        for cid in ids:
            etags[cid] = (await api.get(f"/contracts/{cid}", headers=people.employer(of[cid].employer_siret))).headers[
                "etag"
            ]
        headers_of = {cid: people.employer(of[cid].employer_siret) for cid in ids}

        async def transmit(cid: str) -> None:
            transmit_at[cid] = time.time()
            sent = await api.post(f"/contracts/{cid}/transmit", headers={**headers_of[cid], "If-Match": etags[cid]})
            if sent.status_code != 200:
                print(f"transmit refused: {sent.status_code} {sent.text[:300]}", file=sys.stderr)

        pending = []
        begin = time.perf_counter()
        first = time.time()
        for k, cid in enumerate(ids):
            await asyncio.sleep(max(0.0, begin + k / rate - time.perf_counter()))
            pending.append(asyncio.create_task(transmit(cid)))
        await asyncio.gather(*pending)
        last = time.time()
    return transmit_at, first, last


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=int(os.environ.get("BENCH_NATIONAL_CONTRACTS", "2000")))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("BENCH_NATIONAL_RATE", "150")))
    parser.add_argument("--pgbench-seconds", type=int, default=int(os.environ.get("BENCH_NATIONAL_PGBENCH", "15")))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--profile", help="a folder: each service runs under cProfile and leaves <service>.prof there")
    args = parser.parse_args()
    if "PASSERELLE_KAFKA_BOOTSTRAP" not in os.environ:
        sys.exit('export the stack first: eval "$(uv run --no-sync python deploy/native/stack.py env)"')
    bootstrap = os.environ["PASSERELLE_KAFKA_BOOTSTRAP"]
    smtp_port = os.environ.get("SMTP_PORT") or os.environ.get("PASSERELLE_SMTP_PORT", "1025")
    logs = Path(tempfile.mkdtemp(prefix="passerelle-bench-national-"))
    run = uuid.uuid4().hex[:8]
    draws = draw(args.contracts, seed=int(run[:6], 16))
    tokens = TokenFactory()
    people = People(tokens, draws)
    databases = {
        "contracts": fresh_service_database(REPO / "services" / "contracts", "bench_nat_contracts"),
        "documents": fresh_service_database(REPO / "services" / "documents", "bench_nat_documents"),
        "opco-processing": fresh_service_database(REPO / "services" / "opco-processing", "bench_nat_opco"),
        "notifier": fresh_service_database(REPO / "services" / "notifier", "bench_nat_notifier"),
    }
    db_names = [url.rsplit("/", 1)[1] for url in databases.values()]
    engines = {name: sa.create_engine(url) for name, url in databases.items()}
    admin_engine = sa.create_engine(databases["contracts"].rsplit("/", 1)[0] + "/postgres")
    # Deployed now: each consumer group reads only this run's events (the broker keeps earlier runs'). A group is
    # named after its service's Kafka principal (`opco_processing-...`): the ACLs allow no other.
    for group, table in (
        ("contracts", CONTRACTS_HANDLERS),
        ("documents", DOCUMENTS_HANDLERS),
        ("opco_processing", OPCO_HANDLERS),
        ("notifier", NOTIFIER_HANDLERS),
    ):
        await start_group_at_end(bootstrap, f"{group}-nat-{run}", [e.topic for e in table])
    machine_clients = json.dumps(
        {code: {"client_id": cid, "client_secret": secret} for cid, (secret, code) in CLIENTS.items()}
    )
    with scratch_bucket("passerelle-national") as bucket, serve_identity(tokens, CLIENTS) as (jwks, token_url):
        contracts = ServiceProcess.uvicorn(
            "contracts",
            "passerelle.contracts.main:app",
            {
                "CONTRACTS_DATABASE_URL": databases["contracts"],
                "CONTRACTS_JWKS_URL": jwks,
                "CONTRACTS_CONSUMER_GROUP": f"contracts-nat-{run}",
                "CONTRACTS_LOG_LEVEL": "WARNING",
            },
            logs,
        )
        documents = ServiceProcess.uvicorn(
            "documents",
            "passerelle.documents.main:app",
            {
                "DOCUMENTS_DATABASE_URL": databases["documents"],
                "DOCUMENTS_JWKS_URL": jwks,
                "DOCUMENTS_S3_BUCKET": bucket,
                "DOCUMENTS_CONSUMER_GROUP": f"documents-nat-{run}",
                "DOCUMENTS_LOG_LEVEL": "WARNING",
            },
            logs,
        )
        notifier = ServiceProcess.uvicorn(
            "notifier",
            "passerelle.notifier.main:app",
            {
                "NOTIFIER_DATABASE_URL": databases["notifier"],
                "NOTIFIER_JWKS_URL": jwks,
                "NOTIFIER_CONSUMER_GROUP": f"notifier-nat-{run}",
                "NOTIFIER_SMTP_PORT": str(smtp_port),
                "NOTIFIER_LOG_LEVEL": "WARNING",
            },
            logs,
        )
        started: list[ServiceProcess] = []

        def start(process: ServiceProcess) -> None:
            """Started under the profiler when asked; a slow start (a busy machine, cProfile) is waited for, and
            a service that fails to start stops those started before it (none is left behind)."""
            process.args += QUIET
            try:
                process.profiled(args.profile).start(ready_timeout=180.0)
            except BaseException:
                for other in started:
                    other.stop()
                raise
            started.append(process)

        for p in (contracts, documents, notifier):
            start(p)
        opco = ServiceProcess.uvicorn(
            "opco-processing",
            "passerelle.opco_processing.main:app",
            {
                "OPCO_PROCESSING_DATABASE_URL": databases["opco-processing"],
                "OPCO_PROCESSING_JWKS_URL": jwks,
                "OPCO_PROCESSING_TOKEN_URL": token_url,
                "OPCO_PROCESSING_CONTRACTS_URL": contracts.url,
                "OPCO_PROCESSING_DOCUMENTS_URL": documents.url,
                "OPCO_PROCESSING_CONSUMER_GROUP": f"opco_processing-nat-{run}",
                "OPCO_PROCESSING_MACHINE_CLIENTS": machine_clients,
                "OPCO_PROCESSING_LOG_LEVEL": "WARNING",
            },
            logs,
        )
        start(opco)
        services = {"contracts": contracts, "documents": documents, "opco-processing": opco, "notifier": notifier}
        try:
            await scenario(args, draws, people, services, engines, admin_engine, db_names, bootstrap)
        finally:
            for p in services.values():
                p.stop()
            for e in (*engines.values(), admin_engine):
                e.dispose()
            print(f"(service logs in {logs})")


async def scenario(
    args: argparse.Namespace,
    draws: list[Draw],
    people: People,
    services: dict[str, ServiceProcess],
    engines: dict[str, sa.Engine],
    admin_engine: sa.Engine,
    db_names: list[str],
    bootstrap: str,
) -> None:
    n = len(draws)
    async with httpx.AsyncClient(base_url=services["opco-processing"].url, timeout=30, limits=pool_limits()) as api:
        for opco in OPCOS:
            answer = await api.put(
                "/settings",
                json={"auto_engage": {"apprentissage": True, "professionnalisation": True}, "alert_days": [5, 2]},
                headers=people.staff(opco, "admin"),
            )
            answer.raise_for_status()
    await publish_all(bootstrap, people.events, "identity")
    started = time.perf_counter()
    ids, of = await prepare(draws, people, services["contracts"].url, services["documents"].url)

    async def ready() -> bool:
        attached = scalar(
            engines["contracts"],
            "SELECT count(DISTINCT contract_id) FROM contract_document WHERE contract_id = ANY(:ids)",
            ids=[uuid.UUID(c) for c in ids],
        )
        known = scalar(engines["notifier"], "SELECT count(*) FROM contracts")
        return bool(attached == n and known >= n)

    await until(ready, "the preparation (agreements attached, the notifier knowing every contract)")
    apprenticeships = sum(d.contract_type == "apprentissage" for d in draws)
    lapsed = sum(d.expect_anomaly for d in draws)
    print(
        f"prepared {n} complete contracts ({apprenticeships} apprenticeship, {n - apprenticeships} "
        f"professionalisation; {lapsed} trained by the CFA whose Qualiopi lapsed; "
        f"{len(people.employers)} employers over {len({d.form['employer']['idcc'] for d in draws})} IDCCs) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    await asyncio.sleep(3)  # the preparation's tail (document notifications) settles before the measure
    ceiling = await asyncio.to_thread(pgbench_ceiling, args.pgbench_seconds)
    print(f"PostgreSQL ceiling (pgbench TPC-B-like, 8 clients, {args.pgbench_seconds} s, now): {ceiling:,.0f} tps")

    meter = meter_for(services)
    cpu_before = meter.sample()
    xact_before = xact_commits(admin_engine, db_names)
    urls = {"contracts": services["contracts"].url, "opco": services["opco-processing"].url}
    raised: dict[str, float] = {}
    stop = asyncio.Event()
    review = asyncio.create_task(reviewers(urls["opco"], people, stop, raised))
    transmit_at, first, last = await measure(ids, of, people, args.rate, urls)
    offered = n / max(last - first, 1e-9)
    uuids = [uuid.UUID(c) for c in ids]

    async def finished() -> bool:
        decided = scalar(
            engines["contracts"],
            "SELECT count(*) FROM contract WHERE id = ANY(:ids) AND status IN ('engaged', 'in_anomaly')",
            ids=uuids,
        )
        # Both sides of each contract told of its decision by e-mail.
        told = scalar(
            engines["notifier"],
            "SELECT count(*) FROM notifications n JOIN mails m ON m.notification_id = n.id "
            "WHERE n.kind = ANY(:k) AND m.status = 'sent'",
            k=list(DECISION_KINDS),
        )
        return bool(decided == n and told >= 2 * n)

    try:
        await until(finished, "every decision applied and notified", timeout=args.timeout)
    finally:
        stop.set()
        await review

    # Settled: the decisions' tails (deposits and their notifications) are in the CPU figures too; the mail
    # outbox is empty and quiet before the e-mails are counted on both sides.
    async def settled() -> bool:
        await asyncio.sleep(1.5)  # (with until's own pause: counts 2 s apart)
        deposits = scalar(engines["opco-processing"], "SELECT count(*) FROM cases WHERE status = 'deposited'")
        mails = scalar(
            engines["notifier"], "SELECT count(*) || '/' || count(*) FILTER (WHERE status = 'queued') FROM mails"
        )
        quiet = mails == seen.get("mails") and mails.endswith("/0")
        seen["mails"] = mails
        return bool(deposits >= statuses_engaged(engines["contracts"], uuids) and quiet)

    seen: dict[str, str] = {}

    await until(settled, "the deposits and their e-mails", timeout=args.timeout)
    cpu = CpuMeter.spent(cpu_before, meter.sample())
    transactions = xact_commits(admin_engine, db_names) - xact_before

    with engines["contracts"].connect() as conn:
        statuses = Counter(
            r[0] for r in conn.execute(sa.text("SELECT status FROM contract WHERE id = ANY(:ids)"), {"ids": uuids})
        )
        decided_at = {
            str(r[0]): r[1].timestamp()
            for r in conn.execute(
                sa.text(
                    "SELECT contract_id, min(at) FROM contract_history WHERE contract_id = ANY(:ids) "
                    "AND action IN ('engaged', 'anomaly_raised', 'opco_engaged', 'opco_anomaly') GROUP BY contract_id"
                ),
                {"ids": uuids},
            )
        }
        if not decided_at:
            actions = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT action FROM contract_history"))]
            print(f"(contract_history actions: {actions})")
    with engines["notifier"].connect() as conn:
        web_at = {
            str(r[0]): r[1].timestamp()
            for r in conn.execute(
                sa.text(
                    "SELECT contract_id, min(created_at) FROM notifications WHERE kind = ANY(:k) GROUP BY contract_id"
                ),
                {"k": list(DECISION_KINDS)},
            )
        }
        mail_at = {
            str(r[0]): r[1].timestamp()
            for r in conn.execute(
                sa.text(
                    "SELECT n.contract_id, max(m.sent_at) FROM notifications n "
                    "JOIN mails m ON m.notification_id = n.id "
                    "WHERE n.kind = ANY(:k) GROUP BY n.contract_id"
                ),
                {"k": list(DECISION_KINDS)},
            )
        }
        duplicates = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT cause_event_id, recipient_key, kind FROM notifications "
                "GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
            )
        ).scalar_one()
        mail_duplicates = conn.execute(
            sa.text("SELECT count(*) FROM (SELECT notification_id FROM mails GROUP BY 1 HAVING count(*) > 1) d")
        ).scalar_one()
        mail_status = Counter(r[0] for r in conn.execute(sa.text("SELECT status FROM mails")))
        mails_to = Counter(
            {r[0]: int(r[1]) for r in conn.execute(sa.text("SELECT to_address, count(*) FROM mails GROUP BY 1"))}
        )
        decision_notifications = conn.execute(
            sa.text("SELECT count(*) FROM notifications WHERE kind = ANY(:k)"), {"k": list(DECISION_KINDS)}
        ).scalar_one()
    end = max(mail_at.values(), default=time.time())
    total = end - first
    to_decision = [(decided_at[c] - transmit_at[c]) * 1000 for c in ids if c in decided_at]
    to_web = [(web_at[c] - transmit_at[c]) * 1000 for c in ids if c in web_at]
    to_mail = [(mail_at[c] - transmit_at[c]) * 1000 for c in ids if c in mail_at]
    auto = [c for c in ids if not of[c].expect_anomaly]
    auto_mail = [(mail_at[c] - transmit_at[c]) * 1000 for c in auto if c in mail_at]

    print(
        f"{os.cpu_count()} cores; {n} contracts transmitted at {args.rate:.0f}/s offered ({offered:.1f}/s achieved "
        f"by the client), {len(raised)} anomalies raised by the reviewers"
    )
    print(f"   sustained, transmit -> decision notified : {n / total:7.1f} contracts/s   (whole set in {total:6.1f} s)")
    print(f"   transmit -> decision applied (contracts)  : {percentiles(to_decision)}")
    print(f"   transmit -> web notification of decision : {percentiles(to_web)}")
    print(f"   transmit -> decision e-mails sent (SMTP)  : {percentiles(to_mail)}")
    print(f"   ... automatic engagements only           : {percentiles(auto_mail)}")
    all_cpu = sum(v for k, v in cpu.items())
    platform = sum(v for k, v in cpu.items() if k != "bench client")
    print(
        f"   CPU per contract: {platform / n * 1000:6.1f} ms platform-wide "
        f"(the bench client {cpu['bench client'] / n * 1000:.1f} ms more)"
    )
    for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
        share = seconds / all_cpu * 100 if all_cpu else 0
        print(f"      {name:<16} {seconds / n * 1000:7.2f} ms/contract  ({share:4.1f} %)")
    per_contract = transactions / n
    tps = transactions / total
    print(
        f"   PostgreSQL: {per_contract:5.1f} transactions per contract ({tps:,.0f} tps during the run); "
        f"pipeline {n / total:.1f} contracts/s = {tps / ceiling * 100 if ceiling == ceiling else float('nan'):.1f} % "
        f"of the pgbench ceiling's transactions ({ceiling:,.0f} tps, {ceiling / per_contract:,.0f} contracts/s "
        "if transactions were the only cost)"
    )
    # The issue's targets on this machine; where one is missed, which parts spend the time.
    heaviest = ", ".join(
        f"{name} {seconds / n * 1000:.1f} ms" for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1])[:3]
    )
    rate_ok = n / total >= 128
    print(
        f"   target 128 contracts/s sustained: {'met' if rate_ok else 'MISSED'} ({n / total:.1f}/s; the CPU "
        f"alone bounds it at {(os.cpu_count() or 1) * n / platform:.1f}/s: {os.cpu_count()} cores / "
        f"{platform / n * 1000:.1f} ms a contract)"
        if platform
        else ""
    )
    print(
        f"   target 15 ms CPU per contract: {'met' if platform / n * 1000 <= 15 else 'MISSED'} "
        f"({platform / n * 1000:.1f} ms; the heaviest: {heaviest})"
    )
    if args.rate <= 20 and to_mail:
        p99 = statistics.quantiles(to_mail, n=100)[98] if len(to_mail) > 1 else to_mail[0]
        print(
            f"   target p99 transmit -> notification < 250 ms at 20/s: "
            f"{'met' if p99 < 250 else 'MISSED'} ({p99:.0f} ms)"
        )
    problems = []
    expected = {"engaged": n - len(raised), "in_anomaly": len(raised)}
    if statuses != Counter({k: v for k, v in expected.items() if v}):
        problems.append(f"final states {dict(statuses)} (expected {expected})")
    if len(raised) != sum(d.expect_anomaly for d in draws):
        problems.append(f"{len(raised)} anomalies raised, {sum(d.expect_anomaly for d in draws)} expected")
    if duplicates or mail_duplicates:
        problems.append(f"{duplicates} notifications and {mail_duplicates} e-mails stored twice")
    if set(mail_status) - {"sent"}:
        problems.append(f"mails not all sent: {dict(mail_status)}")
    if decision_notifications != 2 * n:
        problems.append(f"{decision_notifications} decision notifications for {n} contracts (expected 2 each)")
    caught = await asyncio.to_thread(mail_catcher_count, set(mails_to))
    if caught != mails_to:
        problems.append(
            f"the SMTP server kept {sum(caught.values())} messages, the notifier sent {sum(mails_to.values())}"
        )
    print(
        f"   checked: final states {dict(statuses)}; {decision_notifications} decision notifications "
        f"(both sides of each contract); mails {dict(mail_status)}; "
        f"{sum(caught.values())} messages kept by the SMTP server for this run's people, each once"
    )
    if problems:
        print("   PROBLEMS: " + "; ".join(problems))
        sys.exit(1)
    print("   every contract reached its final state; every notification and e-mail exists once")


if __name__ == "__main__":
    asyncio.run(main())
