"""Notifier benchmark on the real stack: contracts and the notifier as real processes, Kafka, PostgreSQL, SMTP.

1. Latency at 20 transmissions a second: for each contract, from the employer's `POST /contracts/{id}/transmit`
   to (a) the CFA's e-mail accepted by the SMTP server and (b) the notification received on the CFA's open SSE
   stream; p50/p95/p99. The SMTP server is one this benchmark runs (aiosmtpd, in a process of its own), so that
   each message's arrival is timed to the millisecond (the stack's mail catcher keeps dates to the second).
2. Saturation: a burst of OPCO anomalies produced onto Kafka (each tells both sides, web and e-mail): the
   notifications stored per second, and the e-mails delivered per second.

The notifier runs as the chart deploys it, its consumers in one process and its web API (the streams) with the
mail delivery in another; BENCH_NOTIFIER_SPLIT=0 runs everything in one process.

Environment: BENCH_NOTIFIER_RATE (20), BENCH_NOTIFIER_SECONDS (15), BENCH_NOTIFIER_BURST (2000), BENCH_NOTIFIER_SPLIT.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from asyncio.subprocess import PIPE
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from passerelle.contracts.entrypoints.consumers import HANDLERS as CONTRACTS_HANDLERS  # noqa: E402
from passerelle.contracts.testing.samples import (  # noqa: E402
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    complete_apprenticeship_form,
)
from passerelle.libs.client import pool_limits  # noqa: E402
from passerelle.libs.testing.cpu import CpuMeter, stack_meter  # noqa: E402
from passerelle.libs.testing.database import fresh_service_database  # noqa: E402
from passerelle.libs.testing.kafka import publish_all, start_group_at_end  # noqa: E402
from passerelle.libs.testing.processes import ServiceProcess, free_port, pids  # noqa: E402
from passerelle.libs.testing.sse import SseStream  # noqa: E402
from passerelle.libs.testing.tokens import TokenFactory, org_claim  # noqa: E402
from passerelle.notifier.entrypoints.consumers import HANDLERS  # noqa: E402
from passerelle.schemas.events import identity as i  # noqa: E402
from passerelle.schemas.events.documents import DocumentUploaded  # noqa: E402
from passerelle.schemas.events.opco import Anomaly, AnomalyRaised  # noqa: E402

RATE = float(os.environ.get("BENCH_NOTIFIER_RATE", "20"))
SECONDS = float(os.environ.get("BENCH_NOTIFIER_SECONDS", "15"))
BURST = int(os.environ.get("BENCH_NOTIFIER_BURST", "2000"))
SPLIT = os.environ.get("BENCH_NOTIFIER_SPLIT", "1") != "0"
CONTRACT_LINK = re.compile(r"/contrats/([0-9a-f-]{36})")
TABS = {
    "introduction": "introduction",
    "employeur": "employer",
    "salarie": "employee",
    "contrat": "contract",
    "synthese": "synthesis",
    "formation": "training",
}


class Arrivals:
    """The benchmark's SMTP server: accepts everything, prints when each transmission's e-mail arrived.

    It runs in a process of its own (`--smtp-sink PORT`), as a mail server would: in the benchmark's process its
    thread answered each SMTP command only once the load generator's loop let go of the GIL (up to the 5 ms switch
    interval each time), so a mail's round trips waited on the client, not on the notifier."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's API
        now = time.time()
        message = message_from_bytes(envelope.content, policy=policy.default)  # its parts may be quoted-printable
        body = message.get_body(preferencelist=("plain",))
        text = f"{message['Subject']}\n{body.get_content() if body is not None else ''}"
        match = CONTRACT_LINK.search(text)
        if match and "transmis" in text:
            print(match.group(1), f"{now:.6f}", flush=True)
        return "250 OK"


def smtp_sink(port: int) -> None:
    """The SMTP server's process: serves until the benchmark closes its standard input."""
    controller = Controller(Arrivals(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


class MailArrivals:
    """The SMTP server's process, seen from the benchmark: when each contract's e-mail arrived (epoch seconds)."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.port = free_port()

    async def __aenter__(self) -> MailArrivals:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--smtp-sink", str(self.port), stdin=PIPE, stdout=PIPE
        )
        assert self._process.stdout is not None and self._process.stdin is not None
        if (await self._process.stdout.readline()).strip() != b"ready":
            raise RuntimeError("the benchmark's SMTP server did not start")
        self._reader = asyncio.create_task(self._read(self._process.stdout))
        return self

    @property
    def pid(self) -> int:
        return self._process.pid

    async def _read(self, stdout: asyncio.StreamReader) -> None:
        async for line in stdout:
            contract_id, at = line.decode().split()
            self.at.setdefault(contract_id, float(at))

    async def __aexit__(self, *exc: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        await self._process.wait()
        await self._reader


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return f"n={len(values)}"
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms, max {max(values):.0f} ms (n={len(values)})"


def tab_body(form: dict[str, Any], name: str) -> dict[str, Any]:
    if name == "tuteur":
        return {"tutors": form["tutors"], "tutor_eligibility_attested": form["tutor_eligibility_attested"]}
    return form[TABS[name]]  # type: ignore[no-any-return]


async def write(contracts: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], **kwargs: Any) -> None:
    """A write on a contract, with the `If-Match` of its current version (the API requires it)."""
    cid = url.split("/")[2]
    current = await contracts.get(f"/contracts/{cid}", headers=headers)
    current.raise_for_status()
    response = await contracts.request(method, url, headers={**headers, "If-Match": current.headers["etag"]}, **kwargs)
    response.raise_for_status()


async def prepare(contracts: httpx.AsyncClient, cfa: dict[str, str], employer: dict[str, str], n: int) -> list[str]:
    """`n` complete contracts proposed by the CFA, accepted and filled by the employer, ready to transmit."""
    form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
    ids: list[str] = []
    gate = asyncio.Semaphore(6)

    async def one() -> None:
        async with gate:
            body = {
                "contract_type": "apprentissage",
                "training_uai": DEMO_CFA_UAI,
                "employer_siret": DEMO_EMPLOYER_SIRET,
            }
            created = await contracts.post("/contracts", json=body, headers=cfa)
            created.raise_for_status()
            cid = created.json()["id"]
            await write(contracts, "PUT", f"/contracts/{cid}/tabs/formation", cfa, json=tab_body(form, "formation"))
            email = {"employer_email": "rh@dupain.example.fr"}
            await write(contracts, "POST", f"/contracts/{cid}/propose", cfa, json=email)
            await write(contracts, "POST", f"/contracts/{cid}/accept", employer)
            for name in ("introduction", "employeur", "salarie", "tuteur", "contrat", "synthese"):
                await write(contracts, "PUT", f"/contracts/{cid}/tabs/{name}", employer, json=tab_body(form, name))
            ids.append(cid)

    await asyncio.gather(*(one() for _ in range(n)))
    return ids


async def main() -> None:
    bootstrap = os.environ["PASSERELLE_KAFKA_BOOTSTRAP"]
    logs = Path(tempfile.mkdtemp(prefix="passerelle-bench-notifier-"))
    async with MailArrivals() as arrivals:
        await run_bench(bootstrap, logs, arrivals)


async def run_bench(bootstrap: str, logs: Path, arrivals: MailArrivals) -> None:
    tokens = TokenFactory()
    notifier_db = fresh_service_database(REPO / "services" / "notifier", "bench_notifier")
    run = uuid.uuid4().hex[:8]
    # Deployed now: the groups skip the bench broker's history (earlier runs) and read only this run's events. The
    # contracts service's group too: it consumes the OPCO's decisions, and read earlier runs' anomalies (about
    # contracts it does not hold, each retried then parked) while this run's transmissions were measured.
    await start_group_at_end(bootstrap, f"notifier-bench-{run}", [e.topic for e in HANDLERS])
    await start_group_at_end(bootstrap, f"contracts-bench-{run}", [e.topic for e in CONTRACTS_HANDLERS])
    contracts_db = fresh_service_database(REPO / "services" / "contracts", "bench_nt_contracts")
    with tokens.serve_jwks() as jwks_url:
        contracts_process = ServiceProcess.uvicorn(
            "contracts",
            "passerelle.contracts.main:app",
            {
                "CONTRACTS_DATABASE_URL": contracts_db,
                "CONTRACTS_JWKS_URL": jwks_url,
                "CONTRACTS_CONSUMER_GROUP": f"contracts-bench-{run}",
                "CONTRACTS_LOG_LEVEL": "WARNING",
            },
            logs,
        ).start()
        common = {
            "NOTIFIER_DATABASE_URL": notifier_db,
            "NOTIFIER_JWKS_URL": jwks_url,
            "NOTIFIER_CONSUMER_GROUP": f"notifier-bench-{run}",
            "NOTIFIER_SMTP_PORT": str(arrivals.port),
            "NOTIFIER_LOG_LEVEL": "WARNING",
            "NOTIFIER_CONSUMER_MAX_ATTEMPTS": "2",
            "NOTIFIER_CONSUMER_BACKOFF_SECONDS": "0.01",
        }
        # The parts as the chart deploys them (consumers / web and mail delivery), or everything in one process.
        parts = (
            [("notifier", {"NOTIFIER_CONSUMERS_ENABLED": "false"}), ("notifier-consumers", {"NOTIFIER_BACKGROUND_ENABLED": "false"})]  # noqa: E501
            if SPLIT
            else [("notifier", {})]
        )  # fmt: skip
        notifiers = [
            ServiceProcess.uvicorn(name, "passerelle.notifier.main:app", {**common, **extra}, logs).start()
            for name, extra in parts
        ]
        print(
            "notifier as its deployed parts: consumers, and web with the mail delivery (two processes)"
            if SPLIT
            else "notifier in one process (consumers, web, mail delivery, relay)"
        )
        meter = cpu_meter(
            {"contracts": contracts_process, **{name: p for (name, _), p in zip(parts, notifiers, strict=True)}},
            arrivals,
        )
        try:
            await scenario(
                bootstrap, tokens, contracts_process.url, notifiers[0].url, notifier_db, contracts_db, arrivals, meter
            )
        finally:
            for process in notifiers:
                process.stop()
            contracts_process.stop()


async def scenario(
    bootstrap: str,
    tokens: TokenFactory,
    contracts_url: str,
    notifier_url: str,
    notifier_db: str,
    contracts_db: str,
    arrivals: MailArrivals,
    meter: CpuMeter,
) -> None:
    cfa_id, employer_id = uuid.uuid4(), uuid.uuid4()
    cfa_org, employer_org = uuid.uuid4(), uuid.uuid4()
    cfa_claim = org_claim("training", "admin", organisation_id=cfa_org, siret=DEMO_CFA_SIRET, uai=DEMO_CFA_UAI)
    employer_claim = org_claim("employer", "admin", organisation_id=employer_org, siret=DEMO_EMPLOYER_SIRET)
    cfa = {"Authorization": f"Bearer {tokens.issue(cfa_id, [cfa_claim], ttl=3600)}"}
    employer = {"Authorization": f"Bearer {tokens.issue(employer_id, [employer_claim], ttl=3600)}"}
    people = [
        i.MembershipGranted(
            membership_id=uuid.uuid4(), account_id=cfa_id, email=f"cfa-{cfa_id.hex[:6]}@bench.example.fr",
            full_name="Sophie Bernard", organisation_id=cfa_org, organisation_kind="training", siret=DEMO_CFA_SIRET,
            uai=DEMO_CFA_UAI, role="admin",
        ),
        i.MembershipGranted(
            membership_id=uuid.uuid4(), account_id=employer_id, email=f"rh-{employer_id.hex[:6]}@bench.example.fr",
            full_name="Paul Dupain", organisation_id=employer_org, organisation_kind="employer",
            siret=DEMO_EMPLOYER_SIRET, role="admin",
        ),
    ]  # fmt: skip
    await publish_all(bootstrap, people, "identity")
    n = int(RATE * SECONDS)
    async with httpx.AsyncClient(base_url=contracts_url, timeout=60, limits=pool_limits()) as contracts:
        started = time.perf_counter()
        ids = await prepare(contracts, cfa, employer, n)
        documents = [
            DocumentUploaded(
                document_id=uuid.uuid4(), contract_id=uuid.UUID(cid), document_type="convention_formation", version=1,
                filename="convention.pdf", size=1000, sha256="5f" * 32, media_type="application/pdf",
                uploaded_at=datetime.now(UTC),
            )
            for cid in ids
        ]  # fmt: skip
        await publish_all(bootstrap, documents, "documents")
        await until(lambda: all_valid(contracts, ids, employer))
        print(f"prepared {n} complete contracts in {time.perf_counter() - started:.0f} s")
        # The notifier has caught up (its group read the topics from their start) once the CFA was told of every
        # acceptance: only then does the measure start.
        async with httpx.AsyncClient(base_url=notifier_url, timeout=60, limits=pool_limits()) as notifier:
            await until(lambda: told(notifier, cfa, "contract_accepted", n), timeout=900)
        # ... and applied every save (contract.updated, its own topic): its projection has each contract's version.
        versions = {cid: (await contracts.get(f"/contracts/{cid}", headers=employer)).json()["version"] for cid in ids}
        await until(lambda: projected(notifier_db, versions), timeout=900)
        print(f"the notifier caught up {time.perf_counter() - started:.0f} s after the preparation began")

        transmit_at: dict[str, float] = {}
        async with SseStream(f"{notifier_url}/notifications/stream", cfa) as stream:
            await stream.wait_for(lambda e: e.event == "sync")

            async def transmit(cid: str) -> None:
                matched = {**employer, "If-Match": f'"{versions[cid]}"'}
                transmit_at[cid] = time.time()
                (await contracts.post(f"/contracts/{cid}/transmit", headers=matched)).raise_for_status()

            pending = []
            cpu_before = meter.sample()
            begin = time.perf_counter()
            for k, cid in enumerate(ids):
                await asyncio.sleep(max(0.0, begin + k / RATE - time.perf_counter()))
                pending.append(asyncio.create_task(transmit(cid)))
            await asyncio.gather(*pending)
            deadline = time.monotonic() + 60
            live_at: dict[str, float] = {}
            while (len(live_at) < n or len(set(arrivals.at) & set(ids)) < n) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                live_at = live_arrivals(stream)
            cpu = CpuMeter.spent(cpu_before, meter.sample())
        to_mail = [(arrivals.at[c] - transmit_at[c]) * 1000 for c in ids if c in arrivals.at]
        to_live = [(live_at[c] - transmit_at[c]) * 1000 for c in ids if c in live_at]
        print(f"transmit request -> e-mail kept by the SMTP server, at {RATE:.0f} contracts/s: {percentiles(to_mail)}")
        print(f"transmit request -> event on the open SSE stream, at {RATE:.0f} contracts/s: {percentiles(to_live)}")
        await asyncio.to_thread(print_stages, contracts_db, notifier_db, transmit_at, arrivals.at, live_at)
        print_cpu(f"CPU per transmitted contract at {RATE:.0f} contracts/s", cpu, n)

    # --- Saturation: a burst of anomalies, each telling both sides (web + e-mail).
    engine = sa.create_engine(notifier_db)

    def counts() -> tuple[int, int]:
        with engine.connect() as conn:
            stored = conn.execute(
                sa.text("SELECT count(*) FROM notifications WHERE kind = 'anomaly_raised'")
            ).scalar_one()
            sent = conn.execute(
                sa.text(
                    "SELECT count(*) FROM mails m JOIN notifications n ON n.id = m.notification_id "
                    "WHERE n.kind = 'anomaly_raised' AND m.status = 'sent'"
                )
            ).scalar_one()
        return int(stored), int(sent)

    burst = [
        AnomalyRaised(
            case_id=uuid.uuid4(), contract_id=uuid.UUID(ids[k % len(ids)]), revision=1, raised_at=datetime.now(UTC),
            anomalies=[Anomaly(code=f"C{k}", kind="field_error", message="La durée hebdomadaire est à confirmer.")],
        )
        for k in range(BURST)
    ]  # fmt: skip
    expected = 2 * BURST
    cpu_before = meter.sample()
    start = time.perf_counter()
    await publish_all(bootstrap, burst, "opco_processing")
    stored_at = sent_at = None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and sent_at is None:
        stored, sent = await asyncio.to_thread(counts)
        if stored_at is None and stored >= expected:
            stored_at = time.perf_counter()
        if sent >= expected:
            sent_at = time.perf_counter()
        await asyncio.sleep(0.1)
    cpu = CpuMeter.spent(cpu_before, meter.sample())
    engine.dispose()
    if stored_at is None or sent_at is None:
        print(f"saturation: incomplete after 600 s ({counts()} of {expected})")
        return
    print(
        f"saturation: {BURST} anomalies -> {expected} notifications stored in {stored_at - start:.1f} s "
        f"({expected / (stored_at - start):,.0f} notifications/s, each with its mail outbox row and feed entry); "
        f"{expected} e-mails delivered in {sent_at - start:.1f} s ({expected / (sent_at - start):,.0f} mails/s)"
    )
    print_cpu("CPU per notification at saturation (stored, mailed, on the feed)", cpu, expected)


def cpu_meter(services: dict[str, ServiceProcess], arrivals: MailArrivals) -> CpuMeter:
    """The processes whose CPU a contract costs: the services, the SMTP server, PostgreSQL and Kafka, and the
    benchmark's own client (without its SMTP child, counted apart)."""
    return stack_meter({"smtp server": arrivals.pid, **pids(services)}, ("postgres", "kafka"), client="bench client")


def print_cpu(title: str, cpu: dict[str, float], count: int) -> None:
    """Milliseconds of CPU per item, process by process (PostgreSQL with its backends); the platform's total leaves
    out the benchmark's client and SMTP server."""
    platform = sum(seconds for name, seconds in cpu.items() if name not in {"bench client", "smtp server"})
    parts = ", ".join(
        f"{name} {seconds / count * 1000:.1f}" for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1])
    )
    print(f"{title}: {platform / count * 1000:.1f} ms across the platform ({parts} ms)")


def print_stages(
    contracts_db: str,
    notifier_db: str,
    transmit_at: dict[str, float],
    mailed_at: dict[str, float],
    live_at: dict[str, float],
) -> None:
    """Where the time goes, stage by stage (each stage's own clock: all run on this machine): the request and its
    commit, the outbox relay, Kafka and the notifier's consumer, the notification's transaction, the mail sender,
    the SMTP transfer, the stream."""
    contracts_engine, notifier_engine = sa.create_engine(contracts_db), sa.create_engine(notifier_db)
    try:
        with contracts_engine.connect() as conn:
            outbox = {
                r.key: (r.event_id, r.created_at.timestamp(), r.sent_at.timestamp() if r.sent_at else None)
                for r in conn.execute(
                    sa.text(
                        "SELECT key, event_id, created_at, sent_at FROM outbox WHERE topic = 'contract.transmitted'"
                    )
                )
            }
        with notifier_engine.connect() as conn:
            applied = {
                str(r.event_id): r.applied_at.timestamp()
                for r in conn.execute(
                    sa.text("SELECT event_id, applied_at FROM inbox WHERE topic = 'contract.transmitted'")
                )
            }
            told = {
                str(r.contract_id): (r.created_at.timestamp(), r.sent_at.timestamp() if r.sent_at else None)
                for r in conn.execute(
                    sa.text(
                        "SELECT n.contract_id, n.created_at, m.sent_at FROM notifications n "
                        "LEFT JOIN mails m ON m.notification_id = n.id WHERE n.kind = 'contract_transmitted'"
                    )
                )
            }
    finally:
        contracts_engine.dispose()
        notifier_engine.dispose()
    stages: dict[str, list[float]] = {
        "request -> event committed (contracts)": [],
        "committed -> published (outbox relay)": [],
        "published -> claimed by the notifier (Kafka, consumer)": [],
        "claimed -> notification created (notifier's handler)": [],
        "notification created -> mail accepted (mail sender)": [],
        "mail accepted -> kept by the SMTP server": [],
        "notification created -> on the SSE stream": [],
    }
    for cid, start in transmit_at.items():
        if cid not in outbox or cid not in told:
            continue
        event_id, committed, published = outbox[cid]
        created, sent = told[cid]
        claimed = applied.get(str(event_id))
        names = list(stages)
        pairs = [
            (start, committed),
            (committed, published),
            (published, claimed),
            (claimed, created),
            (created, sent),
            (sent, mailed_at.get(cid)),
            (created, live_at.get(cid)),
        ]
        for name, (a, b) in zip(names, pairs, strict=True):
            if a is not None and b is not None:
                stages[name].append((b - a) * 1000)
    for name, values in stages.items():
        print(f"  {name}: {percentiles(values)}")


async def until(check: Any, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark's preparation did not complete")
        await asyncio.sleep(0.3)


async def all_valid(contracts: httpx.AsyncClient, ids: list[str], headers: dict[str, str]) -> bool:
    for cid in ids:
        if not (await contracts.get(f"/contracts/{cid}/validation", headers=headers)).json()["valid"]:
            return False
    return True


async def told(notifier: httpx.AsyncClient, headers: dict[str, str], kind: str, n: int) -> bool:
    listing = await notifier.get("/notifications", params={"kind": kind, "per_page": 1}, headers=headers)
    return bool(listing.json()["total"] >= n)


async def projected(database_url: str, versions: dict[str, int]) -> bool:
    def count() -> int:
        engine = sa.create_engine(database_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT contract_id::text, version FROM contracts")).all()
        finally:
            engine.dispose()
        known = {r[0]: r[1] for r in rows}
        return sum(1 for cid, v in versions.items() if (known.get(cid) or 0) >= v)

    return await asyncio.to_thread(count) == len(versions)


def live_arrivals(stream: SseStream) -> dict[str, float]:
    """When each contract's transmission notification reached the stream."""
    out: dict[str, float] = {}
    for event, at in zip(list(stream.events), list(stream.received_at), strict=False):
        if event.event == "notification":
            notification = event.json()["notification"]
            if notification["kind"] == "contract_transmitted":
                out.setdefault(notification["contract_id"], at)
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--smtp-sink"]:
        smtp_sink(int(sys.argv[2]))
    else:
        asyncio.run(main())
