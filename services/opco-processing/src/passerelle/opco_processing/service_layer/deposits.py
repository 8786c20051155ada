"""Deposit of engaged contracts with the administration (DECA), once their agreement letter is out."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from passerelle.libs.logging import get_logger
from passerelle.opco_processing.adapters.tables import cases
from passerelle.opco_processing.domain.case import ENGAGED_STATUSES, Deposit, ReviewCase

from .context import Context

log = get_logger(__name__)


def _depositable(case: ReviewCase) -> bool:
    return case.status in ENGAGED_STATUSES and case.deposit is None and not case.pending_letters


async def deposit_cases(ctx: Context, waiting: list[ReviewCase]) -> int:
    """Deposit these engaged cases (read before), then record the receipts in one transaction."""
    # One deposit at a time per case among every instance: the claims are held while DECA answers, and the claimed
    # cases read again under them, so two workers that found a case waiting never deposit it twice.
    async with ctx.uow() as claim:
        held = await claim.cases.claim_many("deposit", [case.id for case in waiting])
        mine = [case.id for case in waiting if case.id in held]
        fresh = [case for case in await claim.cases.get_many(mine) if _depositable(case)] if mine else []
        receipts: dict[UUID, Deposit] = {}
        for case in fresh:
            letter = next((x for x in reversed(case.letters) if x.kind == "agreement"), None)
            try:
                receipts[case.id] = await ctx.deca.deposit(case, letter.document_id if letter else None)
            except Exception as exc:  # noqa: BLE001 - DECA unavailable: retried on the next pass
                log.warning("deposit failed, will retry", case_id=str(case.id), error=repr(exc))
        if not receipts:
            return 0
        return await _record(ctx, receipts)


async def _record(ctx: Context, receipts: dict[UUID, Deposit]) -> int:
    done = 0
    async with ctx.uow() as uow:
        for locked in await uow.cases.get_many(list(receipts), for_update=True):
            if locked.deposit is not None or locked.status not in ENGAGED_STATUSES:
                continue
            locked.record_deposit(receipts[locked.id], ctx.clock())
            await uow.save(locked)
            done += 1
        await uow.commit()
    return done


async def deposit_case(ctx: Context, case_id: UUID) -> bool:
    async with ctx.reads() as uow:
        case = await uow.cases.get(case_id)
    return case is not None and bool(await deposit_cases(ctx, [case]))


async def deposit_pending(ctx: Context) -> int:
    async with ctx.reads() as uow:
        waiting = await uow.cases.waiting(
            sa.and_(
                cases.c.status.in_([s.value for s in ENGAGED_STATUSES]),
                cases.c.letter_pending.is_(False),
                cases.c.data["deposit"].astext.is_(None) | (cases.c.data["deposit"] == sa.text("'null'::jsonb")),
            ),
            ctx.policy.batch_size,
        )
    return await deposit_cases(ctx, waiting) if waiting else 0
