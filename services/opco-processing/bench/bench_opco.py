"""opco-processing under load with automatic engagement on: cases opened and decided per second, and the CPU
each part of the stack spends per case (opco-processing, the contracts engine it calls, the documents service
that stores the letters, PostgreSQL, Kafka, clamd, S3).

Each case: `contract.transmitted` consumed, a case opened and routed, the checks run (the contracts service's
validation endpoint, the registers), engaged automatically (file number, funding), its agreement letter
rendered and stored through the documents service (scanned by clamd, written to S3), `contract.engaged`
published, then deposited with the local fake DECA.

uv run --no-sync python services/opco-processing/bench/bench_opco.py [--cases 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET, complete_apprenticeship_form
from passerelle.documents.entrypoints.consumers import HANDLERS as DOCUMENTS_HANDLERS
from passerelle.libs.relay import make_producer
from passerelle.libs.testing.cpu import CpuMeter, stack_meter
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.identity import serve_identity
from passerelle.libs.testing.kafka import start_group_at_end
from passerelle.libs.testing.processes import ServiceProcess, pids
from passerelle.libs.testing.stack import REPO, scratch_bucket
from passerelle.libs.testing.tokens import TokenFactory
from passerelle.opco_processing.entrypoints.consumers import HANDLERS as OPCO_HANDLERS
from passerelle.schemas import Envelope, encode_record
from passerelle.schemas.events.common import ContractParties, DocumentRef
from passerelle.schemas.events.contracts import ContractTransmitted

CLIENTS = {"pcl_bench_opcoep": ("pcs_bench_opcoep", "OPCOEP")}


async def publish(bootstrap: str, contract_ids: list[uuid.UUID]) -> float:
    form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
    producer = make_producer(bootstrap)
    await producer.start()
    started = time.perf_counter()
    try:
        sends = []
        for contract_id in contract_ids:
            event = ContractTransmitted(
                contract_id=contract_id,
                contract_type="apprentissage",
                parties=ContractParties(
                    employer_siret=DEMO_EMPLOYER_SIRET, training_uai=DEMO_CFA_UAI, opco_code="OPCOMMERCE"
                ),
                revision=1,
                form=form,
                documents=[
                    DocumentRef(
                        document_id=uuid.uuid4(), document_type="convention_formation", version=1, sha256="0" * 64
                    )
                ],
                transmitted_at=datetime.now(UTC),
            )
            # As the contracts service publishes it: a consumer parks a record whose producer does not own its topic.
            envelope = Envelope(type=event.topic, schema_version=1, producer="contracts", subject=str(contract_id))
            key, value, headers = encode_record(envelope, event)
            sends.append(await producer.send(event.topic, key=key, value=value, headers=headers))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    return started


def counts(engine: sa.Engine, ids: list[uuid.UUID]) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT count(*), count(*) FILTER (WHERE status IN ('engaged', 'deposited') AND NOT letter_pending) "
                "FROM cases WHERE contract_id = ANY(:ids)"
            ),
            {"ids": ids},
        ).one()
    return int(row[0]), int(row[1])


def meter_for(processes: dict[str, ServiceProcess]) -> CpuMeter:
    return stack_meter(pids(processes), ("postgres", "kafka", "clamd", "s3"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    if "PASSERELLE_KAFKA_BOOTSTRAP" not in os.environ:
        sys.exit('export the stack first: eval "$(uv run --no-sync python deploy/native/stack.py env)"')
    bootstrap = os.environ["PASSERELLE_KAFKA_BOOTSTRAP"]
    log_dir = Path(tempfile.mkdtemp(prefix="bench-opco-"))
    suffix = uuid.uuid4().hex[:8]
    # Deployed now: the groups skip the bench broker's history (earlier runs' transmissions and documents), which
    # they would otherwise review and apply while this run's cases are measured.
    for group, table in (("documents", DOCUMENTS_HANDLERS), ("opco_processing", OPCO_HANDLERS)):
        asyncio.run(start_group_at_end(bootstrap, f"{group}-bench-{suffix}", [e.topic for e in table]))
    opco_db = fresh_service_database(REPO / "services" / "opco-processing", "bench_opco_processing")
    engine = sa.create_engine(opco_db)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO opco_settings (opco_code, data, updated_at) VALUES ('OPCOEP', :d, now())"),
            {
                "d": json.dumps(
                    {"auto_engage": {"apprentissage": True, "professionnalisation": True}, "alert_days": [5, 2]}
                )
            },
        )
    tokens = TokenFactory()
    quiet = ["--no-access-log", "--log-level", "warning"]
    with scratch_bucket("passerelle-opco-bench") as bucket, serve_identity(tokens, CLIENTS) as (jwks, token_url):
        contracts = ServiceProcess.uvicorn(
            "contracts",
            "passerelle.contracts.main:app",
            {
                "CONTRACTS_DATABASE_URL": fresh_service_database(
                    REPO / "services" / "contracts", "bench_opco_contracts"
                ),
                "CONTRACTS_JWKS_URL": jwks,
                "CONTRACTS_CONSUMERS_ENABLED": "false",
                "CONTRACTS_LOG_LEVEL": "WARNING",
            },
            log_dir,
        )
        documents = ServiceProcess.uvicorn(
            "documents",
            "passerelle.documents.main:app",
            {
                "DOCUMENTS_DATABASE_URL": fresh_service_database(
                    REPO / "services" / "documents", "bench_opco_documents"
                ),
                "DOCUMENTS_JWKS_URL": jwks,
                "DOCUMENTS_S3_BUCKET": bucket,
                "DOCUMENTS_LOG_LEVEL": "WARNING",
                "DOCUMENTS_CONSUMER_GROUP": f"documents-bench-{suffix}",
            },
            log_dir,
        )
        for p in (contracts, documents):
            p.args += quiet
            p.start()
        opco = ServiceProcess.uvicorn(
            "opco-processing",
            "passerelle.opco_processing.main:app",
            {
                "OPCO_PROCESSING_DATABASE_URL": opco_db,
                "OPCO_PROCESSING_JWKS_URL": jwks,
                "OPCO_PROCESSING_TOKEN_URL": token_url,
                "OPCO_PROCESSING_CONTRACTS_URL": contracts.url,
                "OPCO_PROCESSING_DOCUMENTS_URL": documents.url,
                "OPCO_PROCESSING_CONSUMER_GROUP": f"opco_processing-bench-{suffix}",
                "OPCO_PROCESSING_MACHINE_CLIENTS": json.dumps(
                    {code: {"client_id": cid, "client_secret": secret} for cid, (secret, code) in CLIENTS.items()}
                ),
                "OPCO_PROCESSING_WORK_INTERVAL_SECONDS": "0.05",
                "OPCO_PROCESSING_LOG_LEVEL": "WARNING",
            },
            log_dir,
        )
        opco.args += quiet
        opco.start()
        try:
            ids = [uuid.uuid4() for _ in range(args.cases)]
            meter = meter_for({"opco-processing": opco, "contracts": contracts, "documents": documents})
            before = meter.sample()
            started = asyncio.run(publish(bootstrap, ids))
            opened_at = decided_at = None
            deadline = time.perf_counter() + 600
            while time.perf_counter() < deadline:
                opened, decided = counts(engine, ids)
                now = time.perf_counter()
                if opened_at is None and opened == len(ids):
                    opened_at = now
                if decided == len(ids):
                    decided_at = now
                    break
                time.sleep(0.05)
            cpu = CpuMeter.spent(before, meter.sample())
            if decided_at is None or opened_at is None:
                sys.exit(f"not every case was decided in time: {counts(engine, ids)} of {len(ids)}\n{opco.tail(30)}")
            n = len(ids)
            print(f"{os.cpu_count()} cores; {n} apprenticeship cases, automatic engagement on, letters stored")
            print(f"   opened  : {n / (opened_at - started):7.1f} cases/s   (all {n} in {opened_at - started:5.1f} s)")
            print(
                f"   decided : {n / (decided_at - started):7.1f} cases/s   (engaged, letter stored and published, "
                f"all in {decided_at - started:5.1f} s)"
            )
            total = sum(cpu.values())
            parts = "  ".join(f"{name} {seconds / n * 1000:5.1f}" for name, seconds in cpu.items())
            print(f"   CPU per case: {total / n * 1000:5.1f} ms in all — {parts} (ms)")
        finally:
            opco.stop()
            documents.stop()
            contracts.stop()
            engine.dispose()


if __name__ == "__main__":
    main()
