"""Decision letters, in the background: render, store through the documents service, then publish.

A decision committed its letter as pending with the event it will publish. This step renders the letter
(the same bytes every time for the same decision), stores it (the documents client finds bytes already
stored instead of storing them twice), then, in one transaction, marks the letter stored and queues the
event in the outbox. A crash anywhere in between repeats the step: nothing is published twice, nothing lost.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from passerelle.libs.logging import get_logger
from passerelle.opco_processing.domain.case import ReviewCase

from .context import Context

log = get_logger(__name__)

FILENAMES = {
    "agreement": "Courrier d'accord de prise en charge",
    "anomaly": "Courrier d'anomalie",
    "refusal": "Courrier de refus de prise en charge",
}


async def deliver_letters(ctx: Context, case_id: UUID) -> int:
    # One worker at a time per case, whatever the instances: the claim's transaction stays open (it writes
    # nothing) while the letters are drawn and stored; another worker that found the case pending skips it, and
    # reads it again, done, once the claim is released.
    async with ctx.uow() as claim:
        if not await claim.cases.claim("letters", case_id):
            return 0
        case = await claim.cases.get(case_id)
        if case is None:
            return 0
        return await _deliver(ctx, case_id, case)


async def _deliver(ctx: Context, case_id: UUID, case: ReviewCase) -> int:
    delivered = 0
    opco = ctx.referentials.opco(case.opco_code)
    for letter in case.pending_letters:
        # Drawing is CPU work: off the event loop, so the other letters' uploads go on meanwhile.
        content = await asyncio.to_thread(ctx.renderer.render, case, letter, opco)
        filename = f"{FILENAMES[letter.kind]} - {case.file_number or case.contract_id}.pdf"
        document_id = await ctx.documents.store_letter(
            case.opco_code, case.contract_id, letter.document_type, filename, content
        )
        async with ctx.uow() as uow:
            locked = await uow.cases.get(case_id, for_update=True)
            if locked is None:
                return delivered
            if locked.letter_stored(letter.id, document_id, ctx.clock()):
                await uow.save(locked)
                await uow.commit()
                delivered += 1
    return delivered


async def deliver_pending(ctx: Context) -> int:
    async with ctx.uow() as uow:
        ids = await uow.cases.with_pending_letters(ctx.policy.batch_size)
    limit = asyncio.Semaphore(ctx.policy.concurrency)

    async def one(case_id: UUID) -> int:
        async with limit:
            try:
                return await deliver_letters(ctx, case_id)
            except Exception as exc:  # noqa: BLE001 - documents unavailable: the letter stays pending, retried
                log.warning("letter delivery failed, will retry", case_id=str(case_id), error=repr(exc))
                return 0

    return sum(await asyncio.gather(*(one(case_id) for case_id in ids)))
