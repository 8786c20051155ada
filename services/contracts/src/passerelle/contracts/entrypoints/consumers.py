"""What the contracts service consumes: the OPCO's decisions, attached documents, memberships, verifications.

The kit's consumer group claims each event in the inbox, calls its use case and commits, in one transaction.
"""

from __future__ import annotations

from passerelle.contracts.service_layer import lifecycle, projections
from passerelle.libs.consumer import HandlerTable
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.identity import MembershipGranted, MembershipRevoked, OrganisationVerified
from passerelle.schemas.events.opco import AnomalyRaised, AnomalyResolved, CaseOpened, ContractEngaged, ContractRefused

HANDLERS: HandlerTable = {
    AnomalyRaised: lambda context, uow, envelope, event: lifecycle.apply_anomaly(uow, event, context.deps),
    AnomalyResolved: lambda context, uow, envelope, event: lifecycle.resolve_anomalies(uow, event, context.deps),
    CaseOpened: lambda context, uow, envelope, event: lifecycle.assign_opco(uow, event, context.deps),
    ContractEngaged: lambda context, uow, envelope, event: lifecycle.engage(uow, event, context.deps),
    ContractRefused: lambda context, uow, envelope, event: lifecycle.refuse(uow, event, context.deps),
    DocumentUploaded: lambda context, uow, envelope, event: projections.record_document(uow, event),
    MembershipGranted: lambda context, uow, envelope, event: projections.grant_membership(uow, event),
    MembershipRevoked: lambda context, uow, envelope, event: projections.revoke_membership(uow, event),
    OrganisationVerified: lambda context, uow, envelope, event: projections.organisation_verified(uow, event),
}
