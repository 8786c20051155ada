"""Intake: a transmitted contract opens a case (or a new revision of it); documents resume cases waiting for them.

Consumers never trust order across topics: a revision not newer than the case's is ignored, and a document
for a contract whose case is not open yet changes nothing (the transmission carries its documents).
"""

from __future__ import annotations

from passerelle.libs.logging import get_logger
from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork
from passerelle.opco_processing.domain.case import ReviewCase, Revision, value_at
from passerelle.schemas import Envelope
from passerelle.schemas.events.contracts import ContractEvent, ContractTransmitted
from passerelle.schemas.events.documents import DocumentUploaded

from .context import Context

log = get_logger(__name__)
OWN_LETTERS = frozenset({"courrier_accord", "courrier_anomalie"})


async def receive_transmission(
    ctx: Context, uow: OpcoUnitOfWork, envelope: Envelope, event: ContractTransmitted
) -> ReviewCase:
    now = ctx.clock()
    revision = Revision(
        number=event.revision,
        transmitted_at=event.transmitted_at,
        is_amendment=event.is_amendment,
        form=event.form,
        documents=[d.model_dump(mode="json") for d in event.documents],
    )
    case = await uow.cases.by_contract(event.contract_id, for_update=True)
    if case is None:
        routing = ctx.referentials.route(value_at(event.form, "employer.idcc"), event.parties.opco_code)
        case = ReviewCase.open(
            contract_id=event.contract_id,
            contract_type=event.contract_type,
            opco_code=routing.opco_code,
            routing={
                "idcc": routing.idcc,
                "branch": routing.branch,
                "source": routing.source,
                "referential_version": routing.referential_version,
            },
            parties=event.parties.model_dump(mode="json"),
            revision=revision,
            now=now,
        )
        await uow.add(case)
        uow.after_commit(ctx.wake_work)  # its checks start as soon as it is committed, not at the next round
        return case
    if not case.receive_revision(revision, now):
        log.info("stale transmission ignored", contract_id=str(event.contract_id), revision=event.revision)
    await uow.save(case)
    uow.after_commit(ctx.wake_work)
    return case


async def receive_document(ctx: Context, uow: OpcoUnitOfWork, envelope: Envelope, event: DocumentUploaded) -> list[str]:
    if event.document_type in OWN_LETTERS:
        return []
    case = await uow.cases.by_contract(event.contract_id, for_update=True)
    if case is None:
        return []
    resolved = case.document_received(event.document_type, event.document_id, ctx.clock())
    if resolved:
        await uow.save(case)
        uow.after_commit(ctx.wake_work)
    return resolved


async def withdraw(ctx: Context, uow: OpcoUnitOfWork, envelope: Envelope, event: ContractEvent) -> None:
    case = await uow.cases.by_contract(event.contract_id, for_update=True)
    if case is None:
        return
    case.withdraw(ctx.clock(), event.topic)
    await uow.save(case)
