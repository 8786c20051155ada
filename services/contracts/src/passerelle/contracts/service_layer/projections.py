"""What the contracts service keeps of other contexts: attached documents, memberships (from their events)."""

from __future__ import annotations

from passerelle.libs.logging import get_logger
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.identity import MembershipGranted, MembershipRevoked, OrganisationVerified

from .messages import made_ordinary
from .ports import UnitOfWork
from .records import AttachedDocument, Colleague, HistoryEntry

log = get_logger(__name__)


async def record_document(uow: UnitOfWork, event: DocumentUploaded) -> bool:
    """Keep which documents are attached (the latest version of each type), so transmission sees them."""
    record = await uow.contracts.get(event.contract_id)
    if record is None:
        log.warning("document for an unknown contract ignored", contract_id=str(event.contract_id))
        return False
    document = AttachedDocument(
        contract_id=event.contract_id,
        document_type=event.document_type,
        document_id=event.document_id,
        version=event.version,
        sha256=event.sha256,
        filename=event.filename,
        uploaded_at=event.uploaded_at,
    )
    if not await uow.contracts.record_document(document):
        return False
    await uow.contracts.add_history(
        [
            HistoryEntry(
                contract_id=event.contract_id,
                at=event.uploaded_at,
                actor_id=str(event.uploaded_by) if event.uploaded_by else None,
                action="document_attached",
                revision=record.contract.revision,
                details={
                    "document_type": event.document_type,
                    "document_id": str(event.document_id),
                    "version": event.version,
                },
            )
        ]
    )
    return True


async def grant_membership(uow: UnitOfWork, event: MembershipGranted) -> None:
    await uow.contracts.add_member(
        Colleague(
            organisation_id=event.organisation_id,
            account_id=event.account_id,
            organisation_kind=event.organisation_kind,
            siret=event.siret,
            uai=event.uai,
        )
    )


async def revoke_membership(uow: UnitOfWork, event: MembershipRevoked) -> None:
    await uow.contracts.remove_member(event.organisation_id, event.account_id)


async def organisation_verified(uow: UnitOfWork, event: OrganisationVerified) -> int:
    """The organisation's control is proven: the drafts its members made meanwhile, private to each creator,
    become ordinary drafts of the organisation (its verified members and, once proposed, the other side see them;
    they can be proposed and transmitted). Returns how many."""
    await uow.contracts.record_verified_organisation(event.organisation_id, event.verified_at)
    drafts = await uow.contracts.private_drafts_of(event.organisation_id)
    for record in drafts:
        record.private_to = record.private_organisation_id = None
        record.updated_at = event.verified_at
        await uow.contracts.update(record)
        uow.publish(made_ordinary(record))
        await uow.contracts.add_history(
            [
                HistoryEntry(
                    contract_id=record.id,
                    at=event.verified_at,
                    actor_id=None,
                    action="organisation_verified",
                    revision=record.contract.revision,
                    details={"organisation_id": str(event.organisation_id), "method": event.method},
                )
            ]
        )
    if drafts:
        log.info("private drafts made ordinary", organisation_id=str(event.organisation_id), count=len(drafts))
    return len(drafts)
