"""The automated checks, in the background: the contracts engine is called between two transactions.

A case waiting for its checks (status received) is read, checked (HTTP to contracts, registers), then
written back only if it did not move meanwhile. When its OPCO turned automatic engagement on for its
contract type and every check passes, it is engaged at once; otherwise it waits in the queue, "prêt".
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from passerelle.libs.logging import get_logger
from passerelle.opco_processing.domain.case import SYSTEM, CaseStatus
from passerelle.opco_processing.domain.checks import run_checks
from passerelle.opco_processing.domain.clocks import local_date

from .context import Context
from .settings import opco_settings

log = get_logger(__name__)


async def check_case(ctx: Context, case_id: UUID) -> bool:
    async with ctx.uow() as uow:
        case = await uow.cases.get(case_id)
        if case is None or case.status != CaseStatus.RECEIVED:
            return False
        revision = case.current_revision
        barred = await uow.cases.is_barred(
            case.opco_code, str(revision.form.get("employer", {}).get("siret") or ""), local_date(ctx.clock())
        )
    documents = sorted({str(d["document_type"]) for d in revision.documents})
    findings = await ctx.validation.validate(revision.form, documents)
    checks, funding = run_checks(
        case.contract_type,
        revision.form,
        findings,
        ctx.referentials,
        barred=barred,
        filing=case.filing,
        on=local_date(ctx.clock()),
    )
    async with ctx.uow() as uow:
        case = await uow.cases.get(case_id, for_update=True)
        if case is None:
            return False
        now = ctx.clock()
        if not case.record_checks(revision.number, checks, funding, now):
            return False  # it moved meanwhile (a new revision): its own check comes next
        settings = await opco_settings(uow, case.opco_code, ctx.policy)
        if case.status == CaseStatus.READY and settings["auto_engage"].get(case.contract_type):
            number = case.file_number or await uow.cases.next_file_number(case.opco_code, now.year)
            case.engage(SYSTEM, number, now, automatic=True)
        await uow.save(case)
        await uow.commit()
    return True


async def check_pending(ctx: Context) -> int:
    async with ctx.uow() as uow:
        ids = await uow.cases.to_check(ctx.policy.batch_size)
    limit = asyncio.Semaphore(ctx.policy.concurrency)

    async def one(case_id: UUID) -> int:
        async with limit:
            try:
                return int(await check_case(ctx, case_id))
            except Exception as exc:  # noqa: BLE001 - one case's failure (contracts down) must not stop the others
                log.warning("checks failed, will retry", case_id=str(case_id), error=repr(exc))
                return 0

    return sum(await asyncio.gather(*(one(case_id) for case_id in ids)))
