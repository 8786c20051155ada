"""Read-only units of work (`Database.read_only`): each statement on its own, no BEGIN and no ROLLBACK around a
read, and no way to write through them; the pool they share with ordinary units of work stays transactional."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from passerelle.libs.db import Database, WriteInReadOnlyWork
from passerelle.libs.testing.database import recreate_database
from passerelle.libs.testing.stack import ensure_stack
from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.schemas.events.documents import DocumentRejected

pytestmark = pytest.mark.integration

rows = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.Uuid, primary_key=True), sa.Column("label", sa.Text))


async def status_after_a_read(uow: SqlUnitOfWork) -> TransactionStatus:
    """The server-side transaction state of the uow's connection once it has read a row."""
    assert (await uow.session.execute(sa.select(sa.func.count()).select_from(rows))).scalar_one() >= 0
    connection = await uow.session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection.info.transaction_status


@pytest.fixture
def database_url():
    ensure_stack()
    url = recreate_database("libs_read_only_work")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        rows.metadata.create_all(conn)
    engine.dispose()
    return url


@pytest.fixture
async def database(database_url):
    database = Database(database_url, pool_size=1)  # one connection: both kinds of work take turns on it
    yield database
    await database.dispose()


async def test_a_read_only_unit_of_work_reads_outside_any_transaction(database):
    async with database.unit_of_work(SqlUnitOfWork, "test")() as uow:
        assert await status_after_a_read(uow) == TransactionStatus.INTRANS
    async with database.read_only(SqlUnitOfWork, "test")() as uow:
        assert await status_after_a_read(uow) == TransactionStatus.IDLE
    # The same pooled connection, handed back to an ordinary unit of work, is transactional again.
    async with database.unit_of_work(SqlUnitOfWork, "test")() as uow:
        assert await status_after_a_read(uow) == TransactionStatus.INTRANS


async def test_a_read_only_unit_of_work_cannot_write_publish_or_commit(database):
    row_id = uuid.uuid4()
    async with database.read_only(SqlUnitOfWork, "test")() as uow:
        with pytest.raises(WriteInReadOnlyWork):
            await uow.session.execute(sa.insert(rows).values(id=row_id, label="lost"))
        with pytest.raises(WriteInReadOnlyWork):
            await uow.session.execute(sa.update(rows).values(label="lost"))
        with pytest.raises(WriteInReadOnlyWork):
            await uow.session.execute(sa.delete(rows))
        with pytest.raises(RuntimeError, match="read-only"):
            uow.publish(
                DocumentRejected(
                    contract_id=uuid.uuid4(),
                    document_type="autre",
                    filename="x.pdf",
                    reason_code="infected",
                    reason="Fichier infecté.",
                    rejected_at=datetime.now(UTC),
                )
            )
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()
    # An ordinary unit of work on the same pool writes, and what it commits is what a read-only one sees.
    async with database.unit_of_work(SqlUnitOfWork, "test")() as uow:
        await uow.session.execute(sa.insert(rows).values(id=row_id, label="kept"))
        await uow.commit()
    async with database.read_only(SqlUnitOfWork, "test")() as uow:
        labels = (await uow.session.execute(sa.select(rows.c.label))).scalars().all()
    assert labels == ["kept"]


async def test_a_connection_pinged_after_idling_serves_a_read_only_unit_of_work(database_url):
    # The pool pings a connection that sat idle before handing it out; the ping's own transaction must be over
    # by then, or switching the connection to autocommit fails ("connection in transaction status INTRANS").
    database = Database(database_url, pool_size=1, ping_idle_seconds=0.05)
    try:
        for kind in ("ordinary", "read-only", "read-only", "ordinary"):
            await asyncio.sleep(0.1)  # idle long enough to be pinged at the next checkout
            factory = database.unit_of_work if kind == "ordinary" else database.read_only
            async with factory(SqlUnitOfWork, "test")() as uow:
                expected = TransactionStatus.INTRANS if kind == "ordinary" else TransactionStatus.IDLE
                assert await status_after_a_read(uow) == expected
    finally:
        await database.dispose()
