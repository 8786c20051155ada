"""The reconciliation: what a crash may have left between the database and the object store.

- objects older than the grace period that no row names (a crash between writing the object and
  committing its row, or a removal that failed): removed;
- stored rows whose object is gone: marked `missing` (listed, never offered for download), and logged.
The grace period leaves uploads in progress alone. Running it twice changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from passerelle.documents.service_layer.context import Documents
from passerelle.documents.service_layer.ports import StorageError
from passerelle.libs.logging import get_logger

log = get_logger(__name__)

PREFIX = "contracts/"
PAGE = 500


@dataclass
class ReconcileReport:
    orphan_objects_removed: int = 0
    missing_marked: int = 0
    errors: int = 0


async def reconcile(docs: Documents, grace: timedelta) -> ReconcileReport:
    report = ReconcileReport()
    cutoff = docs.clock() - grace

    listed_at = docs.clock()
    objects = await docs.storage.list(PREFIX)
    present = {o.key for o in objects}
    old = [o.key for o in objects if o.last_modified < cutoff]
    for start in range(0, len(old), PAGE):
        page = old[start : start + PAGE]
        async with docs.uow_factory() as uow:
            known = await uow.documents.known_keys(page)
        for key in page:
            if key in known:
                continue
            try:
                await docs.storage.delete(key)
                report.orphan_objects_removed += 1
                log.warning("orphan object removed", object_key=key)
            except StorageError as exc:
                report.errors += 1
                log.warning("reconciliation could not remove an object", object_key=key, error=str(exc))

    # Only rows stored before the listing began: their object was written before it, so it must be listed.
    after = None
    while True:
        async with docs.uow_factory() as uow:
            rows = await uow.documents.stored_before(listed_at, after, PAGE)
            missing = [document_id for document_id, key in rows if key not in present]
            if missing:
                report.missing_marked += await uow.documents.mark_missing(missing)
                await uow.commit()
        for document_id in missing:
            log.error("stored document has no object: marked missing", document_id=str(document_id))
        if len(rows) < PAGE:
            break
        after = rows[-1][0]
    log.info(
        "reconciliation done",
        orphan_objects_removed=report.orphan_objects_removed,
        missing_marked=report.missing_marked,
        errors=report.errors,
    )
    return report
