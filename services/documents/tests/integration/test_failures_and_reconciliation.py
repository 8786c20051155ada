"""What is left when a dependency fails mid-upload, and the reconciliation of the database with the store."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from passerelle.documents.adapters.orm import documents_table
from passerelle.documents.adapters.storage import S3Storage
from passerelle.documents.bootstrap import reconciliation
from passerelle.documents.domain.model import DocumentStatus
from passerelle.documents.service_layer import uploads
from passerelle.libs.outbox import outbox_table
from passerelle.libs.tasks import SKIPPED, advisory_key
from passerelle.libs.testing.processes import free_port
from passerelle.libs.testing.samples import sample_pdf

pytestmark = pytest.mark.integration

PDF = sample_pdf(64_000, b"0123456789abcdef")


async def post(client, contract_id, headers, content=PDF):
    return await client.post(
        f"/contracts/{contract_id}/documents",
        headers=headers,
        data={"document_type": "convention_formation"},
        files={"file": ("c.pdf", content, "application/pdf")},
    )


async def counts(service, contract_id) -> tuple[int, int]:
    async with service.engine.connect() as conn:
        rows = await conn.scalar(
            sa.select(sa.func.count()).select_from(documents_table).where(documents_table.c.contract_id == contract_id)
        )
        events = await conn.scalar(
            sa.select(sa.func.count()).select_from(outbox_table).where(outbox_table.c.key == str(contract_id))
        )
    return rows, events


def objects_for(s3, bucket, contract_id) -> list[str]:
    return [o.object_name for o in s3.list_objects(bucket, prefix=f"contracts/{contract_id}/", recursive=True)]


async def test_storage_down_fails_cleanly(
    client, service, docs, settings, s3, bucket, contract_id, employer, monkeypatch
):
    nowhere = S3Storage(f"127.0.0.1:{free_port()}", settings.s3_access_key, settings.s3_secret_key, bucket, timeout=2.0)
    monkeypatch.setattr(docs, "storage", nowhere)
    response = await post(client, contract_id, employer)
    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "storage_unavailable",
        "message": "Le stockage des documents est indisponible, veuillez réessayer.",
        "fields": [],
    }
    assert await counts(service, contract_id) == (0, 0)
    monkeypatch.undo()
    assert (await post(client, contract_id, employer)).status_code == 201  # and it recovers


async def test_database_failure_after_the_put_removes_the_object(
    client, service, s3, bucket, contract_id, employer, monkeypatch
):
    async def broken(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT INTO documents", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(uploads, "record_stored", broken)
    response = await post(client, contract_id, employer)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "document_not_saved"
    assert objects_for(s3, bucket, contract_id) == []
    assert await counts(service, contract_id) == (0, 0)


async def test_antivirus_down_fails_cleanly(client, service, docs, contract_id, employer, monkeypatch):
    from passerelle.documents.adapters.scanner import ClamdScanner

    monkeypatch.setattr(docs, "scanner", ClamdScanner("127.0.0.1", free_port(), timeout=2.0))
    response = await post(client, contract_id, employer)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "scan_unavailable"
    assert await counts(service, contract_id) == (0, 0)


async def reconcile_once(service, docs, grace):
    """One run of the service's reconciliation task, under its lock (SKIPPED when another instance holds it)."""
    return await reconciliation(service.settings, grace=grace).run_once(docs, service.engine, service.name)


async def test_the_reconciliation_repairs_what_crashes_leave(client, service, docs, s3, bucket, new_contract, employer):
    contract_id = await new_contract()
    kept = (await post(client, contract_id, employer)).json()
    lost = (await post(client, contract_id, employer)).json()
    s3.remove_object(bucket, f"contracts/{contract_id}/{lost['id']}")  # the object vanished
    orphan = f"contracts/{contract_id}/{uuid.uuid4()}"  # a crash between the put and the commit
    s3.put_object(bucket, orphan, io.BytesIO(PDF), len(PDF))

    # The orphan is young (an upload may be in progress): left alone; the vanished object is noticed.
    report = await reconcile_once(service, docs, timedelta(hours=1))
    assert (report.orphan_objects_removed, report.missing_marked, report.errors) == (0, 1, 0)
    assert orphan in objects_for(s3, bucket, contract_id)

    later = replace(docs, clock=lambda: datetime.now(UTC) + timedelta(hours=2))
    report = await reconcile_once(service, later, timedelta(hours=1))
    assert report.orphan_objects_removed == 1
    assert report.missing_marked == 0
    assert objects_for(s3, bucket, contract_id) == [f"contracts/{contract_id}/{kept['id']}"]

    lost_now = await client.get(f"/documents/{lost['id']}", headers=employer)
    assert lost_now.json()["status"] == "missing" and not lost_now.json()["downloadable"]
    gone = await client.get(f"/documents/{lost['id']}/download-url", headers=employer)
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "document_content_missing"
    assert (await client.get(f"/documents/{kept['id']}/content", headers=employer)).status_code == 200
    async with docs.uow_factory() as uow:
        assert (await uow.documents.get(uuid.UUID(kept["id"]))).status == DocumentStatus.STORED


async def test_one_reconciliation_at_a_time(service, docs):
    async with service.engine.connect() as conn:
        key = advisory_key(service.name, "reconcile")
        await conn.execute(sa.select(sa.func.pg_advisory_lock(key)))
        try:
            assert await reconcile_once(service, docs, timedelta(hours=1)) is SKIPPED
        finally:
            await conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
