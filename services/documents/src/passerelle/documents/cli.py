"""The documents service's command line: `python -m passerelle.documents.cli reconcile [--grace-seconds N]`.

The reconciliation also runs periodically inside the HTTP process (DOCUMENTS_RECONCILE_IN_PROCESS); the kit's
advisory lock lets one run at a time, however many instances are up.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from passerelle.documents.bootstrap import bootstrap, reconciliation
from passerelle.documents.service_layer.reconcile import ReconcileReport
from passerelle.libs.logging import configure_logging
from passerelle.libs.tasks import SKIPPED


async def _reconcile(grace_seconds: float | None) -> int:
    service = bootstrap()
    settings = service.settings
    configure_logging(service.name, settings.log_level, settings.log_json)
    grace = timedelta(seconds=settings.reconcile_grace_seconds if grace_seconds is None else grace_seconds)
    try:
        report = await reconciliation(settings, grace=grace).run_once(service.context, service.engine, service.name)
    finally:
        if service.engine is not None:
            await service.engine.dispose()
    if report is SKIPPED or not isinstance(report, ReconcileReport):
        print("another reconciliation is running")
        return 0
    print(
        f"orphan objects removed: {report.orphan_objects_removed}, rows marked missing: {report.missing_marked}, "
        f"errors: {report.errors}"
    )
    return 1 if report.errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The documents service's commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    reconcile = commands.add_parser("reconcile", help="reconcile documents' metadata with the object store")
    reconcile.add_argument("--grace-seconds", type=float, default=None, help="leave younger objects and rows alone")
    args = parser.parse_args(argv)
    return asyncio.run(_reconcile(args.grace_seconds))


if __name__ == "__main__":
    raise SystemExit(main())
