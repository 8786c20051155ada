"""What opco-processing consumes: transmissions (cases), documents (resuming cases), withdrawals.

Handlers call one use case each; the consumer group claims the event in the inbox and commits in the same
transaction, so a redelivered event changes nothing.
"""

from __future__ import annotations

from passerelle.libs.consumer import ConsumerGroup
from passerelle.libs.service import Service
from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork
from passerelle.opco_processing.service_layer import intake
from passerelle.opco_processing.service_layer.context import Context
from passerelle.schemas import Envelope
from passerelle.schemas.events.contracts import ContractArchived, ContractDeleted, ContractTransmitted
from passerelle.schemas.events.documents import DocumentUploaded


def consumers(service: Service) -> ConsumerGroup:
    assert service.sessions is not None, "opco-processing needs its database"
    sessions = service.sessions
    group = ConsumerGroup(
        getattr(service.settings, "consumer_group", service.name),
        uow_factory=lambda: OpcoUnitOfWork(sessions, service.name),
    )

    def ctx() -> Context:
        return service.state["context"]

    @group.on(ContractTransmitted.topic)
    async def transmitted(uow: OpcoUnitOfWork, envelope: Envelope, event: ContractTransmitted) -> None:
        await intake.receive_transmission(uow, ctx(), event)

    @group.on(DocumentUploaded.topic)
    async def uploaded(uow: OpcoUnitOfWork, envelope: Envelope, event: DocumentUploaded) -> None:
        await intake.receive_document(uow, ctx(), event)

    @group.on(ContractArchived.topic)
    async def archived(uow: OpcoUnitOfWork, envelope: Envelope, event: ContractArchived) -> None:
        await intake.withdraw(uow, ctx(), event)

    @group.on(ContractDeleted.topic)
    async def deleted(uow: OpcoUnitOfWork, envelope: Envelope, event: ContractDeleted) -> None:
        await intake.withdraw(uow, ctx(), event)

    return group
