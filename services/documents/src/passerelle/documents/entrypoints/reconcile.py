"""The reconciliation job: `python -m passerelle.documents.entrypoints.reconcile [--grace-seconds N]`.

It also runs periodically inside the HTTP process (DOCUMENTS_RECONCILE_IN_PROCESS). A PostgreSQL
advisory lock lets one run at a time, however many instances are up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from passerelle.documents.service_layer.context import Documents
from passerelle.documents.service_layer.ports import StorageError
from passerelle.documents.service_layer.reconcile import ReconcileReport, reconcile
from passerelle.libs.logging import get_logger

log = get_logger(__name__)
LOCK_KEY = 0x646F6373  # "docs"


async def reconcile_once(engine: AsyncEngine, docs: Documents, grace: timedelta) -> ReconcileReport | None:
    """None when another instance is reconciling right now."""
    async with engine.connect() as conn:
        if not await conn.scalar(sa.select(sa.func.pg_try_advisory_lock(LOCK_KEY))):
            return None
        try:
            return await reconcile(docs, grace)
        finally:
            await conn.execute(sa.select(sa.func.pg_advisory_unlock(LOCK_KEY)))
            await conn.commit()


class PeriodicReconciliation:
    def __init__(self, engine: AsyncEngine, docs: Documents, interval: float, grace: timedelta) -> None:
        self.engine = engine
        self.docs = docs
        self.interval = interval
        self.grace = grace
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await reconcile_once(self.engine, self.docs, self.grace)
            except (StorageError, OSError, sa.exc.SQLAlchemyError) as exc:
                log.warning("reconciliation failed, will try again", error=repr(exc))

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="documents-reconciliation")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _main(grace_seconds: float | None) -> int:
    from passerelle.documents.bootstrap import bootstrap
    from passerelle.libs.logging import configure_logging

    service = bootstrap()
    settings = service.settings
    configure_logging(service.name, settings.log_level, settings.log_json)
    grace = timedelta(seconds=settings.reconcile_grace_seconds if grace_seconds is None else grace_seconds)
    assert service.engine is not None
    try:
        report = await reconcile_once(service.engine, service.state["documents"], grace)
    finally:
        await service.engine.dispose()
    if report is None:
        print("another reconciliation is running")
        return 0
    print(
        f"orphan objects removed: {report.orphan_objects_removed}, rows marked missing: {report.missing_marked}, "
        f"errors: {report.errors}"
    )
    return 1 if report.errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description="Reconcile documents' metadata with the object store.")
    parser.add_argument("--grace-seconds", type=float, default=None, help="leave younger objects and rows alone")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(_main(args.grace_seconds)))


if __name__ == "__main__":
    main()
