"""The automated checks, in the background: the contracts engine is called between two transactions.

A round reads the cases waiting for their checks (status received) in one query, has the contracts engine
check all their forms in one request (its batch validation endpoint), runs the registers' checks, then writes
back, in one transaction for the whole round, those that did not
move meanwhile. When its OPCO turned automatic engagement on for its contract type and every check passes, a
case is engaged at once; otherwise it waits in the queue, "prêt". A case whose check failed (contracts
unavailable) stays received and is checked again at the next round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from passerelle.libs.logging import get_logger
from passerelle.opco_processing.domain.case import SYSTEM, CaseStatus, Check, ReviewCase
from passerelle.opco_processing.domain.checks import run_checks
from passerelle.opco_processing.domain.clocks import local_date

from .context import Context
from .settings import opco_settings

log = get_logger(__name__)


@dataclass(frozen=True)
class Checked:
    case_id: UUID
    revision: int
    checks: list[Check]
    funding: dict[str, Any] | None


def _documents(case: ReviewCase) -> list[str]:
    return sorted({str(d["document_type"]) for d in case.current_revision.documents})


def _checked(ctx: Context, case: ReviewCase, findings: list[dict[str, Any]], barred: bool) -> Checked:
    revision = case.current_revision
    checks, funding = run_checks(
        case.contract_type,
        revision.form,
        findings,
        ctx.referentials,
        barred=barred,
        filing=case.filing,
        on=local_date(ctx.clock()),
    )
    return Checked(case.id, revision.number, checks, funding)


async def _record(ctx: Context, results: list[Checked]) -> int:
    """The round's checks written back in one transaction; returns how many cases were recorded."""
    if not results:
        return 0
    by_id = {r.case_id: r for r in results}
    recorded = 0
    async with ctx.uow() as uow:
        settings: dict[str, dict[str, Any]] = {}
        for case in await uow.cases.get_many(list(by_id), for_update=True):
            result = by_id[case.id]
            now = ctx.clock()
            if not case.record_checks(result.revision, result.checks, result.funding, now):
                continue  # it moved meanwhile (a new revision): its own check comes next
            if case.opco_code not in settings:
                settings[case.opco_code] = await opco_settings(uow, case.opco_code, ctx.policy)
            if case.status == CaseStatus.READY and settings[case.opco_code]["auto_engage"].get(case.contract_type):
                number = case.file_number or await uow.cases.next_file_number(case.opco_code, now.year)
                case.engage(SYSTEM, number, now, automatic=True)
            await uow.save(case)
            recorded += 1
        await uow.commit()
    return recorded


async def check_cases(ctx: Context, waiting: list[ReviewCase]) -> int:
    """Check these cases (read before, outside any transaction) and record the results."""
    sirets = {case.id: str(case.current_revision.form.get("employer", {}).get("siret") or "") for case in waiting}
    async with ctx.reads() as uow:
        barred_sirets = await uow.cases.barred_among(list(sirets.values()), local_date(ctx.clock()))
    barred = {case_id: bool(siret) and siret in barred_sirets for case_id, siret in sirets.items()}
    try:
        findings = await ctx.validation.validate_many([(c.current_revision.form, _documents(c)) for c in waiting])
    except Exception as exc:  # noqa: BLE001 - contracts unavailable: the cases stay received, checked next round
        log.warning("checks failed, will retry", cases=len(waiting), error=repr(exc))
        return 0
    results = [_checked(ctx, case, found, barred[case.id]) for case, found in zip(waiting, findings, strict=True)]
    return await _record(ctx, results)


async def check_case(ctx: Context, case_id: UUID) -> bool:
    async with ctx.reads() as uow:
        case = await uow.cases.get(case_id)
    if case is None or case.status != CaseStatus.RECEIVED:
        return False
    return bool(await check_cases(ctx, [case]))


async def check_pending(ctx: Context) -> int:
    async with ctx.reads() as uow:
        waiting = await uow.cases.waiting_checks(ctx.policy.batch_size)
    return await check_cases(ctx, waiting) if waiting else 0
