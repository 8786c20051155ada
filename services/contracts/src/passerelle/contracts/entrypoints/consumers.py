"""What the contracts service consumes: the OPCO's decisions, attached documents, memberships.

Each handler decodes nothing itself (the consumer group did) and calls one use case; the group claims the
event in the inbox and commits in the same transaction, so a redelivered event changes nothing.
"""

from __future__ import annotations

from passerelle.contracts.service_layer import services
from passerelle.contracts.service_layer.unit_of_work import ContractsUnitOfWork
from passerelle.libs.consumer import ConsumerGroup
from passerelle.libs.service import Service
from passerelle.schemas import Envelope
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.identity import MembershipGranted, MembershipRevoked
from passerelle.schemas.events.opco import AnomalyRaised, AnomalyResolved, CaseOpened, ContractEngaged, ContractRefused

GROUP = "contracts"


def consumers(service: Service) -> ConsumerGroup:
    assert service.sessions is not None, "the contracts service needs its database"
    sessions = service.sessions
    group_name = getattr(service.settings, "consumer_group", GROUP)
    group = ConsumerGroup(group_name, uow_factory=lambda: ContractsUnitOfWork(sessions, service.name))

    def deps() -> services.Dependencies:
        return service.state["dependencies"]

    @group.on(AnomalyRaised.topic)
    async def anomaly_raised(uow: ContractsUnitOfWork, envelope: Envelope, event: AnomalyRaised) -> None:
        await services.apply_anomaly(uow, event, deps())

    @group.on(AnomalyResolved.topic)
    async def anomaly_resolved(uow: ContractsUnitOfWork, envelope: Envelope, event: AnomalyResolved) -> None:
        await services.resolve_anomalies(uow, event, deps())

    @group.on(CaseOpened.topic)
    async def case_opened(uow: ContractsUnitOfWork, envelope: Envelope, event: CaseOpened) -> None:
        await services.assign_opco(uow, event, deps())

    @group.on(ContractEngaged.topic)
    async def contract_engaged(uow: ContractsUnitOfWork, envelope: Envelope, event: ContractEngaged) -> None:
        await services.engage(uow, event, deps())

    @group.on(ContractRefused.topic)
    async def contract_refused(uow: ContractsUnitOfWork, envelope: Envelope, event: ContractRefused) -> None:
        await services.refuse(uow, event, deps())

    @group.on(DocumentUploaded.topic)
    async def document_uploaded(uow: ContractsUnitOfWork, envelope: Envelope, event: DocumentUploaded) -> None:
        await services.record_document(uow, event)

    @group.on(MembershipGranted.topic)
    async def membership_granted(uow: ContractsUnitOfWork, envelope: Envelope, event: MembershipGranted) -> None:
        await services.grant_membership(uow, event)

    @group.on(MembershipRevoked.topic)
    async def membership_revoked(uow: ContractsUnitOfWork, envelope: Envelope, event: MembershipRevoked) -> None:
        await services.revoke_membership(uow, event)

    return group
