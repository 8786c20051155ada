"""Deposit of engaged contracts with the administration (DECA), once their agreement letter is out."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from passerelle.libs.logging import get_logger
from passerelle.opco_processing.adapters.tables import cases
from passerelle.opco_processing.domain.case import ENGAGED_STATUSES, ReviewCase

from .context import Context

log = get_logger(__name__)


async def deposit_case(ctx: Context, case_id: UUID) -> bool:
    # One deposit at a time per case among every instance (the claim is held while DECA answers): two workers
    # that found the case waiting never deposit it twice.
    async with ctx.uow() as claim:
        if not await claim.cases.claim("deposit", case_id):
            return False
        case = await claim.cases.get(case_id)
        if case is None or case.status not in ENGAGED_STATUSES or case.deposit is not None or case.pending_letters:
            return False
        return await _deposit(ctx, case_id, case)


async def _deposit(ctx: Context, case_id: UUID, case: ReviewCase) -> bool:
    letter = next((x for x in reversed(case.letters) if x.kind == "agreement"), None)
    result = await ctx.deca.deposit(case, letter.document_id if letter else None)
    async with ctx.uow() as uow:
        locked = await uow.cases.get(case_id, for_update=True)
        if locked is None or locked.deposit is not None or locked.status not in ENGAGED_STATUSES:
            return False
        locked.record_deposit(result, ctx.clock())
        await uow.save(locked)
        await uow.commit()
    return True


async def deposit_pending(ctx: Context) -> int:
    async with ctx.uow() as uow:
        query = (
            sa.select(cases.c.id)
            .where(
                cases.c.status.in_([s.value for s in ENGAGED_STATUSES]),
                cases.c.letter_pending.is_(False),
                cases.c.data["deposit"].astext.is_(None) | (cases.c.data["deposit"] == sa.text("'null'::jsonb")),
            )
            .limit(ctx.policy.batch_size)
        )
        ids = list((await uow.session.execute(query)).scalars())
    done = 0
    for case_id in ids:
        try:
            done += await deposit_case(ctx, case_id)
        except Exception as exc:  # noqa: BLE001 - DECA unavailable: retried on the next pass
            log.warning("deposit failed, will retry", case_id=str(case_id), error=repr(exc))
    return done
