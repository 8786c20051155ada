"""What a change leaves behind besides itself: its audit entry and the events other services read."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from passerelle.identity.domain.model import Account, AuditEntry, Membership, Organisation
from passerelle.identity.service_layer.ports import UnitOfWork
from passerelle.schemas.events import identity as events


def audit(
    uow: UnitOfWork,
    now: datetime,
    action: str,
    actor_id: UUID | None,
    organisation_id: UUID | None = None,
    target_account_id: UUID | None = None,
    actor_kind: str = "user",
    **details: Any,
) -> None:
    uow.audit.add(
        AuditEntry(
            action=action,
            occurred_at=now,
            actor_id=actor_id,
            actor_kind=actor_kind,
            organisation_id=organisation_id,
            target_account_id=target_account_id,
            details={k: (str(v) if isinstance(v, UUID) else v) for k, v in details.items()},
        )
    )


def organisation_registered(org: Organisation) -> events.OrganisationRegistered:
    return events.OrganisationRegistered(
        organisation_id=org.id,
        kind=str(org.kind),
        name=org.name,
        siret=org.siret,
        siren=org.siren,
        uai=org.uai,
        opco_code=org.opco_code,
    )


def organisation_verified(org: Organisation, members: list[Membership]) -> events.OrganisationVerified:
    assert org.verified_at is not None and org.verification is not None
    return events.OrganisationVerified(
        organisation_id=org.id,
        kind=str(org.kind),
        siret=org.siret,
        siren=org.siren,
        uai=org.uai,
        opco_code=org.opco_code,
        method=org.verification,
        verified_at=org.verified_at,
        verified_by=org.verified_by,
        member_account_ids=sorted({m.account_id for m in members if m.is_active}, key=str),
    )


def membership_granted(membership: Membership, account: Account, org: Organisation) -> events.MembershipGranted:
    return events.MembershipGranted(
        membership_id=membership.id,
        account_id=account.id,
        email=account.email,
        full_name=account.full_name,
        organisation_id=org.id,
        organisation_kind=str(org.kind),
        siret=org.siret,
        siren=org.siren,
        uai=org.uai,
        opco_code=org.opco_code,
        role=str(membership.role),
    )


def account_registered(account: Account) -> events.AccountRegistered:
    return events.AccountRegistered(
        account_id=account.id, email=account.email, full_name=account.full_name, registered_at=account.created_at
    )


def account_confirmed(account: Account) -> events.AccountConfirmed:
    return events.AccountConfirmed(account_id=account.id, email=account.email)
