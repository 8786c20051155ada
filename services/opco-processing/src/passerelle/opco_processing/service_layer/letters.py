"""Decision letters, in the background: render, store through the documents service, then publish.

A decision committed its letter as pending with the event it will publish. This step renders the letter
(the same bytes every time for the same decision), stores it (the documents client finds bytes already
stored instead of storing them twice), then marks the letter stored and queues the event in the outbox, in one
transaction for the round's letters. A crash anywhere in between repeats the step: nothing is published
twice, nothing lost.
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


async def _store(ctx: Context, case: ReviewCase) -> list[tuple[UUID, UUID]]:
    """The case's pending letters rendered and stored, in order: [(letter id, document id)]."""
    stored = []
    opco = ctx.referentials.opco(case.opco_code)
    for letter in case.pending_letters:
        # An anomaly letter names the fields by their labels on the form (the contracts service's registry).
        labels = await ctx.field_labels.labels() if letter.kind == "anomaly" else None
        # Drawing is CPU work: off the event loop, so the other letters' uploads go on meanwhile.
        content = await asyncio.to_thread(ctx.renderer.render, case, letter, opco, labels)
        filename = f"{FILENAMES[letter.kind]} - {case.file_number or case.contract_id}.pdf"
        document_id = await ctx.documents.store_letter(
            case.opco_code, case.contract_id, letter.document_type, filename, content
        )
        stored.append((letter.id, document_id))
    return stored


async def _mark(ctx: Context, stored: dict[UUID, list[tuple[UUID, UUID]]]) -> int:
    """The stored letters marked in one transaction, their decisions' events queued; how many were marked."""
    if not stored:
        return 0
    delivered = 0
    async with ctx.uow() as uow:
        for locked in await uow.cases.get_many(list(stored), for_update=True):
            changed = False
            for letter_id, document_id in stored[locked.id]:
                if locked.letter_stored(letter_id, document_id, ctx.clock()):
                    changed = True
                    delivered += 1
            if changed:
                await uow.save(locked)
        await uow.commit()
    return delivered


async def deliver_cases(ctx: Context, waiting: list[ReviewCase]) -> int:
    limit = asyncio.Semaphore(ctx.policy.concurrency)
    stored: dict[UUID, list[tuple[UUID, UUID]]] = {}

    async def one(case: ReviewCase) -> None:
        async with limit:
            try:
                stored[case.id] = await _store(ctx, case)
            except Exception as exc:  # noqa: BLE001 - documents unavailable: the letter stays pending, retried
                log.warning("letter delivery failed, will retry", case_id=str(case.id), error=repr(exc))

    # One worker at a time per case among every process and instance: the claims' transaction stays open (it
    # writes nothing) while the letters are drawn and stored; a case another worker holds is skipped this round,
    # and read again once released (then done). The claimed cases are read again under their claim, so a round
    # that read them before another worker finished them does not store their letters twice.
    async with ctx.uow() as claim:
        held = await claim.cases.claim_many("letters", [case.id for case in waiting])
        mine = [case.id for case in waiting if case.id in held]
        fresh = [case for case in await claim.cases.get_many(mine) if case.pending_letters] if mine else []
        await asyncio.gather(*(one(case) for case in fresh))
        return await _mark(ctx, {case_id: letters for case_id, letters in stored.items() if letters})


async def deliver_letters(ctx: Context, case_id: UUID) -> int:
    async with ctx.reads() as uow:
        case = await uow.cases.get(case_id)
    return await deliver_cases(ctx, [case]) if case is not None else 0


async def deliver_pending(ctx: Context) -> int:
    async with ctx.reads() as uow:
        waiting = await uow.cases.waiting_letters(ctx.policy.batch_size)
    return await deliver_cases(ctx, waiting) if waiting else 0
